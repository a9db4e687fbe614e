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
