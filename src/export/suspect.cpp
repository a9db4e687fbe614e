#include "export/suspect.hpp"

#include <algorithm>

namespace fdscope::exporter {

std::vector<Suspect> SuspectHold::update(double now, const std::vector<Suspect>& flagged,
                                         const std::map<std::pair<pid_t, std::uint64_t>, std::uint64_t>& fds) {
    for (const Suspect& s : flagged) {
        const auto key = std::make_pair(s.pid, s.start_ticks);
        const auto count = fds.find(key);
        Held& h = held_[key];
        h.last = s;
        h.flagged_at = now;
        h.fds_then = count != fds.end() ? count->second : 0;
    }
    std::vector<Suspect> out;
    for (auto it = held_.begin(); it != held_.end();) {
        const auto count = fds.find(it->first);
        const bool gone = count == fds.end();
        // Small dips are a leaker's ordinary closes; a fall of a tenth (8 fds
        // at least) is a recycle.
        const std::uint64_t then = it->second.fds_then;
        const bool dropped = !gone && count->second + std::max<std::uint64_t>(8, then / 10) < then;
        const bool expired = now - it->second.flagged_at > hold_;
        if (gone || dropped || expired) {
            it = held_.erase(it);
            continue;
        }
        out.push_back(it->second.last);
        ++it;
    }
    return out;
}

}  // namespace fdscope::exporter
