#include "live/monitor.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <ctime>
#include <poll.h>
#include <random>

#include "collect/preload_table.hpp"
#include "collect/scan.hpp"
#include "sys/clock.hpp"

namespace fdscope::live {

Monitor::Monitor(MonitorOptions opts)
    : opts_(std::move(opts)), sampler_(opts_.sampler), tracker_(opts_.trend) {}

const Tick& Monitor::tick() {
    last_ = sampler_.tick();
    tracker_.update(last_);
    for (auto it = baselines_.begin(); it != baselines_.end();)
        it = tracker_.trends().count(it->first) ? std::next(it) : baselines_.erase(it);
    return last_;
}

namespace {
volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }
sigset_t g_wait_mask;  // the mask during the wait: the stop signals let through
bool g_wait_mask_set = false;
}  // namespace

// The stop signals stay blocked except inside ppoll(): one that arrives
// while a tick is taken waits there and interrupts the next wait at once,
// instead of landing just before a poll() that sleeps a whole interval.
void catch_stop_signals() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigset_t stop;
    sigemptyset(&stop);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
        sigaction(sig, &sa, nullptr);
        sigaddset(&stop, sig);
    }
    sigprocmask(SIG_BLOCK, &stop, &g_wait_mask);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigdelset(&g_wait_mask, sig);
    g_wait_mask_set = true;
}

bool stop_requested() { return g_stop != 0; }

bool Monitor::wait(double deadline, int wake_fd, bool* hangup) {
    if (!g_wait_mask_set) {  // without catch_stop_signals(): the mask we run with
        sigprocmask(SIG_SETMASK, nullptr, &g_wait_mask);
        g_wait_mask_set = true;
    }
    // Between ticks, the candidates are sampled about ten times per
    // interval at random moments: a sawtooth faster than the interval then
    // shows its drops instead of aliasing into a steady ramp.
    static thread_local std::mt19937 rng{std::random_device{}()};
    std::uniform_real_distribution<double> jitter(0.5, 1.5);
    const auto pids = tracker_.candidates();
    for (;;) {
        if (g_stop) return true;
        const double now = sys::now_monotonic();
        if (now >= deadline) return false;
        const double next = pids.empty() ? deadline : std::min(deadline, now + opts_.interval / 10 * jitter(rng));
        pollfd p{wake_fd, POLLIN, 0};
        const double left = std::max(0.0, next - now);
        timespec ts{static_cast<time_t>(left), static_cast<long>((left - std::floor(left)) * 1e9)};
        const int r = ::ppoll(wake_fd >= 0 ? &p : nullptr, wake_fd >= 0 ? 1 : 0, &ts, &g_wait_mask);
        if (r > 0) {
            if (hangup && (p.revents & (POLLHUP | POLLERR | POLLNVAL))) *hangup = true;
            return true;
        }
        if (r < 0) return errno == EINTR;  // a signal: the caller looks; else tick now
        if (!pids.empty() && sys::now_monotonic() < deadline) {
            double t = 0;
            auto samples = sampler_.resample(pids, t);
            tracker_.add_samples(t, samples);
        }
    }
}

bool Monitor::inventory(const report::ProcKey& key, report::Inventory& inv, Snapshot* keep) {
    // One process: procfs is quicker than loading the BPF programs.
    collect::ScanOptions o;
    o.pids = std::vector<pid_t>{key.first};
    o.identity = false;
    o.read.assocs = false;
    o.read.maps = false;
    o.read.fdinfo = false;
    o.read.details = false;
    o.threads = 1;
    Snapshot snap = collect::scan(o);
    const Process* p = nullptr;
    for (const Process& q : snap.processes)
        if (q.pid == key.first && !q.partial) p = &q;
    if (!p || p->start_time != key.second) return false;  // gone, or the pid was reused
    // A table that could only be counted (another user's, as non-root) is
    // no inventory: "nothing new" would be a lie.
    for (const FdTable& t : p->tables)
        if (t.fds.empty() && t.counted > 0) return false;
    inv = report::inventory_of(snap, key.first);
    if (keep) *keep = std::move(snap);
    return true;
}

report::Drill Monitor::drill(const report::ProcKey& key) {
    report::Drill d;
    report::Inventory inv;
    Snapshot snap;
    d.time = sys::unix_now();
    if (!inventory(key, inv, &snap)) return d;
    d.taken = true;
    d.kinds = report::kinds_of(inv);
    auto it = baselines_.find(key);
    if (it == baselines_.end()) {
        baselines_.emplace(key, std::make_pair(d.time, std::move(inv)));
        return d;
    }
    d.baseline_time = it->second.first;
    d.diff = report::inventory_diff(it->second.second, inv);
    if (opts_.symbolize_origins) {
        std::vector<std::string> notes;  // a table that cannot be read: no sites, as without the library
        for (OriginsPtr& o : collect::read_origins(snap, notes)) {
            if (o->pid != key.first || !o->error.empty()) continue;
            opts_.symbolize_origins(*o);
            d.origins = true;
            d.sites = report::new_sites(snap, key.first, o, d.baseline_time, d.diff);
        }
    }
    return d;
}

void Monitor::take_baselines() {
    // The candidates, fastest first, that have no baseline yet.
    std::vector<const report::Trend*> due;
    for (const auto& [key, t] : tracker_.trends())
        if (t.candidate && !baselines_.count(key)) due.push_back(&t);
    std::stable_sort(due.begin(), due.end(), [](auto* a, auto* b) { return a->verdict.rate_per_min > b->verdict.rate_per_min; });
    if (due.size() > opts_.baselines_per_tick) due.resize(opts_.baselines_per_tick);
    for (const report::Trend* t : due) {
        report::Inventory inv;
        if (inventory(t->key, inv)) baselines_.emplace(t->key, std::make_pair(sys::unix_now(), std::move(inv)));
    }
}

}  // namespace fdscope::live
