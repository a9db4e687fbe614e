// The quota layer: the user, group and project quotas an allocation is
// charged to, as fs/quota/dquot.c checks them (check_idq, check_bdq): a
// hard limit refuses at once, an exceeded soft limit once its grace time
// has passed; CAP_SYS_RESOURCE ignores both. XFS returns ENOSPC instead of
// EDQUOT for a project quota (xfs_trans_dqresv).
#pragma once
#include <string>
#include <vector>

#include "report/why/check.hpp"
#include "report/why/space_rules.hpp"

namespace fdscope::report::why {

std::vector<Check> quota_checks(const Facts& facts, std::int32_t mount_id, const std::string& path,
                                const Allocation& alloc);

}  // namespace fdscope::report::why
