// What the peers of `fdscope trace` print, parsed: valgrind --track-fds's
// list of fds open at exit and strace -f's syscall lines. Pure functions
// over captured text, so they are unit-tested on real output
// (tests/data/trace/) and the differential tests compare like with like.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fdscope::test {

// ------------------------------------------------------------- valgrind

struct ValgrindFrame {
    std::string function;  // "leak_fifty", "(anonymous namespace)::make_pipe()"; "" when unknown
    std::string file;      // "trace_leaker.c"; "" without debug info
    int line = 0;
    std::string object;    // "(in /usr/lib/...libc.so.6)" frames: the object's path
};

struct ValgrindFd {
    int fd = -1;
    std::string what;       // "/dev/null", "AF_UNIX socket", "AF_INET socket", "" (a pipe end)
    std::string detail;     // what follows "socket N: " (addresses), else ""
    bool inherited = false;  // "<inherited from parent>": no creation stack
    std::vector<ValgrindFrame> stack;  // innermost first: the libc wrapper, then its caller
};

// One "FILE DESCRIPTORS: N open (S std) at exit." block, of one process.
struct ValgrindFdReport {
    int pid = 0;
    int open = 0;  // N: every fd open, std ones included
    int std = 0;   // S (0 on releases that do not print it)
    std::vector<ValgrindFd> fds;
};

// Every such block in valgrind's log (a forked child prints its own).
std::vector<ValgrindFdReport> parse_valgrind_fds(std::string_view log);

// The function that called the syscall wrapper: frame 1 (frame 0 is libc's
// open/pipe2/recvmsg...). "" when the stack is shorter.
std::string valgrind_creator(const ValgrindFd& fd);

// ---------------------------------------------------------------- strace

// One syscall, its unfinished and resumed halves joined.
struct StraceCall {
    int pid = 0;          // the thread's id; 0 for strace's own child when
                          // it printed no prefix (-f to stderr)
    std::string name;     // "openat"
    std::string args;     // the text between the parentheses, as printed
    std::string retval;   // "3", "0", "-1", "?" (no return: exit, exec'd away)
    std::string error;    // "EBADF" when the call failed, else ""
};

struct StraceExit {
    int pid = 0;
    bool signaled = false;
    int value = 0;  // exit status, or the signal number
};

struct StraceLog {
    std::vector<StraceCall> calls;  // in the order they finished
    std::vector<StraceExit> exits;
};

// Parses `strace -f` output, with `-o FILE` ("PID name(...) = R") or to
// stderr ("[pid PID] name(...) = R", strace's own child without a prefix,
// "strace: Process N attached" even in the middle of a line), with
// "<unfinished ...>" / "<... name resumed>" pairs, signal lines
// ("--- SIGCHLD {...} ---", dropped) and "+++ exited with N +++".
StraceLog parse_strace(std::string_view text);

// The fd lifecycle step a call made, spelled as the fd event signatures of
// trace_helpers.hpp so the two sequences compare as strings:
//   "openat -> 3", "openat -> ENOENT", "close 3 -> 0", "close 3 -> EBADF",
//   "pipe2 -> 3,4", "socketpair -> 3,4", "dup2 3,10 -> 10",
//   "fcntl_dupfd 3 -> 10", "fcntl_setfd 3 -> 0", "close_range 3,1024 -> 0",
//   "recvmsg_rights -> 4" (one per fd an SCM_RIGHTS message brought),
//   "accept4 -> 5", "socket -> 3".
// Calls that make no fd step (an fcntl F_GETFD, a recvmsg without fds, an
// exec) give nothing.
std::vector<std::string> strace_fd_steps(const StraceCall& call);

// Numbers in a printed array "[3, 4]" (at `pos` or after it).
std::vector<int> int_array_at(std::string_view text, std::size_t pos);

}  // namespace fdscope::test
