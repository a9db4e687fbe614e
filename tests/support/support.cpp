#include "support/support.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sstream>
#include <termios.h>
#include <stdexcept>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace fdscope::test {
namespace {

[[noreturn]] void die(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
    std::vector<char*> v;
    for (const auto& a : argv) v.push_back(const_cast<char*>(a.c_str()));
    v.push_back(nullptr);
    return v;
}

// Reads until a full line is buffered or EOF; fails after 60 s so a broken
// fixture cannot hang the suite.
bool read_line(int fd, std::string& buffer, std::string& line) {
    for (;;) {
        auto nl = buffer.find('\n');
        if (nl != std::string::npos) {
            line = buffer.substr(0, nl);
            buffer.erase(0, nl + 1);
            return true;
        }
        pollfd p{fd, POLLIN, 0};
        int r = poll(&p, 1, 60000);
        if (r == 0) throw std::runtime_error("no output line within 60 s");
        if (r < 0 && errno == EINTR) continue;
        char chunk[4096];
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        buffer.append(chunk, static_cast<std::size_t>(n));
    }
}

}  // namespace

Fixture::Fixture(const std::string& name, const std::vector<std::string>& args,
                 const std::vector<std::string>& wrapper) {
    std::vector<std::string> argv = wrapper;
    argv.push_back(fixture_path(name));
    argv.insert(argv.end(), args.begin(), args.end());
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) die("pipe2");
    pid_ = fork();
    if (pid_ < 0) die("fork");
    if (pid_ == 0) {
        setpgid(0, 0);
        dup2(in[0], 0);
        dup2(out[1], 1);
        // A fixture starts with stdin, stdout and stderr only: ctest leaks its
        // log file (no O_CLOEXEC) into tests, and it would show up as fd 3.
        syscall(SYS_close_range, 3U, ~0U, 0U);
        auto v = c_argv(argv);
        execvp(v[0], v.data());
        _exit(127);
    }
    setpgid(pid_, pid_);
    close(in[0]);
    close(out[1]);
    in_fd_ = in[1];
    out_fd_ = out[0];
    std::string line;
    if (!read_line(out_fd_, buffer_, line)) {
        stop();
        throw std::runtime_error("fixture " + name + " exited before it was ready");
    }
    facts_ = nlohmann::json::parse(line);
}

nlohmann::json Fixture::next_line() {
    std::string line;
    if (!read_line(out_fd_, buffer_, line)) throw std::runtime_error("fixture closed its output");
    return nlohmann::json::parse(line);
}

void Fixture::send(const std::string& line) {
    const std::string text = line + "\n";
    std::size_t off = 0;
    while (off < text.size()) {
        const ssize_t n = write(in_fd_, text.data() + off, text.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error("fixture closed its input");
        off += static_cast<std::size_t>(n);
    }
}

void Fixture::stop() {
    if (pid_ <= 0) return;
    if (in_fd_ >= 0) close(in_fd_);
    in_fd_ = -1;
    // Give the fixture up to 5 s to remove its temporary files on stdin EOF,
    // waiting on a pidfd rather than sleeping.
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
    if (pidfd >= 0) {
        pollfd p{pidfd, POLLIN, 0};
        while (poll(&p, 1, 5000) < 0 && errno == EINTR) {}
        close(pidfd);
    }
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    int st;
    while (waitpid(pid_, &st, 0) < 0 && errno == EINTR) {}
    if (out_fd_ >= 0) close(out_fd_);
    out_fd_ = -1;
    pid_ = -1;
}

Fixture::~Fixture() { stop(); }

Running::Running(const std::vector<std::string>& argv) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) < 0) die("pipe2");
    pid_ = fork();
    if (pid_ < 0) die("fork");
    if (pid_ == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(out[1], 1);
        auto v = c_argv(argv);
        execvp(v[0], v.data());
        _exit(127);
    }
    close(out[1]);
    out_fd_ = out[0];
}

bool Running::next_line(std::string& line) { return read_line(out_fd_, buffer_, line); }

int Running::stop(int sig) {
    if (pid_ <= 0) return -1;
    kill(pid_, sig);
    // What it writes on the way out is read (and dropped), or a full pipe
    // would keep it from exiting.
    std::string rest;
    while (read_line(out_fd_, buffer_, rest)) {}
    int st = 0;
    while (waitpid(pid_, &st, 0) < 0 && errno == EINTR) {}
    pid_ = -1;
    close(out_fd_);
    out_fd_ = -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

Running::~Running() {
    try {
        stop(SIGKILL);
    } catch (const std::exception&) {  // no line in 60 s: not after SIGKILL
    }
}

namespace {

// The environment with extra_env applied: "K=V" sets, "-K" removes.
std::vector<std::string> environment(const std::vector<std::string>& extra_env) {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) env.emplace_back(*e);
    for (const auto& x : extra_env) {
        const bool remove = !x.empty() && x[0] == '-';
        const std::string key = remove ? x.substr(1) : x.substr(0, x.find('='));
        std::erase_if(env, [&](const std::string& e) { return e.compare(0, key.size() + 1, key + "=") == 0; });
        if (!remove) env.push_back(x);
    }
    return env;
}

// Reads `out` and `err` until both are closed (a pty's master reads EIO
// once the last slave is closed: that is its EOF), then reaps pid.
RunResult collect(pid_t pid, int out, int err) {
    RunResult r;
    pollfd fds[2] = {{out, POLLIN, 0}, {err, POLLIN, 0}};
    int open_count = 2;
    while (open_count > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char chunk[65536];
            ssize_t n = read(fds[i].fd, chunk, sizeof chunk);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_count;
            } else {
                (i == 0 ? r.out : r.err).append(chunk, static_cast<std::size_t>(n));
            }
        }
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return r;
}

}  // namespace

RunResult run(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env) {
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) die("pipe2");
    std::vector<std::string> env = environment(extra_env);
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        auto v = c_argv(argv);
        auto e = c_argv(env);
        execvpe(v[0], v.data(), e.data());
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    return collect(pid, out[0], err[0]);
}

RunResult run_on_terminal(const std::vector<std::string>& argv, unsigned short columns,
                          const std::vector<std::string>& extra_env) {
    int err[2];
    if (pipe2(err, O_CLOEXEC) < 0) die("pipe2");
    std::vector<std::string> env = environment(extra_env);
    struct winsize ws {};
    ws.ws_col = columns;
    ws.ws_row = 24;
    int master = -1;
    pid_t pid = forkpty(&master, nullptr, nullptr, &ws);
    if (pid < 0) die("forkpty");
    if (pid == 0) {
        // stdin, stdout and the controlling terminal are the pty; stderr is
        // kept apart so that messages do not mix with the table.
        dup2(err[1], 2);
        struct termios t {};
        if (tcgetattr(1, &t) == 0) {
            t.c_oflag &= ~static_cast<tcflag_t>(ONLCR);  // "\n" stays "\n"
            tcsetattr(1, TCSANOW, &t);
        }
        auto v = c_argv(argv);
        auto e = c_argv(env);
        execvpe(v[0], v.data(), e.data());
        _exit(127);
    }
    close(err[1]);
    return collect(pid, master, err[0]);
}

std::string fixture_path(const std::string& name) { return std::string(FDSCOPE_FIXTURES) + "/" + name; }
std::string fdscope_bin() { return FDSCOPE_BIN; }
bool is_root() { return geteuid() == 0; }

bool have_tool(const std::string& name) {
    return run({"sh", "-c", "command -v " + name}).status == 0;
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

}  // namespace fdscope::test
