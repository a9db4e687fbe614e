#include "collect/absent_pids.hpp"

#include <algorithm>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace fdscope::collect {

std::vector<pid_t> absent_pids(const std::vector<pid_t>& wanted, const Snapshot& snap) {
    std::vector<pid_t> absent;
    for (pid_t id : wanted) {
        const bool listed = std::any_of(snap.processes.begin(), snap.processes.end(),
                                        [&](const Process& p) { return p.pid == id && !p.partial; });
        // /proc/TID is there for every thread, though /proc lists only processes.
        const std::string dir = "/proc/" + std::to_string(id);
        if (!listed && ::faccessat(AT_FDCWD, dir.c_str(), F_OK, 0) != 0 &&
            std::find(absent.begin(), absent.end(), id) == absent.end())
            absent.push_back(id);
    }
    return absent;
}

bool all_absent(const std::vector<pid_t>& wanted, const std::vector<pid_t>& absent) {
    return std::all_of(wanted.begin(), wanted.end(),
                       [&](pid_t id) { return std::find(absent.begin(), absent.end(), id) != absent.end(); });
}

}  // namespace fdscope::collect
