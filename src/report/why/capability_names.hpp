// Capability bit numbers as people write them ("CAP_DAC_OVERRIDE"), from
// libcap's table, so a kernel newer than this code still gets names.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fdscope::report::why {

std::string capability_name(unsigned bit);
// The names of the bits set in `mask`, lowest bit first.
std::vector<std::string> capability_names(std::uint64_t mask);

}  // namespace fdscope::report::why
