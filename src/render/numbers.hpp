// Numbers for people: thousands grouped ("1,200 fds/min").
#pragma once
#include <cstdint>
#include <string>

namespace fdscope::render {

std::string grouped(std::uint64_t n);  // 1234567 -> "1,234,567"

}  // namespace fdscope::render
