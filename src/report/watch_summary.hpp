// The table `fdscope watch` ends with: which processes, in which order. Pure.
#pragma once
#include <vector>

#include "report/trend.hpp"

namespace fdscope::report {

// Fds now minus fds when first seen.
long long fd_change(const Trend& t);

// Every tracked process, the ones that changed most (either way) first,
// then the biggest; ties keep the tracker's order.
std::vector<const Trend*> rank_by_change(const TrendTracker& tracker);

}  // namespace fdscope::report
