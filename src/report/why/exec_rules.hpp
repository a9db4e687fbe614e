// execve(2) and chdir(2) of a path: do_open_execat() of fs/exec.c and
// the chdir syscall of fs/open.c.
#pragma once
#include <vector>

#include "report/why/check.hpp"

namespace fdscope::report::why {

std::vector<Check> exec_checks(const Facts& facts);
std::vector<Check> chdir_checks(const Facts& facts);

}  // namespace fdscope::report::why
