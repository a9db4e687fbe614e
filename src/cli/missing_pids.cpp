#include "cli/missing_pids.hpp"

#include <cstdio>

#include "collect/absent_pids.hpp"

namespace fdscope::cli {

MissingPids report_missing_pids(const char* command, const std::vector<pid_t>& wanted, const Snapshot& snap) {
    MissingPids m;
    m.pids = collect::absent_pids(wanted, snap);
    for (pid_t pid : m.pids) std::fprintf(stderr, "fdscope %s: no process %d\n", command, static_cast<int>(pid));
    m.all = !m.pids.empty() && collect::all_absent(wanted, m.pids);
    return m;
}

}  // namespace fdscope::cli
