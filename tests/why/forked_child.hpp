// A forked child for the gathering tests: it runs `setup`, which builds a
// kernel situation and returns a line of facts, writes that line to the
// parent, and then holds everything until the parent is done (the
// destructor kills and reaps it). Setup failures come back as "ERR ...".
#pragma once
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <string>

namespace fdscope::why::testing {

class ForkedChild {
public:
    explicit ForkedChild(const std::function<std::string()>& setup) {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            ::close(p[0]);
            std::string line = setup() + "\n";
            if (::write(p[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) ::_exit(1);
            ::close(p[1]);
            for (;;) ::pause();
        }
        ::close(p[1]);
        char buf[512];
        ssize_t n;
        while ((n = ::read(p[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
            if (n > 0) {
                line_.append(buf, static_cast<std::size_t>(n));
                if (line_.back() == '\n') break;
            }
        ::close(p[0]);
        if (!line_.empty() && line_.back() == '\n') line_.pop_back();
    }
    ~ForkedChild() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {}
        }
    }
    ForkedChild(const ForkedChild&) = delete;
    ForkedChild& operator=(const ForkedChild&) = delete;

    pid_t pid() const { return pid_; }
    const std::string& line() const { return line_; }
    bool ok() const { return !line_.empty() && line_.rfind("ERR", 0) != 0; }

private:
    pid_t pid_ = -1;
    std::string line_;
};

inline std::string failed(const char* what) { return std::string("ERR ") + what + ": " + std::strerror(errno); }

}  // namespace fdscope::why::testing
