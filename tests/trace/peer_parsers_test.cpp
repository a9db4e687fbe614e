// The valgrind and strace parsers on output captured from the trace
// fixtures (tests/data/trace/, made by running the peers on them), and on
// the line shapes that only show up under load (a notice inside a line).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "trace/peer_parsers.hpp"

namespace fdscope::test {
namespace {

std::string sample(const std::string& name) {
    std::ifstream in(std::string(FDSCOPE_TESTDATA) + "/trace/" + name);
    EXPECT_TRUE(in) << name;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<std::string> steps_of(const StraceLog& log, int pid) {
    std::vector<std::string> out;
    for (const auto& c : log.calls)
        if (c.pid == pid)
            for (auto& s : strace_fd_steps(c)) out.push_back(s);
    return out;
}

TEST(ValgrindParser, LeakerListsItsThreeLeaksWithTheCreatingFunction) {
    auto reports = parse_valgrind_fds(sample("valgrind_leaker.txt"));
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].pid, 29309);
    EXPECT_EQ(reports[0].open, 6);
    EXPECT_EQ(reports[0].std, 3);
    ASSERT_EQ(reports[0].fds.size(), 3u);
    int want = 5;
    for (const auto& fd : reports[0].fds) {
        EXPECT_EQ(fd.fd, want--);
        EXPECT_EQ(fd.what, "/dev/null");
        EXPECT_FALSE(fd.inherited);
        ASSERT_EQ(fd.stack.size(), 3u);
        EXPECT_EQ(fd.stack[0].function, "open");
        EXPECT_EQ(fd.stack[0].file, "open64.c");
        EXPECT_EQ(fd.stack[0].line, 41);
        EXPECT_EQ(valgrind_creator(fd), "leak_fifty");
        EXPECT_EQ(fd.stack[1].file, "trace_leaker.c");
        EXPECT_EQ(fd.stack[2].function, "main");
    }
}

TEST(ValgrindParser, DemangledMemberFunctionKeepsItsParentheses) {
    auto reports = parse_valgrind_fds(sample("valgrind_leaker_cpp.txt"));
    ASSERT_EQ(reports.size(), 1u);
    ASSERT_EQ(reports[0].fds.size(), 2u);
    EXPECT_EQ(valgrind_creator(reports[0].fds[0]), "leakers::FdHoarder::leak_fifty()");
    EXPECT_EQ(reports[0].fds[0].stack[1].file, "trace_leaker_cpp.cpp");
    EXPECT_EQ(reports[0].fds[0].stack[1].line, 25);
}

TEST(ValgrindParser, PipeEndsHaveNoNameAndSocketsTheirFamily) {
    auto reports = parse_valgrind_fds(sample("valgrind_arrays.txt"));
    ASSERT_EQ(reports.size(), 1u);
    ASSERT_EQ(reports[0].fds.size(), 4u);
    EXPECT_EQ(reports[0].fds[0].fd, 6);
    EXPECT_EQ(reports[0].fds[0].what, "AF_UNIX socket");
    EXPECT_EQ(reports[0].fds[0].detail, "");
    EXPECT_EQ(valgrind_creator(reports[0].fds[0]), "(anonymous namespace)::make_socketpair()");
    EXPECT_EQ(reports[0].fds[3].fd, 3);
    EXPECT_EQ(reports[0].fds[3].what, "");
    EXPECT_EQ(reports[0].fds[3].stack[0].function, "pipe2");
    EXPECT_EQ(reports[0].fds[3].stack[0].file, "syscall-template.S");
}

TEST(ValgrindParser, EveryProcessGetsItsOwnBlock) {
    auto reports = parse_valgrind_fds(sample("valgrind_scm_rights.txt"));
    ASSERT_EQ(reports.size(), 2u);
    EXPECT_EQ(reports[0].pid, 29327);  // the child: nothing beyond stdio
    EXPECT_TRUE(reports[0].fds.empty());
    EXPECT_EQ(reports[1].pid, 29324);
    ASSERT_EQ(reports[1].fds.size(), 1u);
    EXPECT_EQ(reports[1].fds[0].fd, 4);
    EXPECT_EQ(reports[1].fds[0].what, "/dev/zero");
    EXPECT_EQ(valgrind_creator(reports[1].fds[0]), "(anonymous namespace)::receive_fd(int)");
}

TEST(ValgrindParser, InheritedFdsAndObjectFramesAndOldHeader) {
    std::string log =
        "==7== FILE DESCRIPTORS: 5 open at exit.\n"
        "==7== Open AF_INET socket 4: 127.0.0.1:4432 <-> 127.0.0.1:44474\n"
        "==7==    at 0x4B8BDFA: accept (in /usr/lib/x86_64-linux-gnu/libc.so.6)\n"
        "==7==    by 0x10A95F: ??? (in /srv/a.out)\n"
        "==7== \n"
        "==7== Open file descriptor 3:\n"
        "==7==    <inherited from parent>\n"
        "==7== \n"
        "==7== HEAP SUMMARY:\n"
        "==7== Open file descriptor 9: not part of the block\n";
    auto reports = parse_valgrind_fds(log);
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].open, 5);
    EXPECT_EQ(reports[0].std, 0);
    ASSERT_EQ(reports[0].fds.size(), 2u);
    EXPECT_EQ(reports[0].fds[0].what, "AF_INET socket");
    EXPECT_EQ(reports[0].fds[0].detail, "127.0.0.1:4432 <-> 127.0.0.1:44474");
    EXPECT_EQ(reports[0].fds[0].stack[0].object, "/usr/lib/x86_64-linux-gnu/libc.so.6");
    EXPECT_EQ(reports[0].fds[0].stack[1].function, "");
    EXPECT_TRUE(reports[0].fds[1].inherited);
    EXPECT_TRUE(reports[0].fds[1].stack.empty());
}

