// The SELinux and AppArmor adapters on recorded library answers: this
// machine has neither LSM, so the live path can only be skipped.
#include "why/lsm_adapters.hpp"

#include <gtest/gtest.h>
#include <sys/apparmor.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>

namespace fdscope::why {
namespace {

struct Recorded {
    std::string tcon = "system_u:object_r:shadow_t:s0";
    int context_error = 0;
    bool allowed = false, permissive = false;
    std::vector<std::string> perms_asked;
    std::string tclass_asked;
};

SelinuxLibrary recorded(Recorded& r) {
    SelinuxLibrary lib;
    lib.file_context = [&](const std::string&, std::string& con) {
        con = r.tcon;
        return r.context_error;
    };
    lib.compute = [&](const std::string&, const std::string&, const std::string& tclass,
                      const std::vector<std::string>& perms, bool& allowed, bool& permissive) {
        r.tclass_asked = tclass;
        r.perms_asked = perms;
        allowed = r.allowed;
        permissive = r.permissive;
        return 0;
    };
    return lib;
}

TEST(LsmAdapters, SelinuxDenialNamesBothContextsAndTheClass) {
    Recorded r;
    std::string err;
    auto a = selinux_answer(recorded(r), "system_u:system_r:httpd_t:s0", "/etc/shadow", S_IFREG | 0640,
                            *lsm_ask(Operation{}), err);
    ASSERT_TRUE(a) << err;
    EXPECT_FALSE(a->allowed);
    EXPECT_EQ(a->error, EACCES);
    EXPECT_EQ(r.tclass_asked, "file");
    EXPECT_EQ(r.perms_asked, (std::vector<std::string>{"read", "open"}));
    EXPECT_NE(a->detail.find("scontext=system_u:system_r:httpd_t:s0 tcontext=system_u:object_r:shadow_t:s0"),
              std::string::npos);
    EXPECT_NE(a->fix.find("allow system_u:system_r:httpd_t:s0"), std::string::npos);
}

TEST(LsmAdapters, SelinuxPermissiveIsAllowedAndSaysSo) {
    Recorded r;
    r.permissive = true;
    std::string err;
    Operation op;
    op.open.write = true;
    op.open.append = true;
    auto a = selinux_answer(recorded(r), "u:r:t:s0", "/var/log/x", S_IFREG | 0644, *lsm_ask(op), err);
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->allowed);
    EXPECT_TRUE(a->permissive);
    EXPECT_EQ(r.perms_asked, (std::vector<std::string>{"append", "open"}));
    EXPECT_NE(a->detail.find("permissive"), std::string::npos);
}

TEST(LsmAdapters, SelinuxWithoutAnAnswerSaysWhy) {
    Recorded r;
    r.context_error = ENODATA;
    std::string err;
    EXPECT_FALSE(selinux_answer(recorded(r), "u:r:t:s0", "/x", S_IFDIR | 0755, LsmAsk{.search = true}, err));
    EXPECT_NE(err.find("/x"), std::string::npos);
    EXPECT_FALSE(selinux_answer(recorded(r), "", "/x", S_IFREG, LsmAsk{.read = true}, err));
    EXPECT_NE(err.find("context"), std::string::npos);
    EXPECT_EQ(selinux_class(S_IFCHR), "chr_file");
    EXPECT_EQ(selinux_class(S_IFDIR), "dir");
}

TEST(LsmAdapters, AppArmorAsksWithTheProfileAndTheMask) {
    std::uint32_t mask_asked = 0;
    std::string label_asked;
    AppArmorLibrary lib;
    lib.query_file = [&](std::uint32_t mask, const std::string& label, const std::string&, bool& allowed) {
        mask_asked = mask;
        label_asked = label;
        allowed = false;
        return 0;
    };
    std::string err;
    Operation op;
    op.op = Op::Exec;
    auto a = apparmor_answer(lib, "/usr/sbin/nginx (enforce)\n", "/srv/tool", *lsm_ask(op), err);
    ASSERT_TRUE(a) << err;
    EXPECT_EQ(label_asked, "/usr/sbin/nginx");
    EXPECT_EQ(mask_asked, static_cast<std::uint32_t>(AA_MAY_EXEC));
    EXPECT_FALSE(a->allowed);
    EXPECT_NE(a->fix.find("aa-complain /usr/sbin/nginx"), std::string::npos);
    // Unconfined processes are not asked.
    a = apparmor_answer(lib, "unconfined\n", "/srv/tool", *lsm_ask(op), err);
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->allowed);
}

TEST(LsmAdapters, OnlyActiveModulesAreAsked) {
    Facts f;
    f.operation.path = "/etc/hostname";
    f.walk.complete = true;
    f.walk.steps.push_back(Step{"/etc/hostname", "hostname", {}, Inode{}, 0, true, false, 0});
    f.lsm.active = {"lockdown", "capability", "landlock", "bpf"};
    Recorded r;
    int asked = 0;
    AppArmorLibrary aa;
    aa.query_file = [&](std::uint32_t, const std::string&, const std::string&, bool& allowed) {
        ++asked;
        allowed = true;
        return 0;
    };
    ask_lsms(f, recorded(r), aa);
    EXPECT_TRUE(f.lsm.answers.empty());
    f.lsm.active.push_back("apparmor");
    f.subject.lsm_label = "profile (enforce)";
    ask_lsms(f, recorded(r), aa);
    EXPECT_EQ(asked, 1);
    ASSERT_EQ(f.lsm.answers.size(), 1u);
    EXPECT_EQ(f.lsm.answers[0].lsm, "apparmor");
}

TEST(LsmAdapters, LiveModulesWhereTheMachineHasThem) {
    std::ifstream in("/sys/kernel/security/lsm");
    std::string list;
    std::getline(in, list);
    if (list.find("selinux") == std::string::npos && list.find("apparmor") == std::string::npos)
        GTEST_SKIP() << "neither SELinux nor AppArmor is active here (" << (list.empty() ? "securityfs not mounted" : list)
                     << "): the adapters are tested on recorded answers above";
    Facts f;
    f.operation.path = "/etc/hostname";
    f.walk.complete = true;
    Inode i;
    i.mode = S_IFREG | 0644;
    f.walk.steps.push_back(Step{"/etc/hostname", "hostname", {}, i, 0, true, false, 0});
    for (std::size_t at = 0; at <= list.size();) {
        const std::size_t comma = std::min(list.find(',', at), list.size());
        f.lsm.active.push_back(list.substr(at, comma - at));
        at = comma + 1;
    }
    std::ifstream attr("/proc/self/attr/current");
    std::getline(attr, f.subject.lsm_label);
    ask_lsms(f, real_selinux(), real_apparmor());
    EXPECT_FALSE(f.lsm.answers.empty() && f.unreadable.empty());
}

}  // namespace
}  // namespace fdscope::why
