// `fdscope serve`: a Prometheus/OpenMetrics exporter. The main thread runs
// the watch sampler (live::Monitor) and hands each tick to the collector;
// the HTTP listeners run on their own threads with SIGINT/SIGTERM blocked,
// so that the signals interrupt the sampler's wait and end the loop.
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

#include "cli/commands.hpp"
#include "cli/sampling_options.hpp"
#include "export/collector.hpp"
#include "export/server.hpp"
#include "export/suspect.hpp"
#include "export/web_config.hpp"
#include "live/monitor.hpp"
#include "live/ticker.hpp"
#include "revision.hpp"  // generated at build time by cmake/Revision.cmake
#include "sys/clock.hpp"
#include "sys/files.hpp"

namespace fdscope::cli {
namespace {

int usage(const std::string& msg) {
    std::fprintf(stderr, "fdscope serve: %s\n", msg.c_str());
    return kExitUsage;
}

// "1s", "500ms", "2m", "1h" or plain seconds ("1.5"); nullopt when malformed or not positive.
std::optional<double> parse_duration(const std::string& s) {
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(s.c_str(), &end);
    if (errno || end == s.c_str() || !std::isfinite(v) || v <= 0) return std::nullopt;
    const std::string unit(end);
    if (unit.empty() || unit == "s") return v;
    if (unit == "ms") return v / 1000;
    if (unit == "m") return v * 60;
    if (unit == "h") return v * 3600;
    return std::nullopt;
}

std::optional<exporter::GroupBy> parse_group_by(const std::string& s) {
    if (s == "unit") return exporter::GroupBy::Unit;
    if (s == "comm") return exporter::GroupBy::Comm;
    if (s == "cgroup") return exporter::GroupBy::Cgroup;
    if (s == "exe") return exporter::GroupBy::Exe;
    return std::nullopt;
}

bool path_ok(const std::string& p) {
    if (p.empty() || p[0] != '/') return false;
    for (char c : p)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-')) return false;
    return true;
}

// The leak suspects of the tracker now.
std::vector<exporter::Suspect> suspects(const report::TrendTracker& tracker) {
    std::vector<exporter::Suspect> out;
    for (const auto& [key, t] : tracker.trends()) {
        if (t.flagged_since <= 0) continue;
        exporter::Suspect s;
        s.pid = key.first;
        s.start_ticks = key.second;
        s.comm = t.comm;
        s.fds_per_second = t.verdict.rate_per_min / 60;
        s.eta_seconds = t.verdict.eta_seconds;
        s.since = t.growth_since > 0 ? t.growth_since : t.verdict.since;
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<exporter::CollectorInfo> collector_infos(const ServeArgs& a) {
    return {
        {"file_nr", "fdscope_file_handles, fdscope_file_handles_limit: /proc/sys/fs/file-nr, read at each scrape", true},
        {"processes", "fdscope_group_* and fdscope_process_*: every process's fd count and soft RLIMIT_NOFILE from the sampler (every --sample-interval), its group read at each scrape; fdscope_processes_skipped for those not counted", true},
        {"leaks", "fdscope_leak_*: the leak verdicts of watch's sampler (rate, ETA to the soft limit, start)", true},
        {"kinds", "fdscope_process_open_fds_by_kind: the listed processes' fds by kind, read at each scrape (--collector.kinds)", a.kinds},
        {"account", "fdscope_file_handles_attributed: fdscope account's holders, cached (--collector.account)", a.account},
        {"audit", "fdscope_inherited_fds: fds inherited across an exec (fdscope audit), cached (--collector.audit)", a.audit},
        {"self", "process_*: the exporter's own fds, memory and CPU", true},
    };
}

}  // namespace

void add_serve(CLI::App& cmd, ServeArgs& a) {
    cmd.add_option("--web.listen-address", a.listen,
                   "address to listen on, host:port, repeatable (default 127.0.0.1:10253; port 0 picks a free one; a non-loopback address only when given)")
        ->option_text("ADDRESS");
    cmd.add_option("--web.telemetry-path", a.telemetry_path, "path of the metrics (default /metrics)")->option_text("PATH");
    cmd.add_option("--web.config.file", a.web_config, "exporter-toolkit web config: TLS, mutual TLS, basic auth (bcrypt)")
        ->option_text("FILE");
    cmd.add_option("--web.max-requests", a.max_requests, "scrapes served at once; more get 503 (default 40)")->check(CLI::Range(1, 10000));
    cmd.add_option("--group-by", a.group_by, "what groups processes: unit (systemd unit, else comm; default), comm, cgroup, exe")
        ->check(CLI::IsMember({"unit", "comm", "cgroup", "exe"}));
    cmd.add_option("--max-groups", a.max_groups, "groups exported; the smaller ones are summed into group=\"__other__\" (default 200)")
        ->check(CLI::Range(1, 100000));
    cmd.add_option("--top", a.top, "per-process series for the top N by fds and by fds/limit, plus leak suspects (default 10)")
        ->check(CLI::Range(0, 10000));
    cmd.add_option("--sample-interval", a.sample_interval, "time between samples of every process's fd count (default 1s)")
        ->option_text("DURATION");
    cmd.add_option("--leak.window", a.leak_window, "history a leak verdict looks at (default 8s)")->option_text("DURATION");
    cmd.add_option("--leak.min-rate", a.leak_min_rate, "fds per minute below which growth is not a leak (default 30)")
        ->check(CLI::Range(0.0, 1e9));
    cmd.add_option("--leak.hold", a.leak_hold,
                   "how long a flagged process stays a suspect after its last verdict, unless its count drops (default 60s)")
        ->option_text("DURATION");
    cmd.add_flag("--collector.account", a.account, "export fdscope account's file-handle holders (a full scan, cached; needs CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH for other users)");
    cmd.add_flag("--collector.kinds", a.kinds, "export the listed processes' fds by kind (needs CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH for other users)");
    cmd.add_flag("--collector.audit", a.audit, "export fds inherited across an exec (fdscope audit; a full scan, cached)");
    cmd.add_option("--collector.interval", a.collector_interval, "time between the account and audit scans (default 60s)")
        ->option_text("DURATION");
    cmd.add_option("--textfile", a.textfile,
                   "also write the text format to FILE every sample interval, atomically, for node_exporter's textfile collector; without --web.listen-address: no HTTP server")
        ->option_text("FILE");
}

int run_serve(const ServeArgs& a) {
    const auto interval = parse_duration(a.sample_interval);
    if (!interval || *interval < 0.05 || *interval > 3600) return usage("--sample-interval: a duration from 50ms to 1h, e.g. 1s");
    const auto window = parse_duration(a.leak_window);
    if (!window || *window < 1 || *window > 86400) return usage("--leak.window: a duration from 1s to 24h, e.g. 8s");
    const auto hold = parse_duration(a.leak_hold);
    if (!hold || *hold < 0 || *hold > 86400) return usage("--leak.hold: a duration from 0s to 24h, e.g. 60s");
    const auto cache_interval = parse_duration(a.collector_interval);
    if (!cache_interval || *cache_interval < 1) return usage("--collector.interval: a duration of at least 1s, e.g. 60s");
    if (!path_ok(a.telemetry_path) || a.telemetry_path == "/" || a.telemetry_path == "/healthz")
        return usage("--web.telemetry-path: a path such as /metrics (letters, digits, / _ -), not / or /healthz");
    const auto group_by = parse_group_by(a.group_by);
    if (!group_by) return usage("--group-by: unit, comm, cgroup or exe");

    exporter::ServerOptions so;
    std::vector<std::string> listen = a.listen;
    if (listen.empty() && a.textfile.empty()) listen.emplace_back(exporter::kDefaultListen);
    for (const std::string& l : listen) {
        const auto addr = exporter::parse_listen_address(l);
        if (!addr) return usage("--web.listen-address: not HOST:PORT: " + l);
        so.listen.push_back(*addr);
    }
    if (!a.web_config.empty()) {
        auto cfg = exporter::load_web_config(a.web_config);
        if (auto* e = std::get_if<exporter::WebConfigError>(&cfg)) return usage("--web.config.file: " + e->message);
        so.web = std::get<exporter::WebConfig>(std::move(cfg));
    }

    SamplingArgs sampling;
    sampling.interval = *interval;
    sampling.window = *window;
    sampling.min_rate = a.leak_min_rate;
    live::MonitorOptions mo;
    if (auto bad = monitor_options(sampling, mo)) return usage(*bad);

    exporter::CollectorOptions co;
    co.group_by = *group_by;
    co.cardinality.max_groups = a.max_groups;
    co.cardinality.top = a.top;
    co.cardinality.kinds = a.kinds;
    co.account = a.account;
    co.audit = a.audit;
    co.cache_interval = *cache_interval;
    co.version = FDSCOPE_VERSION;
    co.revision = FDSCOPE_REVISION;
    co.backend = "procfs";
    if (const char* d = std::getenv("FDSCOPE_SERVE_TEST_DELAY")) co.test_delay = std::strtod(d, nullptr);
    so.telemetry_path = a.telemetry_path;
    so.max_requests = a.max_requests;
    so.max_budget = co.max_budget;
    so.collectors = collector_infos(a);
    so.version = FDSCOPE_VERSION;

    // A scraper that hangs up mid-response must cost a failed write, not
    // the exporter: OpenSSL writes to the socket with write(2), which
    // raises SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    // Blocks the stop signals in this thread (the sampler's wait unblocks
    // them): the listener threads started below inherit the mask.
    live::catch_stop_signals();
    exporter::Collector collector(co);
    live::Monitor monitor(mo);
    if (!monitor.sampler().counting_reason().empty()) std::fprintf(stderr, "fdscope serve: %s\n", monitor.sampler().counting_reason().c_str());
    collector.publish({monitor.tick(), {}});

    exporter::Server server(so, collector);
    if (!so.listen.empty()) {
        try {
            if (auto err = server.bind()) {
                std::fprintf(stderr, "fdscope serve: %s\n", err->c_str());
                return kExitFailure;
            }
        } catch (const std::exception& e) {  // the web config's TLS files: a usage error, like the config itself
            std::fprintf(stderr, "fdscope serve: --web.config.file: %s\n", e.what());
            return kExitUsage;
        }
        server.start();
    }
    collector.start();
    std::string line;
    for (const std::string& u : server.urls()) line += (line.empty() ? "" : ", ") + u;
    if (!line.empty()) std::fprintf(stderr, "fdscope serve: listening on %s\n", line.c_str());
    if (!a.textfile.empty()) std::fprintf(stderr, "fdscope serve: writing %s every %gs\n", a.textfile.c_str(), *interval);
    std::fflush(stderr);

    int status = kExitOk;
    bool textfile_failed = false;
    exporter::SuspectHold held(*hold);
    std::map<std::pair<pid_t, std::uint64_t>, std::uint64_t> counts;
    live::Ticker ticker(*interval, sys::now_monotonic);
    ticker.run(
        [&] {
            const Tick& t = monitor.tick();
            counts.clear();
            for (const ProcSample& p : t.procs) counts[{p.pid, p.start_ticks}] = p.fds;
            collector.publish({t, held.update(t.time, suspects(monitor.tracker()), counts)});
            if (!a.textfile.empty()) {
                const auto snap = collector.snapshot(*interval);
                const int err = sys::replace_file(a.textfile, exporter::render(snap->families, exporter::Format::Text));
                if (err && !textfile_failed) std::fprintf(stderr, "fdscope serve: cannot write %s: %s\n", a.textfile.c_str(), std::strerror(err));
                textfile_failed = err != 0;
                if (err && so.listen.empty()) status = kExitFailure;
            }
            return status == kExitOk;
        },
        [&](double deadline) {
            monitor.wait(deadline);
            return true;
        },
        live::stop_requested);
    server.stop();
    collector.stop();
    return status;
}

}  // namespace fdscope::cli
