// `fdscope watch`: sample fd counts at an interval and say which processes
// leak, for scripts and CI (NDJSON, alerts as the exit status, a record
// for `fdscope plot`).
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "cli/origin_symbols.hpp"
#include "cli/commands.hpp"
#include "cli/exit_status.hpp"
#include "live/monitor.hpp"
#include "live/ticker.hpp"
#include "cli/sampling_options.hpp"
#include "render/watch_view.hpp"
#include "sys/clock.hpp"

namespace fdscope::cli {
namespace {

int usage(const std::string& msg) {
    std::fprintf(stderr, "fdscope watch: %s\n", msg.c_str());
    return kExitUsage;
}

// Where the lines of one tick go: stdout (NDJSON or text) and the record.
struct Sinks {
    render::Output& out;
    render::Output* record;
    bool ndjson;
};

void emit_tick(Sinks& s, const Tick& t) {
    auto samples = [&](render::Output& o) {
        render::write_machine_line(o, t);
        for (const ProcSample& p : t.procs) render::write_sample_line(o, t.time, p);
    };
    if (s.ndjson) samples(s.out);
    if (s.record) samples(*s.record);
}

void emit_events(Sinks& s, live::Monitor& m) {
    const Tick& t = m.last();
    for (const auto& [key, trend] : m.tracker().trends()) {
        if (!trend.report_due) continue;
        const report::Drill d = m.drill(key);
        if (s.ndjson) render::write_leak_line(s.out, t.time, trend, d);
        else render::write_leak_text(s.out, t.time, trend, d);
        if (s.record) render::write_leak_line(*s.record, t.time, trend, d);
    }
    for (const report::Alert& a : m.tracker().alerts()) {
        const report::Trend& trend = m.tracker().trends().at(a.key);
        if (s.ndjson) render::write_alert_line(s.out, t.time, trend, a);
        else render::write_alert_text(s.out, t.time, trend, a);
        if (s.record) render::write_alert_line(*s.record, t.time, trend, a);
    }
}

// Names the -p pids that are not there; whether any of them is.
bool any_pid_present(const std::vector<pid_t>& wanted, const Tick& t) {
    std::size_t found = 0;
    for (pid_t pid : wanted) {
        const bool here = std::any_of(t.procs.begin(), t.procs.end(), [&](const ProcSample& p) { return p.pid == pid; });
        if (!here) std::fprintf(stderr, "fdscope watch: no process %d\n", static_cast<int>(pid));
        found += here;
    }
    return found > 0;
}

}  // namespace

void add_watch(CLI::App& cmd, WatchArgs& a) {
    add_sampling_options(cmd, a.sampling);
    cmd.add_option("--duration", a.duration, "stop after this many seconds")->check(CLI::Range(0.0, 1e9));
    cmd.add_option("--count", a.count, "stop after this many samples");
    cmd.add_flag("--ndjson", a.ndjson, "one JSON line per process per sample, and per verdict (docs/json.md)");
    cmd.add_option("--alert-rate", a.alert_rate, "exit status 1 when a leak grows at least this many fds/min")
        ->check(CLI::Range(0.0, 1e12));
    cmd.add_option("--alert-percent", a.alert_percent, "exit status 1 when a process reaches this % of its soft fd limit")
        ->check(CLI::Range(0.0, 100.0));
    cmd.add_option("--record", a.record, "also write every sample and verdict to FILE as NDJSON (fdscope plot FILE)");
}

int run_watch(const WatchArgs& a) {
    live::MonitorOptions mo;
    mo.symbolize_origins = symbolize_origins;  // creation sites in drill-downs (preload library)
    if (auto bad = monitor_options(a.sampling, mo)) return usage(*bad);
    mo.trend.alert_rate = a.alert_rate;
    mo.trend.alert_percent = a.alert_percent;
    live::Monitor m(mo);

    render::Output out(1);
    std::unique_ptr<render::Output> record;
    int record_fd = -1;
    if (!a.record.empty()) {
        record_fd = ::open(a.record.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (record_fd < 0) {
            std::fprintf(stderr, "fdscope watch: cannot write %s: %s\n", a.record.c_str(), std::strerror(errno));
            return kExitFailure;
        }
        record = std::make_unique<render::Output>(record_fd);
    }
    if (!m.sampler().counting_reason().empty()) std::fprintf(stderr, "fdscope watch: %s\n", m.sampler().counting_reason().c_str());

    live::catch_stop_signals();
    const double started = sys::unix_now();
    render::WatchHeader h{started, a.sampling.interval, a.sampling.window, a.sampling.min_rate, m.sampler().counting()};
    if (a.ndjson) render::write_header_line(out, h);
    if (record) render::write_header_line(*record, h);
    Sinks sinks{out, record.get(), a.ndjson};

    std::size_t ticks = 0;
    bool absent = false;  // none of the -p processes exists
    live::Ticker ticker(a.sampling.interval, sys::now_monotonic);
    ticker.run(
        [&] {
            const Tick& t = m.tick();
            ++ticks;
            if (ticks == 1 && mo.sampler.pids && !any_pid_present(*mo.sampler.pids, t)) {
                absent = true;
                return false;
            }
            m.take_baselines();
            emit_tick(sinks, t);
            emit_events(sinks, m);
            out.flush();
            if (record) record->flush();
            return !(a.count && ticks >= a.count);
        },
        [&](double deadline) {
            m.wait(deadline);
            return true;
        },
        live::stop_requested, a.duration);
    if (absent) return kExitFailure;
    if (!a.ndjson) render::write_watch_summary(out, m.tracker(), started, ticks, 10, m.last().unreadable);
    int status = finish_output(out);
    if (record) {
        record->flush();
        if (record->error() || ::close(record_fd) != 0) {
            std::fprintf(stderr, "fdscope watch: cannot write %s\n", a.record.c_str());
            status = kExitFailure;
        }
    }
    if (status != kExitOk) return status;
    return m.tracker().any_alert() ? kExitFailure : kExitOk;
}

}  // namespace fdscope::cli
