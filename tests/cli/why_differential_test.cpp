// `fdscope why` against independent tools: the components of its walk
// against `namei -l` (util-linux), and its verdicts for a user against
// faccessat2(AT_EACCESS) made by a child with that user's credentials.
#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <regex>

#include "cli/why_helpers.hpp"

namespace fdscope::test {
namespace {

struct Component {
    std::string name, mode, owner, group;
    bool operator==(const Component&) const = default;
};

std::string show(const std::vector<Component>& v) {
    std::string s;
    for (const auto& c : v) s += c.mode + " " + c.owner + " " + c.group + " " + c.name + "\n";
    return s;
}

// namei -l prints "MODE OWNER GROUP NAME[ -> TARGET]" per component, the
// components of a link's target indented below it.
std::vector<Component> namei_components(const std::string& out) {
    static const std::regex line(R"(^\s*([-dlcbps][-rwxsStT]{9}) (\S+) (\S+) +(.*)$)");
    std::vector<Component> v;
    for (const auto& l : split_lines(out)) {
        std::smatch m;
        if (!std::regex_match(l, m, line)) continue;
        std::string name = m[4];
        if (const auto arrow = name.find(" -> "); arrow != std::string::npos) name.resize(arrow);
        v.push_back({name, m[1], m[2], m[3]});
    }
    return v;
}

// fdscope's walk, in its order: the "path" check of each component it
// looked up ("directory drwx------ root:root, ...") and the search check
// of "/" wherever the walk starts at the root.
std::vector<Component> why_components(const nlohmann::json& doc) {
    static const std::regex typed(R"(^[a-z ]+ ([-dlcbps][-rwxsStT]{9}) ([^:\s]+):([^,\s]+).*)");
    static const std::regex root(R"(^([-dlcbps][-rwxsStT]{9}) ([^:\s]+):([^,;\s]+).*)");
    std::vector<Component> v;
    for (const auto& c : doc["checks"]) {
        const std::string path = c["path"], detail = c["detail"];
        std::smatch m;
        if (c["layer"] == "search" && path == "/" && std::regex_match(detail, m, root)) {
            v.push_back({"/", m[1], m[2], m[3]});
        } else if (c["layer"] == "path" && std::regex_match(detail, m, typed)) {
            v.push_back({path.substr(path.rfind('/') + 1), m[1], m[2], m[3]});
        }
    }
    return v;
}

TEST(WhyDifferential, WalkComponentsMatchNamei) {
    if (!have_tool("namei")) GTEST_SKIP() << "namei (util-linux) is not installed";
    Scratch s;
    s.dir("a", 0700);
    s.dir("a/b", 0751);
    s.file("a/b/f", 0640);
    ASSERT_EQ(::symlink("a/b", (s / "rel").c_str()), 0);
    ASSERT_EQ(::symlink("/usr/bin", (s / "abs").c_str()), 0);
    for (const std::string& path : {s / "a/b/f", s / "rel/f", s / "abs/env", std::string("/usr/bin/env")}) {
        const RunResult n = run({"namei", "-l", path});
        ASSERT_EQ(n.status, 0) << path << ": " << n.out << n.err;
        const WhyRun w = why_json({"open", path, "-v"});
        EXPECT_EQ(w.doc["verdict"], "allowed") << w.out;
        const auto theirs = namei_components(n.out);
        const auto ours = why_components(w.doc);
        ASSERT_FALSE(theirs.empty()) << n.out;
        EXPECT_EQ(ours, theirs) << path << "\nfdscope:\n" << show(ours) << "namei:\n" << show(theirs);
    }
}

// A chain of `n` symlinks l1 -> target, l2 -> l1, ...: the path of the last.
std::string link_chain(const Scratch& s, int n) {
    s.file("target", 0644);
    std::string prev = "target";
    for (int i = 1; i <= n; ++i) {
        const std::string name = "l" + std::to_string(i);
        if (::symlink(prev.c_str(), (s / name).c_str()) != 0 && errno != EEXIST) return {};
        prev = name;
    }
    return s / prev;
}

TEST(WhyDifferential, NameiGivesUpAtTwentyLinksTheKernelAtForty) {
    if (!have_tool("namei")) GTEST_SKIP() << "namei (util-linux) is not installed";
    Scratch s;
    const std::string l30 = link_chain(s, 30);
    ASSERT_FALSE(l30.empty());
    RunResult n = run({"namei", "-l", l30});
    EXPECT_NE(n.status, 0) << n.out;
    EXPECT_NE((n.out + n.err).find("exceeded limit"), std::string::npos) << n.out << n.err;
    WhyRun w = why_json({"open", l30});
    EXPECT_EQ(w.status, 0) << w.out << w.err;
    EXPECT_EQ(w.doc["verdict"], "allowed") << w.out;
    ASSERT_FALSE(w.doc["tried"].is_null()) << w.out;
    EXPECT_EQ(w.doc["tried"]["agrees"], true) << w.out;

    const std::string l41 = link_chain(s, 41);
    ASSERT_FALSE(l41.empty());
    w = why_json({"open", l41});
    EXPECT_EQ(w.status, 1) << w.out << w.err;
    EXPECT_EQ(w.doc["layer"], "path") << w.out;
    EXPECT_EQ(w.doc["errno"], "ELOOP") << w.out;
    ASSERT_FALSE(w.doc["tried"].is_null()) << w.out;
    EXPECT_EQ(w.doc["tried"]["agrees"], true) << w.out;
}

struct Credentials {
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;
};

std::optional<Credentials> login_of(const char* user) {
    const passwd* pw = ::getpwnam(user);
    if (!pw) return std::nullopt;
    Credentials c{pw->pw_uid, pw->pw_gid, std::vector<gid_t>(64)};
    int n = static_cast<int>(c.groups.size());
    if (::getgrouplist(user, pw->pw_gid, c.groups.data(), &n) < 0) return std::nullopt;
    c.groups.resize(static_cast<std::size_t>(n));
    return c;
}

// faccessat2(path, mode, AT_EACCESS) in a child that took `c` as its
// real, effective and saved ids: 0 or the errno.
int access_as(const Credentials& c, const std::string& path, int mode) {
    const pid_t pid = ::fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        if (::setgroups(c.groups.size(), c.groups.data()) != 0 || ::setresgid(c.gid, c.gid, c.gid) != 0 ||
            ::setresuid(c.uid, c.uid, c.uid) != 0)
            ::_exit(255);
        const long r = ::syscall(SYS_faccessat2, AT_FDCWD, path.c_str(), mode, AT_EACCESS);
        ::_exit(r == 0 ? 0 : errno);
    }
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST(WhyDifferential, VerdictsForAUserMatchFaccessat2) {
    REQUIRE_ROOT();
    if (!have_tool("setfacl")) GTEST_SKIP() << "setfacl (package acl) is not installed";
    const auto nobody = login_of("nobody");
    if (!nobody) GTEST_SKIP() << "no user nobody here";
    const gid_t group = nobody->gid;
    Scratch s;
    s.dir("open", 0755);
    s.dir("search_only", 0711);
    s.dir("closed", 0700);
    s.dir("group_dir", 0750);
    ASSERT_EQ(::chown((s / "group_dir").c_str(), 0, group), 0);
    s.dir("acl_dir", 0700);
    ASSERT_EQ(run({"setfacl", "-m", "u:nobody:x", s / "acl_dir"}).status, 0);

    struct Case {
        std::string rel;
        mode_t mode;
        uid_t uid;
        gid_t gid;
        std::string acl;  // setfacl -m, or ""
    };
    const std::vector<Case> cases = {
        {"open/0644", 0644, 0, 0, ""},
        {"open/0600", 0600, 0, 0, ""},
        {"open/0666", 0666, 0, 0, ""},
        {"open/0000", 0000, 0, 0, ""},
        {"open/group_rw", 0660, 0, group, ""},
        {"open/group_empty_other_rw", 0606, 0, group, ""},  // the group bits decide: nothing
        {"open/owner_empty", 0066, nobody->uid, 0, ""},    // the owner bits decide: nothing
        {"open/owner_r", 0466, nobody->uid, 0, ""},
        {"open/other_w", 0602, 0, 0, ""},
        {"search_only/0644", 0644, 0, 0, ""},
        {"closed/0644", 0644, 0, 0, ""},
        {"group_dir/0644", 0644, 0, 0, ""},
        {"acl_dir/0644", 0644, 0, 0, ""},
        {"open/acl_user_r", 0600, 0, 0, "u:nobody:r"},
        {"open/acl_user_rw_mask_r", 0600, 0, 0, "u:nobody:rw,m::r"},
        {"open/acl_user_none", 0666, 0, 0, "u:nobody:---"},
        {"open/acl_group_rw", 0600, 0, 0, "g:" + std::to_string(group) + ":rw"},
        {"open/acl_mask_empty_other_r", 0600, 0, 0, "u:nobody:rwx,m::---,o::r"},
        {"open/acl_other_group_only", 0604, 0, 0, "g:root:rw"},
    };
    for (const Case& c : cases) {
        const std::string path = s.file(c.rel, c.mode);
        ASSERT_EQ(::chown(path.c_str(), c.uid, c.gid), 0) << path;
        ASSERT_EQ(::chmod(path.c_str(), c.mode), 0) << path;
        if (!c.acl.empty()) {
            ASSERT_EQ(run({"setfacl", "-m", c.acl, path}).status, 0) << c.acl;
        }
        for (const bool write : {false, true}) {
            const int kernel = access_as(*nobody, path, write ? W_OK : R_OK);
            ASSERT_GE(kernel, 0) << "the child could not take nobody's credentials";
            std::vector<std::string> args{"open", path, "-u", "nobody"};
            if (write) args.push_back("--write");
            const WhyRun w = why_json(args);
            const std::string what = c.rel + (write ? " (write)" : " (read)");
            EXPECT_EQ(w.doc["verdict"], kernel == 0 ? "allowed" : "denied")
                << what << ": faccessat2 says " << (kernel == 0 ? "0" : std::strerror(kernel)) << "\n" << w.out;
            if (kernel == EACCES) {
                EXPECT_EQ(w.doc["errno"], "EACCES") << what << ": " << w.out;
            }
        }
    }
}

}  // namespace
}  // namespace fdscope::test
