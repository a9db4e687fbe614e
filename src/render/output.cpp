#include "render/output.hpp"

#include <cerrno>
#include <unistd.h>

#include "sys/files.hpp"

namespace fdscope::render {

void Output::write_through(std::string_view s) {
    if (fd_ == kMemory || s.size() < kChunk) {
        write(s);
        return;
    }
    flush();
    if (int err = sys::write_all(fd_, s); err && err != EPIPE && !error_) error_ = err;
}

void Output::flush() {
    if (fd_ == kMemory) return;
    // A failed write drops the rest: nobody can read it.
    if (int err = sys::write_all(fd_, buf_); err && err != EPIPE && !error_) error_ = err;
    buf_.clear();
}

}  // namespace fdscope::render
