#include "trace/peer_run.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "trace/trace_helpers.hpp"

namespace fdscope::test {

const char* const kStraceClasses =
    "open,openat,openat2,creat,close,close_range,socket,socketpair,accept,accept4,pipe,pipe2,"
    "dup,dup2,dup3,fcntl,recvmsg,eventfd2,epoll_create1,memfd_create";

namespace {

PeerRun run_peer(std::vector<std::string> argv, const std::string& log_path) {
    // TraceSession starts it with only stdio open; stdin is closed at once.
    TraceSession s(argv);
    TraceRun r = s.finish();
    PeerRun p;
    p.status = r.status;
    p.output = r.output;
    if (log_path.empty()) {
        p.log = r.err;
        return p;
    }
    std::ifstream in(log_path);
    std::stringstream ss;
    ss << in.rdbuf();
    p.log = ss.str();
    unlink(log_path.c_str());
    return p;
}

std::string temp_path(const char* stem) {
    std::string t = std::string("/tmp/fdscope-") + stem + "-XXXXXX";
    int fd = mkstemp(t.data());
    if (fd >= 0) close(fd);
    return t;
}

}  // namespace

PeerRun run_valgrind(const std::string& fixture, const std::vector<std::string>& args) {
    // The log goes to stderr: a --log-file stays open in the client as fd 3
    // (valgrind 3.19 lists it as inherited), which would shift every number.
    std::vector<std::string> argv = {"valgrind", "--tool=none", "--track-fds=yes", trace_fixture(fixture)};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_peer(argv, "");
}

PeerRun run_strace(const std::string& fixture, const std::vector<std::string>& args) {
    std::string log = temp_path("strace");
    std::vector<std::string> argv = {"strace", "-f", "-e", std::string("trace=") + kStraceClasses, "-o", log,
                                     trace_fixture(fixture)};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_peer(argv, log);
}

std::map<pid_t, std::vector<std::string>> strace_steps_by_tid(const StraceLog& log) {
    std::map<pid_t, std::vector<std::string>> out;
    for (const auto& c : log.calls)
        for (auto& s : strace_fd_steps(c)) out[c.pid].push_back(s);
    return out;
}

std::vector<std::vector<std::string>> thread_sequences(const std::map<pid_t, std::vector<std::string>>& by_tid) {
    std::vector<std::vector<std::string>> out;
    for (const auto& [tid, steps] : by_tid)
        if (!steps.empty()) out.push_back(steps);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace fdscope::test
