// The disk quotas an operation may be charged to: the subject's fsuid and
// fsgid (and the directory's project id) on the filesystem it creates on
// or writes to, from quotactl_fd(Q_GETQUOTA).
#pragma once
#include <string>
#include <vector>

#include "model/why_facts.hpp"

namespace fdscope::why {

// `fs_path`: a path on the filesystem as fdscope can reach it (for a
// process subject, through /proc/PID/root); what cannot be read is said
// in QuotaFacts::reason.
QuotaFacts read_quota(const std::string& fs_path, std::int32_t mount_id, uid_t uid, gid_t gid);

// Pure: the sentence for quotactl's errno.
std::string quota_reason(int err);

}  // namespace fdscope::why
