// An errno value as a user reads it.
#pragma once
#include <string>

namespace fdscope::sys {

enum class ErrnoNumber { Hidden, Shown };

// strerror's text for `err` (negative values, as libbpf returns them, count
// as their absolute value); with ErrnoNumber::Shown followed by
// " (errno N)", for messages a bug report will quote.
std::string errno_text(int err, ErrnoNumber number = ErrnoNumber::Hidden);

}  // namespace fdscope::sys
