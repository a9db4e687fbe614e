#include "report/trend.hpp"

#include <algorithm>

namespace fdscope::report {
namespace {

// Appends a sample; notes when the count last changed.
void record(Trend& t, double time, std::uint64_t fds) {
    if (t.history.empty() || t.history.back().fds != fds) t.changed_at = time;
    t.history.push_back({time, fds});
}

}  // namespace

void TrendTracker::judge(Trend& t, double now) {
    // Most processes are flat: no slope when the window holds one value.
    if (t.changed_at < now - opts_.leak.window) {
        t.verdict = LeakVerdict{};
        t.verdict.since = t.history.back().time;
    } else {
        // judge_leak looks at the window and at the history before it (since-when).
        const std::vector<FdSample> h(t.history.begin(), t.history.end());
        t.verdict = judge_leak(h, opts_.leak, t.limit);
    }
    t.report_due = false;
    if (!t.verdict.leak) {
        t.flagged_since = 0;
        return;
    }
    if (t.flagged_since == 0 && !t.was_candidate) {
        t.verdict.leak = false;  // not yet: first a closer look (see candidates())
        return;
    }
    if (t.flagged_since == 0) {
        t.flagged_since = now;
        t.growth_since = t.verdict.since;
        t.report_due = true;
    } else if (now - t.last_reported >= opts_.leak.window) {
        t.report_due = true;
    }
    // The history kept is bounded: a leak older than it would seem to start
    // later and later. It began where it was first dated.
    t.verdict.since = std::min(t.verdict.since, t.growth_since);
    if (t.report_due) t.last_reported = now;
}

void TrendTracker::update(const Tick& tick) {
    alerts_.clear();
    ++generation_;
    const double keep = std::max(opts_.keep_seconds, opts_.leak.window * 2);
    // In place: most processes are here tick after tick, and rebuilding the
    // map would allocate a node per process per tick.
    for (const ProcSample& s : tick.procs) {
        const ProcKey key{s.pid, s.start_ticks};
        auto [it, fresh] = trends_.try_emplace(key);
        Trend& t = it->second;
        if (fresh) {
            t.key = key;
            t.start = s.start;
            t.first_seen = tick.time;
            t.first_fds = s.fds;
        }
        t.seen = generation_;
        t.was_candidate = t.candidate;
        if (t.comm != s.comm) t.comm = s.comm;
        t.fds = s.fds;
        t.limit = s.limit;
        record(t, tick.time, s.fds);
        while (!t.history.empty() && t.history.front().time < tick.time - keep) t.history.pop_front();
        judge(t, tick.time);
        if (opts_.alert_rate > 0 && t.verdict.leak && t.verdict.rate_per_min >= opts_.alert_rate && !t.alerted_rate) {
            t.alerted_rate = true;
            alerts_.push_back({key, "rate", t.verdict.rate_per_min, opts_.alert_rate});
        }
        if (opts_.alert_percent > 0 && t.limit && t.percent() >= opts_.alert_percent && !t.alerted_percent) {
            t.alerted_percent = true;
            alerts_.push_back({key, "percent", t.percent(), opts_.alert_percent});
        }
    }
    std::erase_if(trends_, [&](const auto& kv) { return kv.second.seen != generation_; });  // gone
    any_alert_ = any_alert_ || !alerts_.empty();
    pick_candidates();
}

void TrendTracker::add_samples(double time, const std::vector<ProcSample>& samples) {
    for (const ProcSample& s : samples) {
        auto it = trends_.find({s.pid, s.start_ticks});
        if (it == trends_.end()) continue;
        Trend& t = it->second;
        if (t.history.empty() || t.history.back().time < time) record(t, time, s.fds);
    }
}

void TrendTracker::pick_candidates() {
    std::vector<std::pair<double, Trend*>> found;
    for (auto& [key, t] : trends_) {
        t.candidate = false;
        if (t.history.size() < 2) continue;
        // Unchanged over the window: not rising (and not flagged either).
        if (t.flagged_since == 0 && t.changed_at < t.history.back().time - opts_.leak.window) continue;
        const double end = t.history.back().time;
        const double half = end - opts_.leak.window / 2;
        std::uint64_t early_high = 0;
        bool any_early = false;
        // From the newest back to the window's start: the history kept is
        // much longer than the window.
        for (auto h = t.history.rbegin(); h != t.history.rend() && h->time >= end - opts_.leak.window; ++h) {
            if (h->time >= half) continue;
            early_high = std::max(early_high, h->fds);
            any_early = true;
        }
        const bool rising = any_early ? t.fds > early_high : t.fds > t.history.front().fds;
        if (t.flagged_since != 0 || rising) found.emplace_back(t.verdict.rate_per_min, &t);
    }
    std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    const std::size_t max = opts_.max_candidates;
    if (found.size() > max) {
        // Half the places go to the fastest, the rest in turn to those
        // waiting longest: a slow leaker among many risers still gets its
        // closer look (it cannot be newly flagged without one).
        const std::size_t fastest = (max + 1) / 2;
        std::stable_sort(found.begin() + static_cast<std::ptrdiff_t>(fastest), found.end(),
                         [](const auto& a, const auto& b) { return a.second->candidate_at < b.second->candidate_at; });
        found.resize(max);
    }
    candidates_.clear();
    for (const auto& f : found) {
        f.second->candidate = true;
        f.second->candidate_at = f.second->history.back().time;
        candidates_.push_back(f.second->key.first);
    }
}

std::size_t TrendTracker::suspects() const {
    return static_cast<std::size_t>(
        std::count_if(trends_.begin(), trends_.end(), [](const auto& kv) { return kv.second.flagged_since > 0; }));
}

}  // namespace fdscope::report
