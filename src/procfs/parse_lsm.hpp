// /sys/kernel/security/lsm: the active LSMs in the order they run,
// comma-separated ("lockdown,capability,landlock,bpf").
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace fdscope::procfs {

std::vector<std::string> parse_lsm_list(std::string_view text);

}  // namespace fdscope::procfs
