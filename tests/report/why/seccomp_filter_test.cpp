// The seccomp filter interpreter: hand-built filters, the kernel's rules for
// refusing a program and combining stacked filters, and agreement with the
// real kernel running the same filter in a child.
#include <gtest/gtest.h>

#include <cerrno>
#include <fcntl.h>
#include <linux/audit.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <vector>

#include "bpf_builders.hpp"
#include "report/why/seccomp_filter.hpp"

namespace fdscope::report::why {
namespace {

using Prog = std::vector<sock_filter>;

#if defined(__x86_64__)
constexpr std::uint32_t kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr std::uint32_t kArch = AUDIT_ARCH_AARCH64;
#else
constexpr std::uint32_t kArch = 0;
#endif

using testing::jump;
using testing::stmt;

// Kills any other architecture, returns `action` for syscall `nr`, allows the rest.
Prog deny(int nr, std::uint32_t action) { return testing::deny_on(kArch, nr, action, SECCOMP_RET_KILL_PROCESS); }

seccomp_data call(int nr, std::uint64_t a0 = 0, std::uint64_t a1 = 0, std::uint64_t a2 = 0) {
    seccomp_data d{};
    d.nr = nr;
    d.arch = kArch;
    d.args[0] = a0;
    d.args[1] = a1;
    d.args[2] = a2;
    return d;
}

TEST(SeccompFilter, OneSyscallDeniedTheRestAllowed) {
    const Prog p = deny(SYS_mkdirat, SECCOMP_RET_ERRNO | EPERM);
    const FilterRun hit = run_filter(p, call(SYS_mkdirat));
    ASSERT_TRUE(hit.valid) << hit.error;
    EXPECT_EQ(hit.value, SECCOMP_RET_ERRNO | EPERM);
    EXPECT_EQ(hit.pc, 5u);
    EXPECT_EQ(run_filter(p, call(SYS_openat)).value, SECCOMP_RET_ALLOW);
    seccomp_data other = call(SYS_mkdirat);
    other.arch = AUDIT_ARCH_I386;
    EXPECT_EQ(run_filter(p, other).value, SECCOMP_RET_KILL_PROCESS) << "another architecture";
}

TEST(SeccompFilter, FlagArgumentsAreTested) {
    // openat with O_CREAT in its flags (args[2]): EACCES; without: allowed.
    const Prog p = testing::deny_flags(SYS_openat, 2, O_CREAT, SECCOMP_RET_ERRNO | EACCES);
    EXPECT_EQ(run_filter(p, call(SYS_openat, 0, 0, O_WRONLY | O_CREAT)).value, SECCOMP_RET_ERRNO | EACCES);
    EXPECT_EQ(run_filter(p, call(SYS_openat, 0, 0, O_RDONLY)).value, SECCOMP_RET_ALLOW);
}

TEST(SeccompFilter, ScratchMemoryAluAndIndexRegister) {
    // (nr * 2 + 6) stored, reloaded through X and compared: A == X.
    const Prog p = {
        stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        stmt(BPF_ALU | BPF_MUL | BPF_K, 2),
        stmt(BPF_ALU | BPF_ADD | BPF_K, 6),
        stmt(BPF_ST, 3),
        stmt(BPF_LDX | BPF_MEM, 3),
        stmt(BPF_LD | BPF_IMM, 26),
        jump(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 1),
        stmt(BPF_RET | BPF_K, SECCOMP_RET_TRACE | 7),
        stmt(BPF_MISC | BPF_TXA, 0),
        stmt(BPF_RET | BPF_A, 0),
    };
    EXPECT_EQ(run_filter(p, call(10)).value, SECCOMP_RET_TRACE | 7) << "10 * 2 + 6 == 26";
    EXPECT_EQ(run_filter(p, call(11)).value, 28u) << "RET A returns A (here X: 28)";
}

TEST(SeccompFilter, DivisionByZeroInXEndsWithKillThread) {
    const Prog p = {
        stmt(BPF_LD | BPF_IMM, 100),
        stmt(BPF_LDX | BPF_IMM, 0),
        stmt(BPF_ALU | BPF_DIV | BPF_X, 0),
        stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    const FilterRun r = run_filter(p, call(1));
    ASSERT_TRUE(r.valid);
    EXPECT_EQ(r.value, SECCOMP_RET_KILL_THREAD);
}

// Whether the kernel loads `prog` (in a child: a loaded filter stays).
bool kernel_accepts(const Prog& prog) {
    const pid_t child = fork();
    if (child == 0) {
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(2);
        sock_fprog fp{static_cast<unsigned short>(prog.size()), const_cast<sock_filter*>(prog.data())};
        _exit(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) == 0 ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(SeccompFilter, ProgramsTheKernelRefusesAreNotEvaluated) {
    const sock_filter ret = stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    const std::vector<std::pair<const char*, Prog>> bad = {
        {"empty", {}},
        {"no return at the end", {stmt(BPF_LD | BPF_IMM, 1)}},
        {"load past seccomp_data", {stmt(BPF_LD | BPF_W | BPF_ABS, sizeof(seccomp_data)), ret}},
        {"unaligned load", {stmt(BPF_LD | BPF_W | BPF_ABS, 2), ret}},
        {"half-word load", {stmt(BPF_LD | BPF_H | BPF_ABS, 0), ret}},
        {"MOD is not allowed", {stmt(BPF_ALU | BPF_MOD | BPF_K, 3), ret}},
        {"division by constant 0", {stmt(BPF_ALU | BPF_DIV | BPF_K, 0), ret}},
        {"shift by 32", {stmt(BPF_ALU | BPF_LSH | BPF_K, 32), ret}},
        {"jump past the end", {jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), ret}},
        {"JA past the end", {stmt(BPF_JMP | BPF_JA, 1), ret}},
        {"scratch word 16", {stmt(BPF_ST, 16), ret}},
        {"load before store", {stmt(BPF_LD | BPF_MEM, 2), ret}},
        {"stored on one path only",
         {jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), stmt(BPF_ST, 1), stmt(BPF_LD | BPF_MEM, 1), ret}},
    };
    for (const auto& [what, prog] : bad) {
        const FilterRun r = run_filter(prog, call(0));
        EXPECT_FALSE(r.valid) << what;
        EXPECT_FALSE(r.error.empty()) << what;
        EXPECT_FALSE(kernel_accepts(prog)) << what << ": the kernel loads it";
    }
    EXPECT_TRUE(kernel_accepts(deny(SYS_mkdirat, SECCOMP_RET_ERRNO | EPERM)));
    EXPECT_TRUE(run_filter(Prog(BPF_MAXINSNS, ret), call(0)).valid);
    EXPECT_FALSE(run_filter(Prog(BPF_MAXINSNS + 1, ret), call(0)).valid);
}

TEST(SeccompFilter, StackedFiltersLowestActionWinsNewestOnATie) {
    const Prog eperm = deny(SYS_mkdirat, SECCOMP_RET_ERRNO | EPERM);
    const Prog eacces = deny(SYS_mkdirat, SECCOMP_RET_ERRNO | EACCES);
    const Prog trace = deny(SYS_mkdirat, SECCOMP_RET_TRACE | 1);
    const Prog kill = deny(SYS_mkdirat, SECCOMP_RET_KILL_PROCESS);
    const Prog allow = {stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};

    Decision d = decide({trace, eperm, allow}, call(SYS_mkdirat));
    ASSERT_TRUE(d.valid);
    EXPECT_EQ(d.value, SECCOMP_RET_ERRNO | EPERM) << "ERRNO is lower than TRACE";
    EXPECT_EQ(d.filter, 1u);

    d = decide({eperm, eacces}, call(SYS_mkdirat));
    EXPECT_EQ(d.value, SECCOMP_RET_ERRNO | EACCES) << "a tie keeps the newest filter's errno";
    EXPECT_EQ(d.filter, 1u);

    d = decide({kill, eperm, trace}, call(SYS_mkdirat));
    EXPECT_EQ(d.value, SECCOMP_RET_KILL_PROCESS) << "KILL_PROCESS is the lowest (signed compare)";
    EXPECT_EQ(d.filter, 0u);

    d = decide({allow, trace}, call(SYS_openat));
    EXPECT_EQ(d.value, SECCOMP_RET_ALLOW);
    EXPECT_FALSE(d.filter) << "nothing beat ALLOW";
    EXPECT_FALSE(decide({allow, {}}, call(0)).valid) << "one filter that cannot be run: no verdict";
}

TEST(SeccompFilter, ActionText) {
    EXPECT_EQ(action_text(SECCOMP_RET_ALLOW), "ALLOW");
    EXPECT_EQ(action_text(SECCOMP_RET_ERRNO | EACCES), "ERRNO(13)");
    EXPECT_EQ(action_text(SECCOMP_RET_ERRNO | 0xffff), "ERRNO(4095)");
    EXPECT_EQ(action_text(SECCOMP_RET_KILL_PROCESS), "KILL_PROCESS");
    EXPECT_EQ(action_text(SECCOMP_RET_KILL_THREAD), "KILL_THREAD");
    EXPECT_EQ(action_text(SECCOMP_RET_TRAP | 3), "TRAP(3)");
    EXPECT_EQ(action_text(SECCOMP_RET_TRACE | 9), "TRACE(9)");
    EXPECT_EQ(action_text(SECCOMP_RET_USER_NOTIF), "USER_NOTIF");
    EXPECT_EQ(action_text(SECCOMP_RET_LOG), "LOG");
    EXPECT_EQ(action_text(0x12340000), "KILL_PROCESS (unknown action 0x12340000)");
    EXPECT_TRUE(allows(SECCOMP_RET_LOG));
    EXPECT_FALSE(allows(SECCOMP_RET_TRACE));
}

// The errno a child gets from `nr` under `filters` (loaded for real), or
// from the call itself when they allow it. The path never exists, so an
// allowed mkdir fails ENOENT.
int kernel_errno(const std::vector<Prog>& filters, long nr) {
    int pipefd[2];
    if (pipe(pipefd) != 0) return -1;
    const pid_t child = fork();
    if (child == 0) {
        close(pipefd[0]);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(2);
        for (const Prog& p : filters) {
            sock_fprog fp{static_cast<unsigned short>(p.size()), const_cast<sock_filter*>(p.data())};
            if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) != 0) _exit(3);
        }
        const char* path = "/nonexistent-fdscope-dir/x";
        long rc = nr == SYS_mkdirat ? syscall(SYS_mkdirat, AT_FDCWD, path, 0700)
#ifdef SYS_mkdir
                : nr == SYS_mkdir ? syscall(SYS_mkdir, path, 0700)
#endif
                : syscall(SYS_unlinkat, AT_FDCWD, path, 0);
        const int err = rc == 0 ? 0 : errno;
        if (write(pipefd[1], &err, sizeof err) != sizeof err) _exit(4);
        _exit(0);
    }
    close(pipefd[1]);
    int err = -1;
    if (read(pipefd[0], &err, sizeof err) != sizeof err) err = -1;
    close(pipefd[0]);
    int status = 0;
    waitpid(child, &status, 0);
    return err;
}

TEST(SeccompFilter, AgreesWithTheKernel) {
    if (kArch == 0) GTEST_SKIP() << "no AUDIT_ARCH constant for this architecture in the test";
    const std::vector<Prog> filters = {
        deny(SYS_mkdirat, SECCOMP_RET_ERRNO | EPERM),
        deny(SYS_unlinkat, SECCOMP_RET_ERRNO | EROFS),
        deny(SYS_mkdirat, SECCOMP_RET_ERRNO | EACCES),
    };
    std::vector<long> calls = {SYS_mkdirat, SYS_unlinkat};
#ifdef SYS_mkdir
    calls.push_back(SYS_mkdir);  // glibc's mkdir(): the legacy number, which these filters miss
#endif
    for (long nr : calls) {
        const Decision d = decide(filters, call(static_cast<int>(nr)));
        ASSERT_TRUE(d.valid) << d.error;
        const int predicted = allows(d.value) ? ENOENT : static_cast<int>(d.value & SECCOMP_RET_DATA);
        EXPECT_EQ(kernel_errno(filters, nr), predicted) << "syscall " << nr << ": " << action_text(d.value);
    }
}

}  // namespace
}  // namespace fdscope::report::why
