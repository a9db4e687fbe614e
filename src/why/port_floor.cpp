#include "why/port_floor.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "procfs/text.hpp"
#include "sys/errno_text.hpp"
#include "sys/files.hpp"
#include "sys/unique_fd.hpp"

namespace fdscope::why {
namespace {

constexpr const char* kSysctl = "/proc/sys/net/ipv4/ip_unprivileged_port_start";

std::optional<int> parse_floor(std::string_view text) {
    return procfs::text::to_num<int>(procfs::text::trim(text));
}

// In the child: only async-signal-safe calls (the parent may have threads).
[[noreturn]] void child_read(int nsfd, int out) {
    char buf[32];
    int status = 1;
    if (::setns(nsfd, CLONE_NEWNET) == 0) {
        int fd = ::open(kSysctl, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n > 0 && ::write(out, buf, static_cast<std::size_t>(n)) == n) status = 0;
            ::close(fd);
        } else {
            status = 2;
        }
    }
    ::_exit(status);
}

}  // namespace

std::optional<int> read_port_floor(pid_t pid, std::string& error) {
    if (pid <= 0) {
        std::string text;
        if (int err = sys::read_all(kSysctl, text)) {
            error = std::string(kSysctl) + ": " + sys::errno_text(err);
            return std::nullopt;
        }
        auto v = parse_floor(text);
        if (!v) error = std::string(kSysctl) + ": not a number";
        return v;
    }
    const std::string ns_path = "/proc/" + std::to_string(pid) + "/ns/net";
    sys::UniqueFd nsfd(::open(ns_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!nsfd) {
        error = ns_path + ": " + sys::errno_text(errno);
        return std::nullopt;
    }
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) {
        error = "pipe: " + sys::errno_text(errno);
        return std::nullopt;
    }
    sys::UniqueFd rd(p[0]), wr(p[1]);
    const pid_t child = ::fork();
    if (child < 0) {
        error = "fork: " + sys::errno_text(errno);
        return std::nullopt;
    }
    if (child == 0) child_read(nsfd.get(), wr.get());
    wr = sys::UniqueFd();
    std::string text;
    char buf[32];
    for (;;) {
        ssize_t n = ::read(rd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        error = code == 1   ? "setns into the network namespace of pid " + std::to_string(pid) + " failed"
                : code == 2 ? std::string(kSysctl) + " is not readable in the network namespace of pid " + std::to_string(pid)
                            : "the reader of pid " + std::to_string(pid) + "'s network namespace died";
        return std::nullopt;
    }
    auto v = parse_floor(text);
    if (!v) error = std::string(kSysctl) + " in the namespace of pid " + std::to_string(pid) + ": not a number";
    return v;
}

void gather_port_floor(const Subject& subject, Sysctls& sysctls, std::vector<std::string>& unreadable) {
    const pid_t pid = subject.kind == SubjectKind::Process ? subject.pid : 0;
    std::string error;
    if (auto v = read_port_floor(pid, error))
        sysctls.ip_unprivileged_port_start = *v;
    else
        unreadable.push_back("net.ipv4.ip_unprivileged_port_start: " + error);
}

}  // namespace fdscope::why
