// open(2) of a path: path_openat() in fs/namei.c and do_dentry_open() in
// fs/open.c, after the walk.
#pragma once
#include <vector>

#include "report/why/check.hpp"

namespace fdscope::report::why {

std::vector<Check> open_checks(const Facts& facts);

}  // namespace fdscope::report::why
