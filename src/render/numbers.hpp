// Numbers for people: thousands grouped ("1,200 fds/min"), nouns agreeing
// with their counts.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace fdscope::render {

std::string grouped(std::uint64_t n);  // 1234567 -> "1,234,567"

// The noun for a count: `one` for 1, `many` otherwise ("1 process", "0 processes").
inline std::string_view noun(std::uint64_t n, std::string_view one, std::string_view many) { return n == 1 ? one : many; }

}  // namespace fdscope::render