TEST(ValgrindParser, GarbageGivesNothing) {
    EXPECT_TRUE(parse_valgrind_fds("").empty());
    EXPECT_TRUE(parse_valgrind_fds("==x== FILE DESCRIPTORS: 3\n==1==\n== 2 == Open file descriptor").empty());
    auto r = parse_valgrind_fds("==1== FILE DESCRIPTORS: many open\n==1== Open file descriptor :\n==1==    by 0x\n");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].open, 0);
    EXPECT_TRUE(r[0].fds.empty());
}

TEST(StraceParser, OutputFileJoinsUnfinishedAndResumedPerThread) {
    StraceLog log = parse_strace(sample("strace_stale_close.txt"));
    // The stale close story, thread by thread.
    EXPECT_EQ(steps_of(log, 29337), (std::vector<std::string>{"openat -> 3", "close 3 -> 0", "close 3 -> 0"}));
    EXPECT_EQ(steps_of(log, 29338), (std::vector<std::string>{"openat -> 3", "close 3 -> EBADF"}));
    // The loader's five libraries on the main thread.
    EXPECT_EQ(steps_of(log, 29336).size(), 10u);
    ASSERT_EQ(log.exits.size(), 3u);
    EXPECT_EQ(log.exits[2].pid, 29336);
    EXPECT_EQ(log.exits[2].value, 0);
    EXPECT_EQ(log.calls.front().name, "execve");
    EXPECT_EQ(log.calls.front().retval, "0");
}

TEST(StraceParser, StderrFormatWithANoticeInsideALine) {
    StraceLog log = parse_strace(sample("strace_stale_close_stderr.txt"));
    EXPECT_EQ(steps_of(log, 29343), (std::vector<std::string>{"openat -> 3", "close 3 -> 0", "close 3 -> 0"}));
    EXPECT_EQ(steps_of(log, 29344), (std::vector<std::string>{"openat -> 3", "close 3 -> EBADF"}));
    EXPECT_EQ(steps_of(log, 0).size(), 10u);  // strace's own child prints no prefix
}

TEST(StraceParser, ArraysAreReadFromTheArguments) {
    StraceLog log = parse_strace(sample("strace_arrays.txt"));
    auto steps = steps_of(log, 29355);
    ASSERT_GE(steps.size(), 2u);
    EXPECT_EQ(steps[steps.size() - 2], "pipe2 -> 3,4");
    EXPECT_EQ(steps.back(), "socketpair -> 5,6");
}

