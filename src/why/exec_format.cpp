#include "why/exec_format.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <unistd.h>

#include "sys/errno_text.hpp"
#include "sys/openat2.hpp"
#include "sys/unique_fd.hpp"
#include "why/exec_head.hpp"

namespace fdscope::why {

ExecFormat read_exec_format(const std::string& root, const std::string& path) {
    ExecFormat f;
    sys::UniqueFd root_fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root_fd) {
        f.unread = root + ": " + sys::errno_text(errno);
        return f;
    }
    int err = 0;
    // O_NONBLOCK: a FIFO never stalls the read; exec only takes regular files anyway.
    sys::UniqueFd fd = sys::openat2(root_fd.get(), path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY, RESOLVE_IN_ROOT, err);
    if (!fd) {
        f.unread = path + ": " + sys::errno_text(err);
        return f;
    }
    std::string head(4096, '\0');
    const ssize_t n = ::pread(fd.get(), head.data(), head.size(), 0);
    if (n < 0) {
        f.unread = path + ": " + sys::errno_text(errno);
        return f;
    }
    head.resize(static_cast<std::size_t>(n));
    const ExecHead h = parse_exec_head(head);
    f.kind = h.kind == ExecHead::Kind::Elf ? ExecFormat::Kind::Elf
             : h.kind == ExecHead::Kind::Script ? ExecFormat::Kind::Script
                                                : ExecFormat::Kind::Other;
    f.interpreter = h.interpreter;
    if (f.interpreter.empty()) return f;
    // The interpreter is looked up as exec does, from the subject's root
    // (a relative #! path from its cwd is rare: taken from the root too).
    sys::UniqueFd interp = sys::openat2(root_fd.get(), f.interpreter.c_str(), O_PATH, RESOLVE_IN_ROOT, err);
    if (!interp) {
        f.interpreter_exists = false;
        f.interpreter_error = err;
    }
    return f;
}

}  // namespace fdscope::why
