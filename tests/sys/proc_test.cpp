// The /proc helpers: names, reads and the errno that says "gone".
#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <string>
#include <unistd.h>
#include <vector>

#include "sys/clock.hpp"
#include "sys/kcmp.hpp"
#include "sys/proc_io.hpp"
#include "sys/proc_path.hpp"

namespace fdscope::sys {
namespace {

TEST(ProcPath, ANumberAlone) {
    EXPECT_STREQ(ProcPath(0).text, "0");
    EXPECT_STREQ(ProcPath(4194304).text, "4194304");
}

TEST(ProcPath, AProcessEntry) { EXPECT_STREQ(ProcPath(42, 0, "fd").text, "42/fd"); }

TEST(ProcPath, AThreadEntry) { EXPECT_STREQ(ProcPath(42, 43, "fdinfo").text, "42/task/43/fdinfo"); }

TEST(ProcPath, ATooLongRestIsCut) {
    const std::string rest(200, 'x');
    const ProcPath p(1, 0, rest.c_str());
    EXPECT_EQ(std::string(p.text), "1/" + std::string(sizeof p.text - 3, 'x'));
}

TEST(ProcPath, NamesWhatProcHas) {
    int err = 0;
    UniqueFd proc = open_dir(AT_FDCWD, "/proc", err);
    ASSERT_TRUE(proc) << err;
    std::string text;
    EXPECT_EQ(read_file_at(proc.get(), ProcPath(::getpid(), ::gettid(), "comm").text, text, ReadMode::SingleRecord), 0);
    EXPECT_FALSE(text.empty());
}

TEST(ProcIo, ListsOurOwnFds) {
    const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    int err = 0;
    UniqueFd dir = open_dir(AT_FDCWD, "/proc/self/fd", err);
    ASSERT_TRUE(dir) << err;
    std::vector<std::int32_t> fds;
    EXPECT_EQ(list_numeric(dir.get(), fds), 0);
    EXPECT_NE(std::find(fds.begin(), fds.end(), fd), fds.end());
    ::close(fd);
}

TEST(ProcIo, ReadlinkOfAnFd) {
    const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    std::string target;
    EXPECT_EQ(readlink_at(AT_FDCWD, ("/proc/self/fd/" + std::to_string(fd)).c_str(), target), 0);
    EXPECT_EQ(target, "/dev/null");
    ::close(fd);
}

TEST(ProcIo, AMissingProcessIsGoneARefusalIsNot) {
    int err = 0;
    EXPECT_FALSE(open_dir(AT_FDCWD, "/proc/999999999", err));
    EXPECT_TRUE(gone(err));
    EXPECT_TRUE(gone(ESRCH));
    EXPECT_FALSE(gone(EACCES));
    EXPECT_FALSE(gone(EPERM));
}

TEST(Kcmp, AnFdIsItsOwnDescriptionAndADupToo) {
    const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    const int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    const KcmpResult same = kcmp_files(::getpid(), fd, ::getpid(), dup);
    if (same == KcmpResult::Denied) GTEST_SKIP() << "kcmp is not permitted here";
    EXPECT_EQ(same, KcmpResult::Equal);
    EXPECT_EQ(kcmp_fd_tables(::getpid(), ::getpid()), KcmpResult::Equal);
    ::close(dup);
    EXPECT_EQ(kcmp_files(::getpid(), fd, ::getpid(), dup), KcmpResult::Unknown);  // closed since
    ::close(fd);
}

TEST(Clock, WallTimeIsNowMonotonicTimeNeverGoesBack) {
    EXPECT_NEAR(unix_now(), static_cast<double>(::time(nullptr)), 2.0);
    const double a = now_monotonic(), b = now_monotonic();
    EXPECT_LE(a, b);
}

}  // namespace
}  // namespace fdscope::sys
