#include "report/watch_summary.hpp"

#include <algorithm>
#include <cstdlib>

namespace fdscope::report {

long long fd_change(const Trend& t) { return static_cast<long long>(t.fds) - static_cast<long long>(t.first_fds); }

std::vector<const Trend*> rank_by_change(const TrendTracker& tracker) {
    std::vector<const Trend*> rows;
    for (const auto& [key, t] : tracker.trends()) rows.push_back(&t);
    std::stable_sort(rows.begin(), rows.end(), [](const Trend* a, const Trend* b) {
        const long long ca = std::llabs(fd_change(*a)), cb = std::llabs(fd_change(*b));
        if (ca != cb) return ca > cb;
        return a->fds > b->fds;
    });
    return rows;
}

}  // namespace fdscope::report
