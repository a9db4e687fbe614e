// `fdscope why` when the filesystem has no room: inodes exhausted, only
// ext4's reserved blocks left, space held by a deleted file still open,
// quotas; and a device node refused by a v1 devices cgroup. Each situation
// is built for real in a private mount namespace (or a scratch cgroup).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "cli/why_helpers.hpp"

namespace fdscope::test {
namespace {

bool contains(const nlohmann::json& s, const std::string& part) {
    return s.is_string() && s.get<std::string>().find(part) != std::string::npos;
}

// A process that joins `holder`'s mount namespace as nobody (uid/gid
// 65534, no groups) and sleeps: a subject that sees the private mounts.
class NobodyIn {
public:
    explicit NobodyIn(pid_t holder)
        : running_({"nsenter", "-t", std::to_string(holder), "-m", "--", "setpriv", "--reuid", "65534", "--regid",
                    "65534", "--clear-groups", "sh", "-c", "echo ready; exec sleep infinity"}) {
        std::string line;
        ready_ = running_.next_line(line) && line == "ready";
    }
    bool ready() const { return ready_; }
    std::string pid() const { return std::to_string(running_.pid()); }

private:
    Running running_;
    bool ready_ = false;
};

// A shell command run inside `holder`'s mount namespace as root.
RunResult in_namespace(pid_t holder, const std::string& script) {
    return run({"nsenter", "-t", std::to_string(holder), "-m", "--", "sh", "-c", script});
}

TEST(WhySpace, NoFreeInodesOnATmpfs) {
    REQUIRE_ROOT();
    Scratch s;
    s.dir("m", 0755);
    const std::string m = s / "m";
    // Create files until the inode count runs out (ENOSPC ends the loop).
    NamespaceHolder ns({"-m", "--propagation", "private"},
                       "mount -t tmpfs -o nr_inodes=8,size=1m none " + m + " && i=0 && while touch " + m +
                           "/f$i 2>/dev/null; do i=$((i+1)); done && [ \"$(stat -f -c %d " + m + ")\" = 0 ]");
    if (!ns.ready()) GTEST_SKIP() << "cannot mount a tmpfs in a private mount namespace here";
    const std::string pid = std::to_string(ns.pid());
    const WhyRun w = why_json({"mkdir", m + "/new", "-p", pid});
    expect_denied(w, "space", "ENOSPC");
    ASSERT_FALSE(w.doc["blocking"].empty()) << w.out;
    EXPECT_EQ(w.doc["blocking"][0]["path"], m + "/new") << w.out;
    EXPECT_TRUE(contains(w.doc["blocking"][0]["explain"], "no free inodes")) << w.out;
    expect_probe_agrees(w);
    EXPECT_EQ(w.doc["tried"]["errno"], "ENOSPC") << w.out;
    // An existing name allocates nothing.
    const WhyRun existing = why_json({"open", m + "/f0", "--write", "--create", "-p", pid});
    expect_allowed(existing);
    expect_probe_agrees(existing);
}

// A loop-mounted ext4 image, made with `mkfs_args`, removed with the Scratch.
std::string make_ext4_image(const Scratch& s, const std::vector<std::string>& mkfs_args, std::string& error) {
    if (!have_tool("mkfs.ext4")) {
        error = "mkfs.ext4 (package e2fsprogs) is not installed";
        return {};
    }
    const std::string image = s / "ext4.img";
    if (run({"truncate", "-s", "16M", image}).status != 0) {
        error = "cannot make a 16 MiB image file in /tmp";
        return {};
    }
    std::vector<std::string> argv{"mkfs.ext4", "-q", "-F"};
    argv.insert(argv.end(), mkfs_args.begin(), mkfs_args.end());
    argv.push_back(image);
    const RunResult r = run(argv);
    if (r.status != 0) error = "mkfs.ext4 failed: " + r.err;
    return r.status == 0 ? image : std::string();
}

TEST(WhySpace, OnlyReservedBlocksLeftOnExt4) {
    REQUIRE_ROOT();
    Scratch s;
    s.dir("m", 0755);
    const std::string m = s / "m";
    std::string error;
    const std::string image = make_ext4_image(s, {"-m", "50"}, error);
    if (image.empty()) GTEST_SKIP() << error;
    // Root fills every block anyone may use; half the filesystem stays
    // free, reserved for uid 0.
    NamespaceHolder ns({"-m", "--propagation", "private"},
                       "mount -o loop " + image + " " + m + " && chmod 1777 " + m + " && set -- $(stat -f -c '%a %S' " +
                           m + ") && fallocate -l $(($1 * $2)) " + m + "/fill && [ \"$(stat -f -c %a " + m + ")\" = 0 ]");
    if (!ns.ready()) GTEST_SKIP() << "cannot loop-mount an ext4 image in a private mount namespace here";
    NobodyIn nobody(ns.pid());
    ASSERT_TRUE(nobody.ready());
    // df shows room: the reserved half is free.
    const RunResult df = in_namespace(ns.pid(), "stat -f -c %f " + m);
    ASSERT_EQ(df.status, 0) << df.err;
    EXPECT_GT(std::stoull(df.out), 0u) << "no free blocks at all: the reserve did not hold";

    WhyRun w = why_json({"mkdir", m + "/d", "-p", nobody.pid()});
    expect_denied(w, "space", "ENOSPC");
    ASSERT_FALSE(w.doc["blocking"].empty()) << w.out;
    EXPECT_EQ(w.doc["blocking"][0]["path"], m + "/d") << w.out;
    EXPECT_TRUE(contains(w.doc["blocking"][0]["explain"], "reserved for uid 0")) << w.out;
    EXPECT_TRUE(contains(w.doc["blocking"][0]["explain"], "df shows them")) << w.out;
    EXPECT_TRUE(contains(w.doc["blocking"][0]["fix"], "tune2fs")) << w.out;
    expect_probe_agrees(w);
    EXPECT_EQ(w.doc["tried"]["errno"], "ENOSPC") << w.out;

    // Root may take the reserve.
    w = why_json({"mkdir", m + "/d", "-p", std::to_string(ns.pid())});
    expect_allowed(w);
    expect_probe_agrees(w);

    // An empty file takes an inode and a directory entry, no block: ext4
    // creates it for nobody too, and the first write fails.
    w = why_json({"open", m + "/new", "--write", "--create", "-p", nobody.pid()});
    expect_allowed(w);
    expect_probe_agrees(w);
    const nlohmann::json note = find_check(w.doc, "space", "note");
    ASSERT_FALSE(note.is_null()) << w.out;
    EXPECT_TRUE(contains(note["detail"], "reserved")) << w.out;
    const RunResult truth = in_namespace(ns.pid(), "setpriv --reuid 65534 --regid 65534 --clear-groups sh -c ': > " + m +
                                                       "/new && ! echo x > " + m + "/new'");
    EXPECT_EQ(truth.status, 0) << "the kernel did not create an empty file and then refuse a block: " << truth.err;
}

TEST(WhySpace, ADeletedFileStillOpenHoldsTheSpace) {
    REQUIRE_ROOT();
    Scratch s;
    s.dir("m", 0755);
    const std::string m = s / "m";
    // The holder shell opens fd 3 on big and fd 4 on log, fills the tmpfs
    // through fd 3, removes big and keeps both fds in the sleep it becomes.
    NamespaceHolder ns({"-m", "--propagation", "private"},
                       "mount -t tmpfs -o size=64k none " + m + " && exec 3<>" + m + "/big 4>" + m +
                           "/log && { head -c 1048576 /dev/zero >&3 2>/dev/null; rm " + m + "/big; } && [ \"$(stat -f -c %f " +
                           m + ")\" = 0 ]");
    if (!ns.ready()) GTEST_SKIP() << "cannot mount a tmpfs in a private mount namespace here";
    const std::string pid = std::to_string(ns.pid());
    const RunResult truth = in_namespace(ns.pid(), "! echo x >> " + m + "/log");
    ASSERT_EQ(truth.status, 0) << "a write to the full tmpfs did not fail: " << truth.err;

    const WhyRun w = why_json({"write", "-p", pid, "--fd", "4"});
    expect_denied(w, "space", "ENOSPC");
    ASSERT_FALSE(w.doc["blocking"].empty()) << w.out;
    const auto& b = w.doc["blocking"][0];
    EXPECT_TRUE(contains(b["explain"], "deleted")) << w.out;
    bool named = false;
    for (const auto& h : b["holders"])
        named |= h["pid"] == ns.pid() && h["fd"] == 3 && contains(h["note"], m + "/big");
    EXPECT_TRUE(named) << "the holder of the deleted file is not named: " << w.out;
    EXPECT_TRUE(contains(b["fix"], "/proc/" + pid + "/fd/3")) << w.out;
    if (!w.doc["tried"].is_null()) {
        EXPECT_EQ(w.doc["tried"]["agrees"], true) << w.out;
    }
}

// The kernel's answer to mounting ext4 with user quotas, "" when it works.
std::string quota_unsupported(const std::string& image, const std::string& m) {
    const RunResult r = run({"unshare", "-m", "--propagation", "private", "mount", "-o", "loop,usrquota", image, m});
    if (r.status == 0) return {};
    const RunResult dmesg = run({"sh", "-c", "dmesg 2>/dev/null | grep -i quota | tail -1"});
    return "ext4 -o usrquota does not mount (" + (dmesg.out.empty() ? r.err : dmesg.out) + ")";
}

TEST(WhySpace, EdquotWhenTheKernelHasQuotas) {
    REQUIRE_ROOT();
    Scratch s;
    s.dir("m", 0755);
    const std::string m = s / "m";
    std::string error;
    const std::string image = make_ext4_image(s, {"-O", "quota", "-E", "quotatype=usrquota"}, error);
    if (image.empty()) GTEST_SKIP() << error;
    if (std::string why_not = quota_unsupported(image, m); !why_not.empty())
        GTEST_SKIP() << "this kernel has no quota support: " << why_not;
    // Quotas work: nobody owns one inode and may own at most one.
    NamespaceHolder ns({"-m", "--propagation", "private"},
                       "mount -o loop,usrquota " + image + " " + m + " && chmod 1777 " + m + " && touch " + m +
                           "/owned && chown 65534 " + m + "/owned && dev=$(findmnt -n -o SOURCE " + m +
                           ") && setquota -u 65534 0 0 1 1 \"$dev\"");
    if (!ns.ready()) GTEST_SKIP() << "quotas mount, but the limit cannot be set (setquota, package quota, missing?)";
    NobodyIn nobody(ns.pid());
    ASSERT_TRUE(nobody.ready());
    const WhyRun w = why_json({"mkdir", m + "/d", "-p", nobody.pid()});
    expect_denied(w, "quota", "EDQUOT");
    expect_probe_agrees(w);
}

// The mount point of the v1 devices controller in our mount namespace.
std::string devices_v1_mount() {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
        const std::size_t dash = line.find(" - ");
        if (dash == std::string::npos) continue;
        std::istringstream after(line.substr(dash + 3));
        std::string fstype, source, options;
        after >> fstype >> source >> options;
        if (fstype != "cgroup") continue;
        std::istringstream opts(options);
        bool devices = false;
        for (std::string o; std::getline(opts, o, ',');) devices |= o == "devices";
        if (!devices) continue;
        std::istringstream fields(line);
        std::string f;
        for (int i = 0; i < 5 && fields >> f; ++i) {}
        return f;
    }
    return {};
}

// A child devices cgroup that denies everything but `allowed`, removed
// (once empty) on the way out.
class DevicesCgroup {
public:
    DevicesCgroup(const std::string& mount, const std::vector<std::string>& allowed)
        : path_(mount + "/fdscope-why-" + std::to_string(::getpid())) {
        if (::mkdir(path_.c_str(), 0755) != 0) return;
        made_ = write("devices.deny", "a");
        for (const auto& a : allowed) made_ = made_ && write("devices.allow", a);
    }
    ~DevicesCgroup() { ::rmdir(path_.c_str()); }
    DevicesCgroup(const DevicesCgroup&) = delete;
    DevicesCgroup& operator=(const DevicesCgroup&) = delete;
    bool made() const { return made_; }
    bool enter(pid_t pid) const { return write("cgroup.procs", std::to_string(pid)); }
    std::string relative(const std::string& mount) const { return path_.substr(mount.size()); }

private:
    bool write(const std::string& file, const std::string& value) const {
        std::ofstream out(path_ + "/" + file);
        out << value << '\n';
        out.flush();
        return static_cast<bool>(out);
    }
    std::string path_;
    bool made_ = false;
};

TEST(WhySpace, ADevicesCgroupRefusesDevNull) {
    REQUIRE_ROOT();
    const std::string mount = devices_v1_mount();
    if (mount.empty()) GTEST_SKIP() << "no v1 devices controller is mounted here";
    // Deny-all, then what a shell uses, except c 1:3 (/dev/null): with
    // the default allow, denied entries would not show in devices.list.
    DevicesCgroup cg(mount, {"c 1:5 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:2 rwm", "c 136:* rwm"});
    if (!cg.made()) GTEST_SKIP() << "cannot make a child cgroup under " << mount;
    {
        Running sleeper({"sh", "-c", "echo ready; exec sleep infinity"});
        std::string line;
        ASSERT_TRUE(sleeper.next_line(line));
        ASSERT_TRUE(cg.enter(sleeper.pid()));
        const std::string pid = std::to_string(sleeper.pid());
        WhyRun w = why_json({"open", "/dev/null", "-p", pid});
        expect_denied(w, "cgroup", "EPERM");
        ASSERT_FALSE(w.doc["blocking"].empty()) << w.out;
        EXPECT_EQ(w.doc["blocking"][0]["path"], cg.relative(mount)) << w.out;
        EXPECT_TRUE(contains(w.doc["blocking"][0]["explain"], "/dev/null")) << w.out;
        EXPECT_TRUE(contains(w.doc["blocking"][0]["explain"], "c 1:3")) << w.out;
        EXPECT_TRUE(contains(w.doc["blocking"][0]["fix"], "c 1:3 r")) << w.out;
        if (!w.doc["tried"].is_null()) {
            EXPECT_EQ(w.doc["tried"]["agrees"], true) << w.out;
            EXPECT_EQ(w.doc["tried"]["errno"], "EPERM") << w.out;
        }
        // An allowed device of the same cgroup.
        w = why_json({"open", "/dev/zero", "-p", pid});
        expect_allowed(w);
        // The caller is not in the cgroup.
        w = why_json({"open", "/dev/null"});
        expect_allowed(w);
    }  // the sleeper is killed and reaped: the cgroup is empty and goes
}

}  // namespace
}  // namespace fdscope::test
