// Every sampled process's recent history and its leak verdict, tick after
// tick. Fed with the sampler's ticks; says which processes are
// leak suspects, which verdicts are due to be reported and which alerts
// fired. Pure: ticks in, state out (no /proc here).
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/sample.hpp"
#include "report/leak.hpp"

namespace fdscope::report {

struct TrendOptions {
    LeakOptions leak;
    double keep_seconds = 120;   // history kept per process (at least the window)
    double alert_rate = 0;       // fds/min of a leak verdict; 0: off
    double alert_percent = 0;    // % of the soft limit; 0: off
    std::size_t max_candidates = 32;  // processes sampled between ticks
};

// A process is its pid and start time: a reused pid is another process.
using ProcKey = std::pair<pid_t, std::uint64_t>;

struct Trend {
    ProcKey key;
    double start = 0;
    std::string comm;
    std::uint64_t fds = 0, limit = 0;
    double first_seen = 0;
    std::uint64_t first_fds = 0;
    std::deque<FdSample> history;
    LeakVerdict verdict;           // as of the last tick
    double flagged_since = 0;      // 0: not a suspect now
    double last_reported = 0;      // when its verdict was last due
    bool report_due = false;       // this tick: newly flagged, or a window since the last report
    bool alerted_rate = false, alerted_percent = false;
    bool candidate = false;        // sampled between this tick and the next
    bool was_candidate = false;    // ... between the last tick and this one
    double candidate_at = 0;       // when last chosen as a candidate
    double growth_since = 0;       // verdict.since when first flagged (kept while flagged)
    std::uint64_t seen = 0;        // the tracker's generation when last in a tick
    double changed_at = 0;         // time of the first sample with the current count
    double percent() const { return limit ? 100.0 * static_cast<double>(fds) / static_cast<double>(limit) : 0; }
};

struct Alert {
    ProcKey key;
    std::string kind;   // "rate" or "percent"
    double value = 0, threshold = 0;
};

class TrendTracker {
public:
    explicit TrendTracker(TrendOptions opts) : opts_(std::move(opts)) {}
    // Processes missing from the tick are gone and forgotten.
    void update(const Tick& tick);
    // Extra samples between ticks (history only; verdicts at the next tick).
    void add_samples(double time, const std::vector<ProcSample>& samples);
    // Processes whose trend is in question, to be sampled between this tick
    // and the next: flagged, or higher now than anywhere in the first half
    // of the window; at most max_candidates (half the fastest, half in
    // turn among the rest). A process is
    // only newly flagged after it was sampled so: from ticks alone, a
    // sawtooth faster than the interval can look like a ramp.
    const std::vector<pid_t>& candidates() const { return candidates_; }
    const std::map<ProcKey, Trend>& trends() const { return trends_; }
    std::size_t suspects() const;
    const std::vector<Alert>& alerts() const { return alerts_; }  // fired this tick
    bool any_alert() const { return any_alert_; }                 // fired in any tick so far
    const TrendOptions& options() const { return opts_; }

private:
    void judge(Trend& t, double now);
    void pick_candidates();
    std::vector<pid_t> candidates_;
    std::uint64_t generation_ = 0;
    TrendOptions opts_;
    std::map<ProcKey, Trend> trends_;
    std::vector<Alert> alerts_;
    bool any_alert_ = false;
};

}  // namespace fdscope::report
