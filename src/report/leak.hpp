// The leak verdict for one process's fd count over time (top and
// watch). A leak is a trend, not a number: the count keeps growing across
// the whole window (for at least half of it) at a rate worth naming. Not a leak: a sawtooth (grows,
// then drops back), a process that grew once and is flat since, a burst.
// Pure: samples in, verdict out.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

namespace fdscope::report {

struct FdSample {
    double time = 0;         // seconds (any epoch, increasing)
    std::uint64_t fds = 0;
};

struct LeakOptions {
    double window = 8;        // seconds of history judged
    double min_rate = 30;     // fds per minute: slower growth is not flagged
    std::size_t min_samples = 8;
    int segments = 4;         // the window is cut in this many parts: each must reach a new high
};

struct LeakVerdict {
    bool leak = false;
    double rate_per_min = 0;              // Theil-Sen slope over the window, fds per minute
    double since = 0;                     // when the growth started (time of the last sample at the low level)
    std::optional<double> eta_seconds;    // until the soft limit at this rate (none when unlimited or not growing)
};

// Theil-Sen: the median of the slopes between every pair of samples (fds
// per second). Robust: up to ~29% of the samples may be outliers.
double theil_sen_slope(const std::vector<FdSample>& samples);

// How long the count took to rise from the level the window `w` starts at
// to the one it ends at (medians of its first and last of `parts`), in
// seconds: the time it took to cover the middle 80% of that rise, scaled
// to the whole rise. 0 when it did not rise.
double rise_seconds(const std::vector<FdSample>& w, int parts);

// `history` in time order; the window ends at its last sample. `limit`: the
// RLIMIT_NOFILE soft limit, 0 when unlimited or unknown.
LeakVerdict judge_leak(const std::vector<FdSample>& history, const LeakOptions& opts, std::uint64_t limit);

}  // namespace fdscope::report
