// The library never changes what a wrapped call returns or the errno it
// leaves: errno_calls makes every wrapped entry point fail (and succeed)
// once and prints return values, errno and fd numbers; the output with the
// library, in each of its modes, is byte for byte the output without it.
#include <gtest/gtest.h>
#include <sstream>
#include <sys/resource.h>

#include "preload/preload_helpers.hpp"
#include "support/support.hpp"

namespace fdscope::test {
namespace {

using preload::preload_env;
using preload::preload_fixture;

RunResult run_errno(const std::vector<std::string>& env) {
    // The fixture closes whatever fds above 2 it inherits; stdin is /dev/null.
    return run({preload_fixture("errno_calls")}, env);
}

const RunResult& native() {
    static const RunResult r = run_errno({"-LD_PRELOAD"});
    return r;
}

TEST(PreloadErrno, FixtureProvokesEachFailure) {
    const RunResult& r = native();
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("table: no"), std::string::npos) << r.err;
    // The fixture is only a proof if the calls fail as intended.
    for (const char* want : {
             "open-enoent ret=-1 errno=ENOENT", "open-eexist ret=-1 errno=EEXIST", "open-ok ret=3 errno=unchanged", "openat-ebadf ret=-1 errno=EBADF",
             "__open_2-enoent ret=-1 errno=ENOENT", "__openat64_2-ebadf ret=-1 errno=EBADF",
             "creat-eisdir ret=-1 errno=EISDIR", "fopen-einval ret=0 errno=EINVAL", "fopen-enoent ret=0 errno=ENOENT",
             "freopen-enoent ret=0 errno=ENOENT", "fdopen-ebadf ret=0 errno=EBADF", "fclose-ebadf ret=-1 errno=EBADF",
             "opendir-enotdir ret=0 errno=ENOTDIR", "fdopendir-ebadf ret=0 errno=EBADF",
             "closedir-ebadf ret=-1 errno=EBADF", "socket-eafnosupport ret=-1 errno=EAFNOSUPPORT",
             "socketpair-eopnotsupp ret=-1 errno=EOPNOTSUPP", "accept-enotsock ret=-1 errno=ENOTSOCK",
             "accept4-einval ret=-1 errno=EINVAL", "accept-eagain ret=-1 errno=EAGAIN",
             "recvmsg-ok fd=6 ctrunc=0 ret=1", "recvmmsg-ok fd=6 ctrunc=0 ret=1", "pipe2-einval ret=-1 errno=EINVAL",
             "dup2-ebadf-old ret=-1 errno=EBADF", "dup3-einval-same ret=-1 errno=EINVAL",
             "fcntl-dupfd-ok ret=10 errno=unchanged", "fcntl-dupfd-cloexec-ok ret=20 errno=unchanged",
             "fcntl-setfd-ebadf ret=-1 errno=EBADF", "eventfd-einval ret=-1 errno=EINVAL",
             "signalfd-ebadf ret=-1 errno=EBADF", "timerfd_create-einval ret=-1 errno=EINVAL",
             "epoll_create-einval ret=-1 errno=EINVAL", "inotify_init1-einval ret=-1 errno=EINVAL",
             "fanotify_init-einval ret=-1 errno=EINVAL", "memfd_create-einval ret=-1 errno=EINVAL",
             "pidfd_open-esrch ret=-1 errno=ESRCH", "close-ebadf ret=-1 errno=EBADF",
             "close_range-einval-order ret=-1 errno=EINVAL", "fcntl-after-close_range ret=-1 errno=EBADF",
             "syscall-openat-enoent ret=-1 errno=ENOENT", "syscall-close-ebadf ret=-1 errno=EBADF",
             "syscall-enosys ret=-1 errno=ENOSYS", "posix_spawn-enoent ret=2 errno=", "posix_spawn-action-enoent ret=2",
             "posix_spawn-ok ret=0", "popen-einval ret=0 errno=EINVAL", "popen-read popen-output",
             "pclose-status ret=768", "execve-enoent ret=-1 errno=ENOENT", "execve-eacces ret=-1 errno=EACCES",
             "fexecve-ebadf ret=-1 errno=EBADF", "emfile-open ret=-1 errno=EMFILE", "emfile-fopen ret=0 errno=EMFILE",
             "emfile-opendir ret=0 errno=EMFILE", "emfile-socketpair ret=-1 errno=EMFILE",
             "emfile-accept ret=-1 errno=EMFILE", "emfile-pipe ret=-1 errno=EMFILE",
             "emfile-dup2-beyond ret=-1 errno=EBADF", "emfile-fcntl-dupfd-beyond ret=-1 errno=EINVAL",
             "emfile-eventfd ret=-1 errno=EMFILE", "emfile-memfd_create ret=-1 errno=EMFILE",
             "emfile-pidfd_open ret=-1 errno=EMFILE", "emfile-recvmsg fd=-1 ctrunc=1 ret=1",
             "emfile-freopen ret=0 errno=EMFILE", "final-open ret=3 errno=unchanged"}) {
        EXPECT_NE(r.out.find(want), std::string::npos) << "missing: " << want << "\n" << r.out;
    }
}

// Same bytes: return values, errno (left alone on success too) and fd numbers.
void expect_same_as_native(const std::vector<std::string>& settings) {
    const RunResult& plain = native();
    ASSERT_EQ(plain.status, 0) << plain.err;
    RunResult r = run_errno(preload_env(settings));
    ASSERT_EQ(r.status, 0) << r.err;
    ASSERT_NE(r.err.find("table: yes"), std::string::npos) << "the library did not load: " << r.err;
    const auto a = split_lines(plain.out), b = split_lines(r.out);
    for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
        const std::string x = i < a.size() ? a[i] : "(none)", y = i < b.size() ? b[i] : "(none)";
        EXPECT_EQ(x, y) << "line " << i + 1 << " without / with the library";
    }
}

