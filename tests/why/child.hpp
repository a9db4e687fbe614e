// A forked child that builds a kernel situation (credentials, a mount
// namespace, a chroot), says it is ready through a pipe and waits to be
// killed: the subject of the why fact tests.
#pragma once
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <functional>
#include <string>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fdscope::test {

class Child {
public:
    // `setup` runs in the child; it returns 0, or an errno value to fail.
    explicit Child(const std::function<int()>& setup) {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::close(p[0]);
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            int err = setup();
            (void)!::write(p[1], &err, sizeof err);
            for (;;) ::pause();
        }
        ::close(p[1]);
        int err = -1;
        ssize_t n;
        while ((n = ::read(p[0], &err, sizeof err)) < 0 && errno == EINTR) {}
        ::close(p[0]);
        error_ = n == sizeof err ? err : ECHILD;
    }
    ~Child() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {}
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    pid_t pid() const { return pid_; }
    int error() const { return error_; }  // 0: the situation is built

private:
    pid_t pid_ = -1;
    int error_ = ECHILD;
};

}  // namespace fdscope::test