TEST(StraceParser, ScmRightsFdsComeFromTheResumedRecvmsg) {
    StraceLog log = parse_strace(sample("strace_scm_rights.txt"));
    auto parent = steps_of(log, 29359);
    ASSERT_GE(parent.size(), 4u);
    EXPECT_EQ(std::vector<std::string>(parent.end() - 4, parent.end()),
              (std::vector<std::string>{"socketpair -> 3,4", "close 4 -> 0", "recvmsg_rights -> 4", "close 3 -> 0"}));
    EXPECT_EQ(steps_of(log, 29360),
              (std::vector<std::string>{"close 3 -> 0", "openat -> 3", "close 3 -> 0", "close 4 -> 0"}));
    ASSERT_EQ(log.exits.size(), 2u);
    EXPECT_EQ(log.exits[0].value, 3);
}

TEST(StraceParser, ChainKeepsEveryProcessApart) {
    StraceLog log = parse_strace(sample("strace_chain.txt"));
    std::map<int, int> execs;
    for (const auto& c : log.calls)
        if (c.name == "execve" && c.retval == "0") ++execs[c.pid];
    EXPECT_EQ(execs.size(), 4u);
    EXPECT_EQ(log.exits.size(), 4u);
    // Level 3 closes the fd level 2 passed down, after its loader used 4.
    EXPECT_EQ(steps_of(log, 29351).back(), "close 3 -> 0");
}

TEST(StraceParser, FdStepsOfOtherCalls) {
    auto one = [](const std::string& line) {
        StraceLog log = parse_strace(line + "\n");
        EXPECT_EQ(log.calls.size(), 1u) << line;
        return log.calls.empty() ? std::vector<std::string>{} : strace_fd_steps(log.calls[0]);
    };
    using V = std::vector<std::string>;
    EXPECT_EQ(one("5 dup2(3, 10) = 10"), V{"dup2 3 -> 10"});
    EXPECT_EQ(one("5 dup(3) = -1 EMFILE (Too many open files)"), V{"dup 3 -> EMFILE"});
    EXPECT_EQ(one("5 fcntl(3, F_DUPFD_CLOEXEC, 0) = 4"), V{"fcntl_dupfd_cloexec 3 -> 4"});
    EXPECT_EQ(one("5 fcntl(3, F_DUPFD, 10) = 10"), V{"fcntl_dupfd 3 -> 10"});
    EXPECT_EQ(one("5 fcntl(3, F_SETFD, FD_CLOEXEC) = 0"), V{"fcntl_setfd 3 -> 0"});
    EXPECT_EQ(one("5 fcntl(3, F_GETFD) = 0x1 (flags FD_CLOEXEC)"), V{});
    EXPECT_EQ(one("5 close_range(3, 4294967295, 0) = 0"), V{"close_range 3,4294967295 -> 0"});
    EXPECT_EQ(one("5 openat(AT_FDCWD, \"/nope\", O_RDONLY) = -1 ENOENT (No such file or directory)"),
              V{"openat -> ENOENT"});
    EXPECT_EQ(one("5 accept4(3, NULL, NULL, SOCK_CLOEXEC) = 5"), V{"accept4 -> 5"});
    EXPECT_EQ(one("5 eventfd2(0, EFD_CLOEXEC) = 7"), V{"eventfd -> 7"});
    EXPECT_EQ(one("5 recvmsg(3, {msg_name=NULL, msg_iov=[{iov_base=\"x\", iov_len=1}], msg_controllen=0, msg_flags=0}, 0) = 1"),
              V{});
    EXPECT_EQ(one("5 exit_group(0) = ?"), V{});
}

TEST(StraceParser, GarbageGivesNothing) {
    EXPECT_TRUE(parse_strace("").calls.empty());
    StraceLog log = parse_strace("<... close resumed>) = 0\nnot a call\n12\n[pid 3\n+++ killed by SIGKILL +++\n");
    EXPECT_TRUE(log.calls.empty());
    ASSERT_EQ(log.exits.size(), 1u);
    EXPECT_TRUE(log.exits[0].signaled);
    EXPECT_TRUE(int_array_at("no array", 0).empty());
    EXPECT_EQ(int_array_at("x [3, 4] y", 0), (std::vector<int>{3, 4}));
}

}  // namespace
}  // namespace fdscope::test
