#include "report/trend.hpp"

#include <algorithm>

namespace fdscope::report {
namespace {

// Most processes are flat: no slope to compute when the window holds one value.
bool flat_window(const std::deque<FdSample>& h, double from) {
    for (auto it = h.rbegin(); it != h.rend() && it->time >= from; ++it)
        if (it->fds != h.back().fds) return false;
    return true;
}

}  // namespace

void TrendTracker::judge(Trend& t, double now) {
    const double from = now - opts_.leak.window;
    if (flat_window(t.history, from)) {
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
    if (!t.flagged_since && !t.was_candidate) {
        t.verdict.leak = false;  // not yet: first a closer look (see candidates())
        return;
    }
    if (!t.flagged_since) {
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
    std::map<ProcKey, Trend> next;
    const double keep = std::max(opts_.keep_seconds, opts_.leak.window * 2);
    for (const ProcSample& s : tick.procs) {
        const ProcKey key{s.pid, s.start_ticks};
        auto old = trends_.find(key);
        Trend t;
        if (old != trends_.end()) {
            t = std::move(old->second);
        } else {
            t.key = key;
            t.start = s.start;
            t.first_seen = tick.time;
            t.first_fds = s.fds;
        }
        t.was_candidate = t.candidate;
        t.comm = s.comm;
        t.fds = s.fds;
        t.limit = s.limit;
        t.history.push_back({tick.time, s.fds});
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
        next.emplace(key, std::move(t));
    }
    trends_ = std::move(next);
    any_alert_ = any_alert_ || !alerts_.empty();
    pick_candidates();
}

void TrendTracker::add_samples(double time, const std::vector<ProcSample>& samples) {
    for (const ProcSample& s : samples) {
        auto it = trends_.find({s.pid, s.start_ticks});
        if (it == trends_.end()) continue;
        auto& h = it->second.history;
        if (h.empty() || h.back().time < time) h.push_back({time, s.fds});
    }
}

void TrendTracker::pick_candidates() {
    std::vector<std::pair<double, Trend*>> found;
    for (auto& [key, t] : trends_) {
        t.candidate = false;
        if (t.history.size() < 2) continue;
        const double end = t.history.back().time;
        const double half = end - opts_.leak.window / 2;
        std::uint64_t early_high = 0;
        bool any_early = false;
        for (const FdSample& s : t.history) {
            if (s.time < end - opts_.leak.window || s.time >= half) continue;
            early_high = std::max(early_high, s.fds);
            any_early = true;
        }
        const bool rising = any_early ? t.fds > early_high : t.fds > t.history.front().fds;
        if (t.flagged_since || rising) found.emplace_back(t.verdict.rate_per_min, &t);
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
