// rename(2): do_renameat2() and vfs_rename() of fs/namei.c.
#pragma once
#include <vector>

#include "report/why/check.hpp"

namespace fdscope::report::why {

std::vector<Check> rename_checks(const Facts& facts);

}  // namespace fdscope::report::why
