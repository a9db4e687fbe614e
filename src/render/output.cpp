#include "render/output.hpp"

#include <cerrno>
#include <unistd.h>

namespace fdscope::render {

namespace {

// Writes all of `s`; returns 0 or the errno of a failed write (EPIPE: a
// reader that left, like head, is reported too; the caller decides).
int write_all(int fd, std::string_view s) {
    std::size_t done = 0;
    while (done < s.size()) {
        ssize_t n = ::write(fd, s.data() + done, s.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        done += static_cast<std::size_t>(n);
    }
    return 0;
}

}  // namespace

void Output::write_through(std::string_view s) {
    if (fd_ == kMemory || s.size() < kChunk) {
        write(s);
        return;
    }
    flush();
    if (int err = write_all(fd_, s); err && err != EPIPE && !error_) error_ = err;
}

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
