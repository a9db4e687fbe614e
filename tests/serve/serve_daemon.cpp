#include "serve/serve_daemon.hpp"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

#include "support/support.hpp"

namespace fdscope::test {

ServeDaemon::ServeDaemon(const std::vector<std::string>& args, const std::vector<std::string>& env,
                         const std::vector<std::string>& wrapper) {
    std::vector<std::string> argv = wrapper;
    argv.push_back(fdscope_bin());
    argv.push_back("serve");
    argv.insert(argv.end(), args.begin(), args.end());
    int err[2];
    if (pipe2(err, O_CLOEXEC) < 0) throw std::runtime_error("pipe2");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
        dup2(err[1], 2);
        for (const std::string& e : env) putenv(const_cast<char*>(e.c_str()));
        std::vector<char*> av;
        for (const std::string& a : argv) av.push_back(const_cast<char*>(a.c_str()));
        av.push_back(nullptr);
        execvp(av[0], av.data());
        _exit(127);
    }
    close(err[1]);
    err_fd_ = err[0];
    std::string buf;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
        const std::size_t nl = buf.find('\n');
        if (nl != std::string::npos) {
            std::string line = buf.substr(0, nl);
            buf.erase(0, nl + 1);
            if (line.find("fdscope serve: listening on ") == 0 || line.find("fdscope serve: writing ") == 0) {
                line_ = line;
                break;
            }
            continue;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()).count();
        if (left <= 0) throw std::runtime_error("fdscope serve did not say it listens within 60 s");
        pollfd p{err_fd_, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
        char chunk[4096];
        const ssize_t n = read(err_fd_, chunk, sizeof chunk);
        if (n <= 0) throw std::runtime_error("fdscope serve exited before listening: " + buf);
        buf.append(chunk, static_cast<std::size_t>(n));
    }
    const std::string prefix = "fdscope serve: listening on ";
    if (line_.rfind(prefix, 0) == 0) {
        url_ = line_.substr(prefix.size());
        url_ = url_.substr(0, url_.find(", "));
        const std::size_t host_end = url_.find(']') != std::string::npos ? url_.find(']') : url_.find("://") + 3;
        const std::size_t colon = url_.find(':', host_end);
        port_ = std::atoi(url_.c_str() + colon + 1);
    }
}

int ServeDaemon::stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    pid_t r = 0;
    while ((r = waitpid(pid_, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < until) {
        // Its stderr ends when it exits: wait on that instead of sleeping.
        pollfd p{err_fd_, POLLIN, 0};
        if (poll(&p, 1, 100) > 0) {
            char chunk[4096];
            if (read(err_fd_, chunk, sizeof chunk) <= 0) {
                r = waitpid(pid_, &status, 0);
                break;
            }
        }
    }
    if (r == 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    close(err_fd_);
    err_fd_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

ServeDaemon::~ServeDaemon() {
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    if (err_fd_ >= 0) close(err_fd_);
}

bool valid_utf8(const std::string& s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    for (std::size_t i = 0; i < n;) {
        const unsigned c = p[i];
        std::size_t len = 0;
        unsigned cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n) return false;
        for (std::size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

double sample_value(const std::string& body, const std::string& series) {
    const std::string key = series + " ";
    std::size_t at = 0;
    while (at < body.size()) {
        const std::size_t nl = body.find('\n', at);
        const std::string line = body.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
        if (line.rfind(key, 0) == 0) return std::strtod(line.c_str() + key.size(), nullptr);
        if (nl == std::string::npos) break;
        at = nl + 1;
    }
    return std::nan("");
}

}  // namespace fdscope::test
