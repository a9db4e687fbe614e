// `fdscope why` on real kernel situations: each test builds one, asks why
// as a user or a process, and checks the verdict, the layer, the path it
// names and the errno, and that the kernel (the probe) agrees.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "cli/why_helpers.hpp"

namespace fdscope::test {
namespace {

TEST(WhyCommand, SearchPermissionTwoLevelsUpIsNamed) {
    REQUIRE_ROOT();
    Scratch s;
    s.dir("a", 0700);
    s.dir("a/b", 0755);
    const std::string f = s.file("a/b/f", 0644);
    const WhyRun w = why_json({"open", f, "-u", "nobody"});
    expect_denied(w, "search", "EACCES", s / "a");
    expect_probe_agrees(w);
    EXPECT_EQ(w.doc["tried"]["errno"], "EACCES");
    // The text names the directory, its mode and owner, and a fix.
    RunResult text = run({fdscope_bin(), "why", "open", f, "-u", "nobody"});
    EXPECT_EQ(text.status, 1);
    EXPECT_NE(text.out.find("drwx------"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("Fix:"), std::string::npos) << text.out;
}

TEST(WhyCommand, AnAclEntryThatGrantsSearchAllows) {
    REQUIRE_ROOT();
    if (!have_tool("setfacl")) GTEST_SKIP() << "setfacl (package acl) is not installed";
    Scratch s;
    s.dir("a", 0700);
    const std::string f = s.file("a/f", 0644);
    ASSERT_EQ(run({"setfacl", "-m", "u:nobody:x", s / "a"}).status, 0);
    const WhyRun w = why_json({"open", f, "-u", "nobody"});
    expect_allowed(w);
    expect_probe_agrees(w);
}

TEST(WhyCommand, AnAclEntryDenyingANamedUser) {
    REQUIRE_ROOT();
    if (!have_tool("setfacl")) GTEST_SKIP() << "setfacl (package acl) is not installed";
    Scratch s;
    const std::string f = s.file("f", 0644);
    ASSERT_EQ(run({"setfacl", "-m", "u:nobody:---", f}).status, 0);
    const WhyRun w = why_json({"open", f, "-u", "nobody"});
    expect_denied(w, "acl", "EACCES", f);
    expect_probe_agrees(w);
}

TEST(WhyCommand, AnEmptyAclMaskLetsTheOtherBitsDecide) {
    REQUIRE_ROOT();
    if (!have_tool("setfacl")) GTEST_SKIP() << "setfacl (package acl) is not installed";
    Scratch s;
    const std::string f = s.file("f", 0600);
    // u:nobody:rwx with mask --- : the kernel skips the ACL (group bits
    // empty) and nobody reads through o::r.
    ASSERT_EQ(run({"setfacl", "-m", "u:nobody:rwx,m::---,o::r", f}).status, 0);
    const WhyRun w = why_json({"open", f, "-u", "nobody"});
    expect_allowed(w);
    expect_probe_agrees(w);
    const WhyRun wr = why_json({"open", f, "--write", "-u", "nobody"});
    EXPECT_EQ(wr.doc["errno"], "EACCES") << wr.out;
    expect_probe_agrees(wr);
}

TEST(WhyCommand, ImmutableAndAppendOnlyStopRootToo) {
    REQUIRE_ROOT();
    if (!have_tool("chattr")) GTEST_SKIP() << "chattr (package e2fsprogs) is not installed";
    Scratch s;
    const std::string i = s.file("i", 0644);
    const std::string a = s.file("a", 0644);
    if (run({"chattr", "+i", i}).status != 0 || run({"chattr", "+a", a}).status != 0)
        GTEST_SKIP() << "this filesystem (/tmp) does not take inode flags";
    WhyRun w = why_json({"open", i, "--write"});
    expect_denied(w, "attribute", "EPERM", i);
    expect_probe_agrees(w);
    w = why_json({"unlink", i});
    expect_denied(w, "attribute", "EPERM", i);
    w = why_json({"open", a, "--write"});
    expect_denied(w, "attribute", "EPERM", a);
    expect_probe_agrees(w);
    w = why_json({"open", a, "--write", "--append"});
    expect_allowed(w);
    expect_probe_agrees(w);
}

TEST(WhyCommand, AReadOnlyBindMountOnlyInTheProcessesNamespace) {
    REQUIRE_ROOT();
    Scratch s;
    s.dir("d", 0755);
    const std::string f = s.file("d/f", 0644);
    NamespaceHolder ns({"-m", "--propagation", "private"},
                       "mount --bind " + s / "d" + " " + s / "d" + " && mount -o remount,bind,ro " + s / "d");
    if (!ns.ready()) GTEST_SKIP() << "cannot make a private mount namespace here";
    WhyRun w = why_json({"open", f, "--write", "-p", std::to_string(ns.pid())});
    expect_denied(w, "mount", "EROFS");
    expect_probe_agrees(w);
    // The caller's namespace has no such mount.
    w = why_json({"open", f, "--write"});
    expect_allowed(w);
}

TEST(WhyCommand, ReadOnlyBindMountOrderForANonOwner) {
    REQUIRE_ROOT();
    Scratch s;
    s.dir("d", 0755);
    const std::string f = s.file("d/f", 0644);
    // A non-owner: O_WRONLY is EACCES first (DAC before the per-mount ro),
    // O_WRONLY|O_TRUNC is EROFS first (mnt_want_write before may_open).
    NamespaceHolder ns({"-m", "--propagation", "private"},
                       "mount --bind " + s / "d" + " " + s / "d" + " && mount -o remount,bind,ro " + s / "d" +
                           " && exec setpriv --reuid 65534 --regid 65534 --clear-groups sh -c 'echo ready; exec sleep infinity' #");
    if (!ns.ready()) GTEST_SKIP() << "cannot make a private mount namespace here";
    const std::string pid = std::to_string(ns.pid());
    WhyRun w = why_json({"open", f, "--write", "-p", pid});
    expect_denied(w, "mode", "EACCES", f);
    ASSERT_GE(w.doc["blocking"].size(), 2u) << w.out;
    EXPECT_EQ(w.doc["blocking"][1]["errno"], "EROFS") << w.out;
    expect_probe_agrees(w);
    w = why_json({"open", f, "--write", "--trunc", "-p", pid});
    expect_denied(w, "mount", "EROFS");
}

TEST(WhyCommand, NoexecAndNodevMountsInAPrivateNamespace) {
    REQUIRE_ROOT();
    Scratch s;
    s.dir("m", 0755);
    NamespaceHolder ns({"-m", "--propagation", "private"},
                       "mount -t tmpfs -o noexec,nodev,size=1m none " + s / "m" + " && cp /bin/true " + s / "m/prog" +
                           " && mknod " + s / "m/null" + " c 1 3");
    if (!ns.ready()) GTEST_SKIP() << "cannot mount a tmpfs in a private mount namespace here";
    const std::string pid = std::to_string(ns.pid());
    WhyRun w = why_json({"exec", s / "m/prog", "-p", pid});
    expect_denied(w, "mount", "EACCES");
    w = why_json({"open", s / "m/null", "-p", pid});
    expect_denied(w, "mount", "EACCES");
    // The caller sees neither file: the mount is not in its namespace.
    w = why_json({"exec", s / "m/prog"});
    EXPECT_EQ(w.doc["layer"], "path") << w.out;
    EXPECT_EQ(w.doc["errno"], "ENOENT") << w.out;
}

TEST(WhyCommand, ALongNameAndASymlinkLoop) {
    Scratch s;
    const std::string longname = s / std::string(300, 'n');
    WhyRun w = why_json({"open", longname});
    expect_denied(w, "path", "ENAMETOOLONG");
    expect_probe_agrees(w);
    ASSERT_EQ(::symlink("b", (s / "a").c_str()), 0);
    ASSERT_EQ(::symlink("a", (s / "b").c_str()), 0);
    w = why_json({"open", s / "a"});
    expect_denied(w, "path", "ELOOP");
    expect_probe_agrees(w);
}

TEST(WhyCommand, FortyLinksResolveAndFortyOneDoNot) {
    Scratch s;
    s.file("target", 0644);
    std::string prev = "target";
    for (int i = 1; i <= 41; ++i) {
        const std::string name = "l" + std::to_string(i);
        ASSERT_EQ(::symlink(prev.c_str(), (s / name).c_str()), 0);
        prev = name;
    }
    WhyRun w = why_json({"open", s / "l40"});
    expect_allowed(w);
    w = why_json({"open", s / "l41"});
    expect_denied(w, "path", "ELOOP");
    expect_probe_agrees(w);
}

TEST(WhyCommand, UnlinkInAStickyDirectoryByAnotherUser) {
    REQUIRE_ROOT();
    Scratch s;
    s.dir("t", 01777);
    const std::string f = s.file("t/f", 0666);
    WhyRun w = why_json({"unlink", f, "-u", "nobody"});
    expect_denied(w, "sticky", "EPERM", f);
    w = why_json({"unlink", f});
    expect_allowed(w);
}

// Restores a sysctl on the way out.
class Sysctl {
public:
    Sysctl(std::string path, const std::string& value) : path_(std::move(path)) {
        std::ifstream in(path_);
        std::getline(in, old_);
        std::ofstream(path_) << value;
    }
    ~Sysctl() { std::ofstream(path_) << old_; }

private:
    std::string path_, old_;
};

TEST(WhyCommand, ProtectedRegularRefusesRootTheCreateOfAnotherUsersFile) {
    REQUIRE_ROOT();
    Scratch s;
    s.dir("t", 01777);
    const std::string f = s.file("t/f", 0666);
    ASSERT_EQ(::chown(f.c_str(), 65534, 65534), 0);
    Sysctl guard("/proc/sys/fs/protected_regular", "1");
    WhyRun w = why_json({"open", f, "--write", "--create"});
    expect_denied(w, "protected", "EACCES", f);
    expect_probe_agrees(w);
    w = why_json({"open", f, "--write"});
    expect_allowed(w);
}

TEST(WhyCommand, PortBelowTheFloorForAnUnprivilegedUser) {
    const WhyRun w = why_json({"bind", "tcp", "127.0.0.1:80", "-u", "nobody"});
    expect_denied(w, "capability", "EACCES");
    EXPECT_EQ(w.doc["operation"]["path"], "127.0.0.1:80");
}

TEST(WhyCommand, APortHeldByAListenerNamesItAndTheChildThatInheritedIt) {
    Fixture fx("inherited_listener");
    const int port = fx.facts()["port"].get<int>();
    const WhyRun w = why_json({"bind", "tcp", "127.0.0.1:" + std::to_string(port)});
    expect_denied(w, "busy", "EADDRINUSE");
    std::set<int> pids;
    for (const auto& h : w.doc["blocking"][0]["holders"]) pids.insert(h["pid"].get<int>());
    EXPECT_TRUE(pids.count(fx.facts()["pid"].get<int>())) << w.out;
    EXPECT_TRUE(pids.count(fx.facts()["child_pid"].get<int>())) << w.out;
}

TEST(WhyCommand, TextBusyNamesTheRunningProcess) {
    Scratch s;
    const std::string prog = s / "prog";
    std::filesystem::copy_file(fixture_path("flat"), prog);
    ::chmod(prog.c_str(), 0755);
    // The copy runs the fixture protocol; sh execs it in place (same pid).
    Fixture fx("flat", {}, {"sh", "-c", "exec \"$0\"", prog});
    const WhyRun w = why_json({"open", prog, "--write"});
    expect_denied(w, "busy", "ETXTBSY", prog);
    bool named = false;
    for (const auto& h : w.doc["blocking"][0]["holders"]) named |= h["pid"] == fx.facts()["pid"];
    EXPECT_TRUE(named) << w.out;
    expect_probe_agrees(w);
}

TEST(WhyCommand, ExecOfACrlfScriptAndOfAFileInNoFormat) {
    Scratch s;
    const std::string crlf = s.file("crlf.sh", 0755, "#!/bin/sh\r\necho hi\n");
    const std::string garbage = s.file("garbage", 0755, "not a program\n");
    WhyRun w = why_json({"exec", crlf});
    expect_denied(w, "path", "ENOENT", crlf);
    EXPECT_NE(w.doc["blocking"][0]["explain"].get<std::string>().find("carriage return"), std::string::npos) << w.out;
    // AT_EXECVE_CHECK stops before the format: it succeeds, and agrees with
    // what it checked.
    if (!w.doc["tried"].is_null()) {
        EXPECT_EQ(w.doc["tried"]["agrees"], true) << w.out;
    }
    w = why_json({"exec", garbage});
    expect_denied(w, "path", "ENOEXEC", garbage);
    // The kernel agrees when the program really runs.
    EXPECT_NE(run({crlf}).status, 0);
}

TEST(WhyCommand, RenameAcrossMountsIsExdev) {
    Scratch s;
    const std::string f = s.file("f", 0644);
    struct stat a {}, b {};
    if (::stat("/tmp", &a) != 0 || ::stat("/dev/shm", &b) != 0 || a.st_dev == b.st_dev)
        GTEST_SKIP() << "/tmp and /dev/shm are one filesystem here";
    const WhyRun w = why_json({"rename", f, "/dev/shm/fdscope-why-never-made"});
    expect_denied(w, "filesystem", "EXDEV");
}

TEST(WhyCommand, EveryOperationHasAnAllowedCase) {
    REQUIRE_ROOT();
    Scratch s;
    const std::string f = s.file("f", 0644);
    s.dir("d", 0755);
    s.dir("empty", 0755);
    const std::vector<std::vector<std::string>> cases = {
        {"open", f},
        {"open", f, "--write", "--append"},
        {"open", s / "new", "--write", "--create", "--excl"},
        {"mkdir", s / "newdir"},
        {"rmdir", s / "empty"},
        {"unlink", f},
        {"rename", f, s / "g"},
        {"link", f, s / "h"},
        {"symlink", "anything", s / "sl"},
        {"exec", "/bin/true"},
        {"chdir", s / "d"},
        {"bind", "tcp", "127.0.0.1:0"},
        {"bind", "unix", s / "sock"},
    };
    for (const auto& c : cases) {
        const WhyRun w = why_json(c);
        EXPECT_EQ(w.status, 0) << c[0] << " " << c[1] << ": " << w.out << w.err;
        EXPECT_EQ(w.doc["verdict"], "allowed") << c[0] << " " << c[1] << ": " << w.out;
    }
    // Nothing was made or removed by asking.
    EXPECT_TRUE(std::filesystem::exists(f));
    EXPECT_TRUE(std::filesystem::exists(s / "empty"));
    for (const char* made : {"new", "newdir", "g", "h", "sl", "sock"})
        EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status(s / made))) << made;
}

TEST(WhyCommand, UsageErrors) {
    for (const std::vector<std::string>& bad : std::vector<std::vector<std::string>>{
             {"why"}, {"why", "frobnicate", "/x"}, {"why", "open"}, {"why", "mkdir", "/x", "--write"},
             {"why", "rename", "/x"}, {"why", "write", "-p", "1"}, {"why", "open", "/x", "-u", "root", "-p", "1"},
             {"why", "open", "/x", "--as-thread", "3"}, {"why", "bind", "tcp", "::1:80"}, {"why", "connect", "tcp", "80"},
             {"why", "open", "/x", "--in-target"}}) {
        std::vector<std::string> argv{fdscope_bin()};
        argv.insert(argv.end(), bad.begin(), bad.end());
        RunResult r = run(argv);
        EXPECT_EQ(r.status, 2) << bad.back() << ": " << r.out << r.err;
    }
    RunResult r = run({fdscope_bin(), "why", "open", "/x", "-p", "999999999"});
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.err.find("no process 999999999"), std::string::npos) << r.err;
    r = run({fdscope_bin(), "why", "open", "/x", "-u", "no-such-user-fdscope"});
    EXPECT_EQ(r.status, 2) << r.err;
}

}  // namespace
}  // namespace fdscope::test
