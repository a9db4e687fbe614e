#include "report/leak.hpp"

#include <algorithm>
#include <limits>

namespace fdscope::report {

double theil_sen_slope(const std::vector<FdSample>& s) {
    // At most ~200 samples per window: the n^2/2 pairs are cheap; thin out
    // evenly beyond that.
    constexpr std::size_t kMax = 200;
    std::vector<FdSample> pts;
    if (s.size() <= kMax) {
        pts = s;
    } else {
        for (std::size_t i = 0; i < kMax; ++i) pts.push_back(s[i * (s.size() - 1) / (kMax - 1)]);
    }
    std::vector<double> slopes;
    slopes.reserve(pts.size() * (pts.size() - 1) / 2);
    for (std::size_t i = 0; i < pts.size(); ++i)
        for (std::size_t j = i + 1; j < pts.size(); ++j) {
            const double dt = pts[j].time - pts[i].time;
            if (dt <= 0) continue;
            slopes.push_back((static_cast<double>(pts[j].fds) - static_cast<double>(pts[i].fds)) / dt);
        }
    if (slopes.empty()) return 0;
    const std::size_t mid = slopes.size() / 2;
    std::nth_element(slopes.begin(), slopes.begin() + static_cast<std::ptrdiff_t>(mid), slopes.end());
    double m = slopes[mid];
    if (slopes.size() % 2 == 0) {
        const double lower = *std::max_element(slopes.begin(), slopes.begin() + static_cast<std::ptrdiff_t>(mid));
        m = (m + lower) / 2;
    }
    return m;
}

double rise_seconds(const std::vector<FdSample>& w, int parts) {
    if (w.size() < 2 || parts < 2) return 0;
    const double t0 = w.front().time, span = w.back().time - t0;
    if (!(span > 0)) return 0;
    // The levels the window starts and ends at: medians of its first and
    // last parts (one outlier moves neither).
    std::vector<std::uint64_t> first, last;
    for (const FdSample& s : w) {
        const double at = (s.time - t0) / span * parts;
        if (at < 1) first.push_back(s.fds);
        if (at >= parts - 1) last.push_back(s.fds);
    }
    auto median = [](std::vector<std::uint64_t>& v) {
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
        return static_cast<double>(v[v.size() / 2]);
    };
    if (first.empty() || last.empty()) return 0;
    const double from = median(first), to = median(last), rise = to - from;
    if (!(rise > 0)) return 0;
    // The first samples past 10% and 90% of the rise: from one to the other
    // the count covered 80% of it. Both are seen no earlier than they
    // happen (a tick may show the start of the growth late), so a short
    // growth is never stretched into a long one.
    const double lo = from + 0.1 * rise, hi = from + 0.9 * rise;
    std::optional<double> t_lo, t_hi;
    for (const FdSample& s : w) {
        const auto n = static_cast<double>(s.fds);
        if (!t_lo && n > lo) t_lo = s.time;
        if (t_lo && n >= hi) {
            t_hi = s.time;
            break;
        }
    }
    if (!t_lo || !t_hi) return 0;
    return (*t_hi - *t_lo) / 0.8;
}

LeakVerdict judge_leak(const std::vector<FdSample>& history, const LeakOptions& opts, std::uint64_t limit) {
    LeakVerdict v;
    if (history.empty()) return v;
    const double end = history.back().time;
    std::vector<FdSample> w;
    for (const FdSample& s : history)
        if (s.time >= end - opts.window) w.push_back(s);
    if (w.size() < opts.min_samples || w.size() < 2) return v;
    const double span = w.back().time - w.front().time;
    // Judged only over (nearly) a whole window: with less history, a
    // process that grew once for that long is indistinguishable from a
    // leak. Not the whole of it: ticks land a little late, and a window
    // measured back from a late tick just misses the sample a window ago.
    if (span < opts.window * 0.85) return v;

    const double slope = theil_sen_slope(w);
    v.rate_per_min = slope * 60;

    // Growth across the whole window: every part reaches a new high, and
    // the last part never falls back to where the first one peaked. A
    // sawtooth's parts peak alike; grow-once-then-flat stops making highs.
    const int parts = std::max(2, opts.segments);
    std::vector<std::uint64_t> high(static_cast<std::size_t>(parts), 0), low(static_cast<std::size_t>(parts),
                                                                              std::numeric_limits<std::uint64_t>::max());
    std::vector<int> count(static_cast<std::size_t>(parts), 0);
    for (const FdSample& s : w) {
        int k = static_cast<int>((s.time - w.front().time) / span * parts);
        k = std::clamp(k, 0, parts - 1);
        high[static_cast<std::size_t>(k)] = std::max(high[static_cast<std::size_t>(k)], s.fds);
        low[static_cast<std::size_t>(k)] = std::min(low[static_cast<std::size_t>(k)], s.fds);
        ++count[static_cast<std::size_t>(k)];
    }
    bool growing = true;
    for (int k = 0; k < parts; ++k) growing = growing && count[static_cast<std::size_t>(k)] > 0;
    for (int k = 1; k < parts && growing; ++k) growing = high[static_cast<std::size_t>(k)] > high[static_cast<std::size_t>(k - 1)];
    growing = growing && low[static_cast<std::size_t>(parts - 1)] > high[0];
    // New highs in every part are not enough: growth that straddles the
    // borders between the middle parts makes them too, however short it
    // was. It must also have lasted at least half the window.
    growing = growing && rise_seconds(w, parts) >= opts.window / 2;

    v.leak = growing && v.rate_per_min >= opts.min_rate;

    // Since when: the last time the count stood at its lowest level before
    // the window's growth (over the whole history, not only the window).
    std::uint64_t floor = std::numeric_limits<std::uint64_t>::max();
    for (const FdSample& s : history) floor = std::min(floor, s.fds);
    v.since = history.front().time;
    for (const FdSample& s : history)
        if (s.fds <= floor) v.since = s.time;

    if (limit && slope > 0) {
        const double left = static_cast<double>(limit) - static_cast<double>(history.back().fds);
        v.eta_seconds = std::max(0.0, left / slope);
    }
    return v;
}

}  // namespace fdscope::report
