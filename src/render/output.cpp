#include "render/output.hpp"

#include <cerrno>
#include <unistd.h>

namespace fdscope::render {

void Output::flush() {
    if (fd_ == kMemory) return;
    std::size_t done = 0;
    while (done < buf_.size()) {
        ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EPIPE && !error_) error_ = errno;
            break;  // drop the rest: nobody can read it
        }
        done += static_cast<std::size_t>(n);
    }
    buf_.clear();
}

}  // namespace fdscope::render
