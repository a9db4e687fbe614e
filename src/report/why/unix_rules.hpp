// bind(2) and connect(2) of a UNIX socket to a path: unix_bind_bsd() and
// unix_find_bsd() of net/unix/af_unix.c.
#pragma once
#include <cstddef>
#include <vector>

#include "report/why/check.hpp"

namespace fdscope::report::why {

inline constexpr std::size_t kSunPathMax = 108;  // sizeof(sockaddr_un::sun_path)

// unix_validate_addr(): the path must fit sun_path.
Check sun_path_check(const std::string& path);

std::vector<Check> bind_unix_checks(const Facts& facts);
std::vector<Check> connect_unix_checks(const Facts& facts);

}  // namespace fdscope::report::why
