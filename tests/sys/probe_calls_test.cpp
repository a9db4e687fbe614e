// The raw-syscall wrappers the probe uses: capability sets, seccomp filter
// loading, execveat(AT_EXECVE_CHECK). Each changing call runs in a forked
// child, which reports through its exit status.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <string>

#include "sys/capability_sets.hpp"
#include "sys/execve_check.hpp"
#include "sys/seccomp_load.hpp"

namespace fdscope::sys {
namespace {

// The exit status of `body` run in a child (255 when it was killed).
int in_child(const std::function<int()>& body) {
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(body());
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

TEST(CapabilitySets, RoundTripAndDrop) {
    CapabilitySets now;
    ASSERT_EQ(get_own_capabilities(now), 0);
    EXPECT_EQ(set_own_capabilities(now), 0);
    EXPECT_EQ(in_child([] {
                  CapabilitySets c;
                  if (get_own_capabilities(c) != 0) return 1;
                  c.effective = 0;
                  if (set_own_capabilities(c) != 0) return 2;
                  CapabilitySets after;
                  if (get_own_capabilities(after) != 0 || after.effective != 0) return 3;
                  // Permitted cannot grow back once dropped.
                  c.permitted = 0;
                  if (set_own_capabilities(c) != 0) return 4;
                  c.permitted = 1;
                  return set_own_capabilities(c) == EPERM ? 0 : 5;
              }),
              0);
}

TEST(SeccompLoad, AFilterAnswersAndABadOneIsRefused) {
    EXPECT_EQ(in_child([] {
                  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return 1;
                  if (load_seccomp_filter({}) != EINVAL) return 2;
                  sock_filter prog[] = {
                      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
                      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
                      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
                      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                  };
                  if (load_seccomp_filter(prog) != 0) return 3;
                  return ::syscall(SYS_getppid) < 0 && errno == EPERM ? 0 : 4;
              }),
              0);
}

TEST(SeccompLoad, StrictModeKills) {
    EXPECT_EQ(in_child([] {
                  if (enter_seccomp_strict() != 0) return 1;
                  ::syscall(SYS_getppid);
                  return 2;
              }),
              255);
}

TEST(ExecveCheck, AnswersWithoutExecuting) {
    if (!kernel_has_execve_check()) GTEST_SKIP() << "this kernel has no execveat(AT_EXECVE_CHECK) (Linux >= 6.14)";
    EXPECT_EQ(execve_check("/bin/true"), 0);
    EXPECT_EQ(execve_check("/nonexistent/fdscope"), ENOENT);
    EXPECT_EQ(execve_check("/etc/passwd"), EACCES);    // no x bit, even for root
    EXPECT_EQ(execve_check("/etc"), EACCES);           // a directory
}

}  // namespace
}  // namespace fdscope::sys
