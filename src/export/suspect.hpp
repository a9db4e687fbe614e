// A leak suspect as serve exports it, and how long it stays one.
//
// The leak verdict (report/leak.hpp) is judged afresh at every 1 s tick
// over a short window. A leak slower than a few fds per second does not
// reach a new high in every part of every window, so its verdict comes and
// goes (measured: 0.6-0.8 fd/s was flagged in runs of 2-4 s), and an alert
// with `for: 5m` would never fire on it. The hold keeps a flagged process a
// suspect for `hold` seconds after its last verdict, with that verdict's
// rate and ETA, unless its fd count falls clearly below the count it had
// when last flagged (by a tenth, 8 fds at least): such a drop is a pool
// recycled or a sawtooth, and ends it at once.
// Pure: suspects and counts in, suspects out.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace fdscope::exporter {

struct Suspect {
    pid_t pid = 0;
    std::uint64_t start_ticks = 0;
    std::string comm;
    double fds_per_second = 0;
    std::optional<double> eta_seconds;
    double since = 0;  // Unix seconds
};

class SuspectHold {
public:
    explicit SuspectHold(double hold_seconds) : hold_(hold_seconds) {}
    // `flagged`: the tracker's suspects at `now`; `fds`: the current count
    // of every process of the tick, by (pid, start_ticks). Returns the
    // suspects to export: the flagged ones and the held ones.
    std::vector<Suspect> update(double now, const std::vector<Suspect>& flagged,
                                const std::map<std::pair<pid_t, std::uint64_t>, std::uint64_t>& fds);

private:
    struct Held {
        Suspect last;
        double flagged_at = 0;
        std::uint64_t fds_then = 0;
    };
    double hold_;
    std::map<std::pair<pid_t, std::uint64_t>, Held> held_;
};

}  // namespace fdscope::exporter
