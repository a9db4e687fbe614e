// The sampling loop shared by `watch` and `top`: ticks at a fixed interval,
// extra samples of the processes whose trend is in question in between,
// the trend tracker fed, and drill-downs (a full inventory of one process,
// diffed against its first one) on demand.
#pragma once
#include <functional>
#include <map>

#include "collect/sampler.hpp"
#include "report/inventory.hpp"
#include "report/trend.hpp"
#include "sys/clock.hpp"

namespace fdscope::live {

struct MonitorOptions {
    collect::SamplerOptions sampler;
    report::TrendOptions trend;
    double interval = 1.0;
    std::size_t baselines_per_tick = 4;
    // Drill-downs of a process that runs libfdscope-preload.so name the
    // creation sites of the new fds: its table is read (collect/) and
    // handed to this to symbolize (cli/ gives symbolize/'s; live/ may not
    // include it). Unset: no sites.
    std::function<void(ProcessOrigins&)> symbolize_origins;
};

class Monitor {
public:
    explicit Monitor(MonitorOptions opts);
    // Samples every process now and updates the trends.
    const Tick& tick();
    // Waits until `deadline` (sys::now_monotonic() seconds: a wall-clock step
    // must not stall sampling), sampling candidates on the way.
    // Returns early, true, when `wake_fd` is readable or a signal arrived.
    // `hangup` is set when wake_fd hung up (the terminal went away).
    bool wait(double deadline, int wake_fd = -1, bool* hangup = nullptr);
    // A full inventory of the process now, against its baseline (taken
    // now when there is none).
    report::Drill drill(const report::ProcKey& key);
    // Takes an inventory to diff against later, for processes that start
    // rising (before they are flagged), a few per tick.
    void take_baselines();
    const report::TrendTracker& tracker() const { return tracker_; }
    const collect::Sampler& sampler() const { return sampler_; }
    const Tick& last() const { return last_; }
    double interval() const { return opts_.interval; }

private:
    // `snap`, when given, keeps the snapshot the inventory was taken from.
    bool inventory(const report::ProcKey& key, report::Inventory& inv, Snapshot* snap = nullptr);
    MonitorOptions opts_;
    collect::Sampler sampler_;
    report::TrendTracker tracker_;
    Tick last_;
    std::map<report::ProcKey, std::pair<double, report::Inventory>> baselines_;
};

// SIGINT and SIGTERM set a flag (and interrupt the wait) instead of killing:
// the last lines get written and the terminal restored.
void catch_stop_signals();
bool stop_requested();

}  // namespace fdscope::live