TEST(PreloadErrno, DefaultModeLeavesEveryResultAlone) { expect_same_as_native({}); }
TEST(PreloadErrno, FramePointerStacks) { expect_same_as_native({"FDSCOPE_STACKS=fp"}); }
TEST(PreloadErrno, NoStacks) { expect_same_as_native({"FDSCOPE_STACKS=none"}); }
// libunwind makes a pipe for itself on its first unwind (in the library's
// constructor); the library moves it high and names it in its header, so
// the fixture's fd numbers stay those of the native run.
TEST(PreloadErrno, LibunwindStacks) {
    expect_same_as_native({"FDSCOPE_STACKS=libunwind"});
    const RunResult r = run_errno(preload_env({"FDSCOPE_STACKS=libunwind"}));
    const auto at = r.err.find("library-fds");
    ASSERT_NE(at, std::string::npos) << r.err;
    std::istringstream in(r.err.substr(at + 11, r.err.find('\n', at) - at - 11));
    std::vector<int> fds;
    for (int fd; in >> fd;) fds.push_back(fd);
    ASSERT_EQ(fds.size(), 2u) << "libunwind's pipe, both ends: " << r.err;
    rlimit rl{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
    for (int fd : fds) EXPECT_GE(fd, std::min<long>(static_cast<long>(rl.rlim_cur), 4096) - 64) << "placed high";
}

TEST(PreloadErrno, FramePointerStacksAddNoFd) {
    const RunResult r = run_errno(preload_env({"FDSCOPE_STACKS=fp"}));
    EXPECT_NE(r.err.find("library-fds\n"), std::string::npos) << "none of the library's own: " << r.err;
}
// Enforcement changes flags only: results, errno and numbers stay.
TEST(PreloadErrno, CloexecEverywhere) { expect_same_as_native({"FDSCOPE_CLOEXEC=1"}); }
TEST(PreloadErrno, CloexecAtExec) { expect_same_as_native({"FDSCOPE_CLOEXEC=exec"}); }

}  // namespace
}  // namespace fdscope::test
