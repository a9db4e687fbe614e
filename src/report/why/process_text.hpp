// How the process rules (seccomp, limit, space, cgroup, lsm, inet bind, fd)
// write their facts: errno names, counts and sizes, capabilities, holders
// and the systemd unit a fix names.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "model/why_facts.hpp"
#include "report/why/operation_text.hpp"  // errno_name

namespace fdscope::report::why {

std::string grouped(std::uint64_t n);        // 1204 -> "1,204"
std::string size_text(std::uint64_t bytes);  // 536870912 -> "512M", 1610612736 -> "1.5G", 100 -> "100B"
std::string limit_text(std::uint64_t n);     // grouped, or "unlimited" for RLIM_INFINITY (prose, not commands)

// CAP_* in the effective set. Whether it counts in the namespace that
// matters is the caller's judgement.
bool has_cap(const fdscope::why::Subject& subject, int cap);

// "pid 812 (nginx) fd 7, pid 813 (nginx) fd 7 inherited from 812"
std::string holders_text(const std::vector<fdscope::why::Holder>& holders);

// "pid 4242 (nginx)", "uid 1001 (app)", "uid 1000 (you)"
std::string subject_text(const fdscope::why::Subject& subject);

// The systemd unit of a cgroup path ("/system.slice/nginx.service" ->
// "nginx.service"); "" when the process is not in one.
std::string unit_of(const std::string& cgroup);

}  // namespace fdscope::report::why
