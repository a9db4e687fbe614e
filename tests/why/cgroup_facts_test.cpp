// The subject's cgroup as the kernel's device controller and limits see it:
// a v1 devices cgroup made for the test, with a fixture moved into it.
#include "why/cgroup_facts.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/support.hpp"
#include "why/forked_child.hpp"

namespace fdscope::why {
namespace {

using testing::ForkedChild;

const char* kDevices = "/sys/fs/cgroup/devices";

bool write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
    out.flush();
    return static_cast<bool>(out);
}

// A v1 devices cgroup of our own, removed (after its last task is gone)
// when the test ends.
class DevicesCgroup {
public:
    DevicesCgroup() {
        path_ = std::string(kDevices) + "/fdscope-why-" + std::to_string(::getpid());
        made_ = ::mkdir(path_.c_str(), 0755) == 0;
    }
    ~DevicesCgroup() {
        if (made_) ::rmdir(path_.c_str());
    }
    bool made() const { return made_; }
    const std::string& path() const { return path_; }
    std::string name() const { return path_.substr(std::string(kDevices).size()); }

private:
    std::string path_;
    bool made_ = false;
};

bool devices_v1() {
    struct stat st {};
    return ::stat((std::string(kDevices) + "/devices.list").c_str(), &st) == 0;
}

TEST(WhyCgroupFacts, AV1DevicesCgroupTheSubjectIsIn) {
    if (!test::is_root()) GTEST_SKIP() << "needs root to make a cgroup";
    if (!devices_v1()) GTEST_SKIP() << "the v1 devices controller is not mounted at " << kDevices;
    DevicesCgroup cg;
    ASSERT_TRUE(cg.made());
    // Allowed: only /dev/zero (1:5); everything else refused.
    ASSERT_TRUE(write_file(cg.path() + "/devices.deny", "a"));
    ASSERT_TRUE(write_file(cg.path() + "/devices.allow", "c 1:5 rwm"));
    {
        ForkedChild child([] { return std::string("ok"); });
        ASSERT_TRUE(write_file(cg.path() + "/cgroup.procs", std::to_string(child.pid())));
        std::vector<std::string> unreadable;
        CgroupFacts f = read_cgroup_facts(child.pid(), unreadable);
        EXPECT_TRUE(f.known);
        EXPECT_TRUE(f.devices_v1);
        EXPECT_EQ(f.devices_dir, cg.path());
        EXPECT_EQ(f.devices_list, (std::vector<std::string>{"c 1:5 rwm"}));
        for (const auto& u : unreadable) EXPECT_EQ(u.find("devices"), std::string::npos) << u;
    }
}

TEST(WhyCgroupFacts, ADenyExceptionUnderDefaultAllowIsNotListed) {
    if (!test::is_root()) GTEST_SKIP() << "needs root to make a cgroup";
    if (!devices_v1()) GTEST_SKIP() << "the v1 devices controller is not mounted at " << kDevices;
    // The kernel prints only "a *:* rwm" for a default-allow cgroup, its
    // deny exceptions hidden (security/device_cgroup.c devcgroup_seq_show):
    // the list proves nothing then, and the probe has to.
    DevicesCgroup cg;
    ASSERT_TRUE(cg.made());
    ASSERT_TRUE(write_file(cg.path() + "/devices.deny", "c 1:3 rwm"));
    ForkedChild child([] { return std::string("ok"); });
    ASSERT_TRUE(write_file(cg.path() + "/cgroup.procs", std::to_string(child.pid())));
    std::vector<std::string> unreadable;
    CgroupFacts f = read_cgroup_facts(child.pid(), unreadable);
    EXPECT_EQ(f.devices_list, (std::vector<std::string>{"a *:* rwm"}));
}

TEST(WhyCgroupFacts, OurOwnCgroupReads) {
    std::vector<std::string> unreadable;
    CgroupFacts f = read_cgroup_facts(::getpid(), unreadable);
    EXPECT_TRUE(f.known);
    EXPECT_FALSE(f.path.empty());
    if (devices_v1()) {
        EXPECT_FALSE(f.devices_list.empty());
    }
}

}  // namespace
}  // namespace fdscope::why
