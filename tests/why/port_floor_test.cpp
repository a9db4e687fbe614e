// The unprivileged port floor read inside another network namespace.
#include "why/port_floor.hpp"

#include <gtest/gtest.h>
#include <sched.h>

#include "support/support.hpp"
#include "why/forked_child.hpp"

namespace fdscope::why {
namespace {

using testing::failed;
using testing::ForkedChild;

TEST(WhyPortFloor, ReadInsideTheSubjectsNamespace) {
    if (!test::is_root()) GTEST_SKIP() << "needs root for a network namespace";
    std::string error;
    const auto host = read_port_floor(0, error);
    ASSERT_TRUE(host) << error;
    // `unshare -n` and the floor set to 0 there (a fresh namespace copies
    // the init namespace's value; the host's stays).
    ForkedChild child([]() -> std::string {
        if (::unshare(CLONE_NEWNET) != 0) return failed("unshare(CLONE_NEWNET)");
        int fd = ::open("/proc/sys/net/ipv4/ip_unprivileged_port_start", O_WRONLY);
        if (fd < 0 || ::write(fd, "0\n", 2) != 2) return failed("write sysctl");
        ::close(fd);
        return "ok";
    });
    ASSERT_TRUE(child.ok()) << child.line();
    const auto inside = read_port_floor(child.pid(), error);
    ASSERT_TRUE(inside) << error;
    EXPECT_EQ(*inside, 0);
    EXPECT_EQ(read_port_floor(0, error), host);
    ASSERT_NE(*host, 0) << "the host floor is 0 already: the test proves nothing";

    Subject s;
    s.kind = SubjectKind::Process;
    s.pid = child.pid();
    Sysctls sysctls;
    std::vector<std::string> unreadable;
    gather_port_floor(s, sysctls, unreadable);
    EXPECT_EQ(sysctls.ip_unprivileged_port_start, 0);
    EXPECT_TRUE(unreadable.empty());
}

TEST(WhyPortFloor, AGoneProcessSaysWhy) {
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    ::waitpid(pid, nullptr, 0);
    std::string error;
    EXPECT_FALSE(read_port_floor(pid, error));
    EXPECT_NE(error.find("/ns/net"), std::string::npos) << error;
}

}  // namespace
}  // namespace fdscope::why
