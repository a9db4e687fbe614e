// The options `watch` and `top` share, and the monitor they describe.
#include <algorithm>
#include <cmath>

#include "cli/commands.hpp"
#include "live/monitor.hpp"
#include "cli/sampling_options.hpp"

namespace fdscope::cli {

void add_sampling_options(CLI::App& cmd, SamplingArgs& a) {
    cmd.add_option("-p,--pid", a.pids, "only these processes (PID[,PID...])")->delimiter(',');
    cmd.add_option("-c,--command", a.command, "only processes whose command (comm) matches this regex");
    cmd.add_option("--interval", a.interval, "seconds between samples (default 1)")->check(CLI::Range(0.05, 3600.0));
    cmd.add_option("--window", a.window, "seconds of history a leak verdict looks at (default 8); growth shorter than about half of it is not a leak")
        ->check(CLI::Range(1.0, 86400.0));
    cmd.add_option("--min-rate", a.min_rate, "fds per minute below which growth is not called a leak (default 30)")
        ->check(CLI::Range(0.0, 1e9));
    cmd.add_flag("--count-entries", a.count_entries,
                 "count /proc/PID/fd entries instead of reading the count from its size (what Linux < 6.2 needs; slower)");
}

std::optional<std::string> monitor_options(const SamplingArgs& a, live::MonitorOptions& m) {
    if (!a.pids.empty()) {
        std::vector<pid_t> pids;
        std::string bad;
        if (!parse_pids(a.pids, pids, bad)) return "not a pid: " + bad;
        m.sampler.pids = pids;
    }
    if (!a.command.empty()) {
        try {
            m.sampler.command.emplace(a.command, std::regex::extended);
        } catch (const std::regex_error& e) {
            return "bad regex for -c: " + std::string(e.what());
        }
    }
    if (a.window < a.interval * 3) return "--window must cover at least 3 intervals";
    m.sampler.count_entries = a.count_entries;
    m.interval = a.interval;
    m.trend.leak.window = a.window;
    m.trend.leak.min_rate = a.min_rate;
    // Fewer samples per window at a long interval: ask for what it can hold
    // (extra samples of rising processes come in between ticks anyway).
    const double per_window = std::floor(a.window / a.interval * 0.6);
    m.trend.leak.min_samples = static_cast<std::size_t>(std::clamp(per_window, 4.0, 8.0));
    m.trend.keep_seconds = std::max(120.0, a.window * 2);
    return std::nullopt;
}

}  // namespace fdscope::cli
