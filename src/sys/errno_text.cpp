#include "sys/errno_text.hpp"

#include <cstring>

namespace fdscope::sys {

std::string errno_text(int err, ErrnoNumber number) {
    if (err < 0) err = -err;
    std::string text = std::strerror(err);
    if (number == ErrnoNumber::Shown) text += " (errno " + std::to_string(err) + ")";
    return text;
}

}  // namespace fdscope::sys
