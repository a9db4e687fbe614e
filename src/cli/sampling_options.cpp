// The options `watch` and `top` share, and the monitor they describe.
#include "cli/sampling_options.hpp"

#include "cli/commands.hpp"
#include "cli/shared_options.hpp"
#include "live/monitor.hpp"
#include "report/sampling_policy.hpp"

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
    const report::SamplingPolicy policy{a.interval, a.window, a.min_rate};
    if (auto bad = report::policy_error(policy)) return bad;
    m.sampler.count_entries = a.count_entries;
    m.interval = a.interval;
    m.trend = report::trend_options(policy);
    return std::nullopt;
}

}  // namespace fdscope::cli
