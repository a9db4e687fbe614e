// The LSM facts: the active list, and a fanotify permission listener named.
#include "why/lsm_facts.hpp"

#include <gtest/gtest.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/mount.h>

#include <algorithm>

#include "support/support.hpp"
#include "why/forked_child.hpp"

namespace fdscope::why {
namespace {

using test::Fixture;

TEST(WhyLsmFacts, ActiveListHasCapability) {
    if (!test::is_root()) GTEST_SKIP() << "needs root to mount securityfs";
    // securityfs may not be mounted here: a child mounts it in a private
    // mount namespace and reads the list there.
    testing::ForkedChild child([]() -> std::string {
        if (::unshare(CLONE_NEWNS) != 0) return testing::failed("unshare");
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return testing::failed("make-rprivate");
        ::mount("securityfs", "/sys/kernel/security", "securityfs", 0, nullptr);  // EBUSY: already there
        std::vector<std::string> unreadable;
        std::string joined;
        for (const auto& l : read_active_lsms(unreadable)) joined += l + ",";
        return joined.empty() ? "ERR " + (unreadable.empty() ? std::string("empty") : unreadable.front()) : joined;
    });
    ASSERT_TRUE(child.ok()) << child.line();
    EXPECT_NE(child.line().find("capability,"), std::string::npos) << child.line();
}

TEST(WhyLsmFacts, AFanotifyPermissionListenerIsNamed) {
    if (!test::is_root()) GTEST_SKIP() << "fanotify_init(FAN_CLASS_CONTENT) needs CAP_SYS_ADMIN";
    Fixture fx("fanotify_perm");
    const pid_t pid = fx.facts()["pid"];
    LsmFacts lsm;
    read_lsm_listeners(lsm);
    auto it = std::find_if(lsm.fanotify_permission.begin(), lsm.fanotify_permission.end(),
                           [pid](const Holder& h) { return h.pid == pid; });
    ASSERT_NE(it, lsm.fanotify_permission.end());
    EXPECT_EQ(it->fd, fx.facts()["fd"]);
    EXPECT_EQ(it->command, "fanotify_perm");
    EXPECT_EQ(it->note.rfind("FAN_OPEN_PERM on mount ", 0), 0u) << it->note;
    EXPECT_TRUE(std::none_of(lsm.seccomp_supervisors.begin(), lsm.seccomp_supervisors.end(),
                             [pid](const Holder& h) { return h.pid == pid; }));
}

TEST(WhyLsmFacts, ASeccompSupervisorIsNamed) {
    // A filter loaded with SECCOMP_FILTER_FLAG_NEW_LISTENER hands back the
    // notification fd a supervisor answers on; here the child keeps it.
    testing::ForkedChild child([]() -> std::string {
        sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        sock_fprog prog{1, &allow};
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return testing::failed("no_new_privs");
        long fd = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
        if (fd < 0) return testing::failed("seccomp(NEW_LISTENER)");
        return std::to_string(fd);
    });
    ASSERT_TRUE(child.ok()) << child.line();
    LsmFacts lsm;
    read_lsm_listeners(lsm);
    auto it = std::find_if(lsm.seccomp_supervisors.begin(), lsm.seccomp_supervisors.end(),
                           [&](const Holder& h) { return h.pid == child.pid(); });
    ASSERT_NE(it, lsm.seccomp_supervisors.end());
    EXPECT_EQ(it->fd, std::stoi(child.line()));
    EXPECT_EQ(it->note, "seccomp user notification");
}

TEST(WhyLsmFacts, PermissionNames) {
    EXPECT_EQ(fanotify_permission_names(0x10000 | 0x40000), "FAN_OPEN_PERM|FAN_OPEN_EXEC_PERM");
    EXPECT_EQ(fanotify_permission_names(0x20000), "FAN_ACCESS_PERM");
    EXPECT_EQ(fanotify_permission_names(0x3b), "");
}

}  // namespace
}  // namespace fdscope::why
