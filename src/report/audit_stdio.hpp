// The audit's stdio rule: fds 0-2 closed, or taken by something that is not
// a redirection, explained by what the next read or write on them does.
#pragma once
#include <vector>

#include "model/snapshot.hpp"
#include "report/audit.hpp"

namespace fdscope::report {

// Handed on by design (shells, terminals, daemons): not findings on 0-2,
// nor when inherited.
bool is_terminal(const OpenFile& f);
bool is_dev_null(const OpenFile& f);

// The findings on p's fds 0, 1 and 2.
void find_stdio(const Snapshot& snap, const Process& p, std::vector<Finding>& out);

}  // namespace fdscope::report
