// Test helper: an Output that writes into a memfd, read back as a string.
#pragma once
#include <stdexcept>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

#include "render/output.hpp"

namespace fdscope::render::testing {

class Capture {
public:
    Capture() : fd_(memfd_create("fdscope-test-output", MFD_CLOEXEC)), out_(fd_) {
        if (fd_ < 0) throw std::runtime_error("memfd_create failed");
    }
    ~Capture() {
        out_.flush();
        ::close(fd_);
    }
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;

    Output& out() { return out_; }

    // Flushes the Output and returns everything written so far.
    std::string text() {
        out_.flush();
        std::string s;
        char chunk[65536];
        for (off_t at = 0;;) {
            ssize_t n = ::pread(fd_, chunk, sizeof chunk, at);
            if (n < 0) throw std::runtime_error("pread failed");
            if (n == 0) break;
            s.append(chunk, static_cast<std::size_t>(n));
            at += n;
        }
        return s;
    }

private:
    int fd_;
    Output out_;
};

}  // namespace fdscope::render::testing
