// `fdscope why -p PID` on real processes whose own state decides: a seccomp
// filter, a Landlock domain, a user namespace that does not map the owner,
// an fd table at its limit, fds whose access mode or other end refuses a
// write, and a thread with credentials of its own. Each test builds the
// situation, asks why as that process, and checks the verdict, the layer,
// the errno, what is named, and that the kernel (the probe) agrees.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "cli/why_helpers.hpp"

namespace fdscope::test {
namespace {

std::string pid_of(const Fixture& fx) { return std::to_string(fx.facts()["pid"].get<int>()); }

bool contains(const nlohmann::json& text, const std::string& part) {
    return text.is_string() && text.get<std::string>().find(part) != std::string::npos;
}

bool any_contains(const nlohmann::json& texts, const std::string& part) {
    for (const auto& t : texts)
        if (contains(t, part)) return true;
    return false;
}

// The check of `layer` about `path`, or null.
nlohmann::json check_about(const nlohmann::json& doc, const std::string& layer, const std::string& path) {
    for (const auto& c : doc["checks"])
        if (c["layer"] == layer && c["path"] == path) return c;
    return nullptr;
}

// The kernel's first failing check, or an empty object.
nlohmann::json first_blocking(const WhyRun& w) {
    if (!w.doc.is_object() || !w.doc.contains("blocking") || w.doc["blocking"].empty()) return nlohmann::json::object();
    return w.doc["blocking"][0];
}

void expect_no_failure(const WhyRun& w) {
    for (const auto& c : w.doc["checks"]) EXPECT_NE(c["result"], "fail") << c.dump();
}

TEST(WhyProcess, ASeccompRefusalOfMkdiratAloneIsANoteWhereGlibcCallsMkdir) {
    REQUIRE_ROOT();
#if !defined(__x86_64__)
    GTEST_SKIP() << "glibc's mkdir() issues the legacy mkdir syscall on x86_64; elsewhere it is mkdirat";
#endif
    Fixture fx("seccomp_deny_mkdirat");
    ASSERT_EQ(fx.facts()["mkdirat_errno"], EPERM) << "the filter is not in force";
    Scratch s;
    const std::string dir = s / "made";
    // The seccomp layer: mkdirat refused, noted; mkdir, what glibc calls, allowed.
    auto expect_seccomp_checks = [](const WhyRun& w) {
        expect_no_failure(w);
        const nlohmann::json mkdirat = check_about(w.doc, "seccomp", "mkdirat");
        ASSERT_FALSE(mkdirat.is_null()) << w.out;
        EXPECT_EQ(mkdirat["result"], "note") << w.out;
        EXPECT_TRUE(contains(mkdirat["detail"], "ERRNO(EPERM)")) << mkdirat.dump();
        EXPECT_TRUE(contains(mkdirat["explain"], "mkdir() is allowed")) << mkdirat.dump();
        EXPECT_TRUE(contains(mkdirat["explain"], "mkdirat() is refused (ERRNO(EPERM))")) << mkdirat.dump();
        const nlohmann::json mkdir = check_about(w.doc, "seccomp", "mkdir");
        ASSERT_FALSE(mkdir.is_null()) << w.out;
        EXPECT_EQ(mkdir["result"], "pass") << w.out;
    };

    // libseccomp set no_new_privs, so a Landlock domain may exist, which
    // only the process itself meets: unknown, and the probe child, making
    // glibc's call through the same filter, succeeds.
    WhyRun w = why_json({"mkdir", dir, "-p", pid_of(fx)});
    EXPECT_EQ(w.status, 3) << w.out << w.err;
    EXPECT_EQ(w.doc["verdict"], "unknown") << w.out;
    EXPECT_TRUE(w.doc["errno"].is_null()) << w.out;
    expect_seccomp_checks(w);
    ASSERT_EQ(w.doc["unknowns"].size(), 1u) << w.out;
    EXPECT_TRUE(contains(w.doc["unknowns"][0], "Landlock")) << w.out;
    expect_probe_agrees(w);
    EXPECT_TRUE(w.doc["tried"]["errno"].is_null()) << w.out;

    // The process's own thread settles it: allowed.
    w = why_json({"mkdir", dir, "-p", pid_of(fx), "--in-target"});
    expect_allowed(w);
    expect_seccomp_checks(w);
    expect_probe_agrees(w);
    EXPECT_EQ(w.doc["tried"]["exact"], true) << w.out;

    // The text says it without -v.
    const RunResult text = run({fdscope_bin(), "why", "mkdir", dir, "-p", pid_of(fx), "--in-target"});
    EXPECT_EQ(text.status, 0) << text.out << text.err;
    EXPECT_NE(text.out.find("mkdir() is allowed"), std::string::npos) << text.out;
    EXPECT_FALSE(std::filesystem::exists(dir));
    EXPECT_EQ(::kill(fx.facts()["pid"].get<int>(), 0), 0);
}

TEST(WhyProcess, ASeccompFilterRefusingOpenatDeniesTheOpen) {
    REQUIRE_ROOT();
    Fixture fx("seccomp_deny_openat");
    Scratch s;
    const std::string f = s.file("f", 0644);
    const WhyRun w = why_json({"open", f, "-p", pid_of(fx)});
    expect_denied(w, "seccomp", "EPERM");
    EXPECT_EQ(first_blocking(w)["path"], "openat") << w.out;
    EXPECT_TRUE(contains(first_blocking(w)["explain"], "seccomp filter refuses")) << w.out;
    expect_probe_agrees(w);
    EXPECT_EQ(w.doc["tried"]["errno"], "EPERM") << w.out;
    // Only the filter stands in the way: the same open as root is allowed.
    const WhyRun free = why_json({"open", f});
    EXPECT_EQ(free.doc["verdict"], "allowed") << free.out;
}

// why_target --landlock: its threads may read files under /usr only.
struct LandlockTarget {
    Fixture fixture{"why_target", {"--landlock"}};
    std::string pid = std::to_string(fixture.facts()["pid"].get<int>());
    std::string tid = std::to_string(fixture.facts()["tid"].get<int>());
    bool restricted() const { return fixture.facts()["landlock"].get<bool>(); }

    // Wakes the reader thread with `text` through its pipe; its report.
    nlohmann::json feed(const std::string& text) {
        const std::string end = "/proc/" + pid + "/fd/" + std::to_string(fixture.facts()["pipe_write_fd"].get<int>());
        const int fd = ::open(end.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0) return {};
        const bool sent = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
        ::close(fd);
        if (!sent) return {};
        for (;;) {
            nlohmann::json line = fixture.next_line();
            if (line.contains("read")) return line;
        }
    }
};

char thread_state(const std::string& pid, const std::string& tid) {
    std::ifstream in("/proc/" + pid + "/task/" + tid + "/stat");
    const std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto paren = stat.rfind(')');
    return paren == std::string::npos || paren + 2 >= stat.size() ? '?' : stat[paren + 2];
}

TEST(WhyProcess, LandlockIsUnknownFromOutsideAndTheTargetsOwnEaccesFromInside) {
    REQUIRE_ROOT();
    LandlockTarget t;
    if (!t.restricted()) GTEST_SKIP() << "Landlock is not enabled in this kernel";
    Scratch s;
    const std::string f = s.file("f", 0644);

    // Every layer fdscope reads passes, and so does a probe child (it cannot
    // take on a Landlock domain): unknown, not allowed.
    WhyRun w = why_json({"open", f, "-p", t.pid});
    EXPECT_EQ(w.status, 3) << w.out << w.err;
    EXPECT_EQ(w.doc["verdict"], "unknown") << w.out;
    EXPECT_TRUE(w.doc["errno"].is_null()) << w.out;
    expect_no_failure(w);
    const nlohmann::json lsm = find_check(w.doc, "lsm", "unknown");
    ASSERT_FALSE(lsm.is_null()) << w.out;
    EXPECT_TRUE(contains(lsm["detail"], "landlock")) << lsm.dump();
    EXPECT_TRUE(any_contains(w.doc["unknowns"], "Landlock")) << w.out;
    expect_probe_agrees(w);
    EXPECT_TRUE(w.doc["tried"]["errno"].is_null()) << w.out;
    EXPECT_EQ(w.doc["tried"]["exact"], false) << w.out;
    EXPECT_TRUE(contains(w.doc["tried"]["not_reproduced"], "Landlock")) << w.out;

    // The target's own thread meets its domain: EACCES, still unknown (no
    // layer fdscope reads refuses it), Landlock named as the likely cause.
    w = why_json({"open", f, "-p", t.pid, "--in-target"});
    EXPECT_EQ(w.status, 3) << w.out << w.err;
    EXPECT_EQ(w.doc["verdict"], "unknown") << w.out;
    EXPECT_EQ(w.doc["errno"], "EACCES") << w.out;
    expect_no_failure(w);
    ASSERT_FALSE(w.doc["tried"].is_null()) << w.out;
    EXPECT_EQ(w.doc["tried"]["errno"], "EACCES") << w.out;
    EXPECT_EQ(w.doc["tried"]["exact"], true) << w.out;
    EXPECT_TRUE(contains(w.doc["tried"]["how"], "in target thread " + t.pid)) << w.out;
    ASSERT_FALSE(w.doc["unknowns"].empty()) << w.out;
    EXPECT_TRUE(contains(w.doc["unknowns"][0], "Landlock")) << w.out;
    const RunResult text = run({fdscope_bin(), "why", "open", f, "-p", t.pid, "--in-target"});
    EXPECT_EQ(text.status, 3) << text.out << text.err;
    const std::string first = text.out.substr(0, text.out.find('\n'));
    EXPECT_NE(first.find("unknown, EACCES"), std::string::npos) << text.out;
    EXPECT_NE(first.find("Landlock"), std::string::npos) << text.out;

    // Under /usr the domain allows it, and the target's word settles it.
    const std::string usr = "/usr/lib/os-release";
    if (std::filesystem::is_regular_file(usr)) {
        w = why_json({"open", usr, "-p", t.pid, "--in-target", "--as-thread", t.tid});
        EXPECT_EQ(w.status, 0) << w.out << w.err;
        EXPECT_EQ(w.doc["verdict"], "allowed") << w.out;
        EXPECT_EQ(w.doc["subject"]["tid"], std::stoi(t.tid)) << w.out;
    }

    // Neither thread was left stopped, and the reader, borrowed last, still
    // reads its pipe with its errno as it set it.
    EXPECT_EQ(::kill(std::stoi(t.pid), 0), 0);
    EXPECT_NE(thread_state(t.pid, t.pid), 't');
    EXPECT_NE(thread_state(t.pid, t.pid), 'T');
    const nlohmann::json done = t.feed("still here");
    EXPECT_EQ(done["read"], "still here") << done.dump();
    EXPECT_EQ(done["errno"], 1234) << done.dump();
    EXPECT_EQ(done["usr1"], 0) << done.dump();
}

TEST(WhyProcess, RootOfAUserNamespaceThatDoesNotMapTheOwner) {
    REQUIRE_ROOT();
    if (!have_tool("setpriv")) GTEST_SKIP() << "setpriv (package util-linux) is not installed";
    Scratch s;
    const std::string f = s.file("secret", 0600);
    // nobody makes a user namespace in which it is root, with every
    // capability there; host uid 0 is not mapped in it.
    Running ns({"setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "unshare", "-U", "-r", "sh",
                "-c", "echo ready && exec sleep infinity"});
    std::string line;
    if (!ns.next_line(line) || line != "ready")
        GTEST_SKIP() << "an unprivileged user cannot make a user namespace here";
    const std::string pid = std::to_string(ns.pid());
    const WhyRun w = why_json({"open", f, "-p", pid});
    expect_denied(w, "capability", "EACCES");
    EXPECT_EQ(first_blocking(w)["path"], f) << w.out;
    EXPECT_TRUE(contains(first_blocking(w)["explain"], "owner 0:0 is not mapped in the subject's user namespace"))
        << w.out;
    EXPECT_TRUE(any_contains(w.doc["subject"]["capabilities"], "CAP_DAC_OVERRIDE")) << w.out;
    expect_probe_agrees(w);
    EXPECT_EQ(w.doc["tried"]["errno"], "EACCES") << w.out;
    const RunResult text = run({fdscope_bin(), "why", "open", f, "-p", pid});
    EXPECT_EQ(text.status, 1) << text.out << text.err;
    EXPECT_NE(text.out.find("is not mapped in the subject's user namespace"), std::string::npos) << text.out;
    // The same file in a namespace that maps root is no problem.
    const WhyRun mapped = why_json({"open", f, "-p", std::to_string(::getpid())});
    EXPECT_EQ(mapped.doc["verdict"], "allowed") << mapped.out;
}

TEST(WhyProcess, AProcessAtItsFdLimitGetsEmfileWithItsLargestFdGroups) {
    REQUIRE_ROOT();
    if (!have_tool("prlimit")) GTEST_SKIP() << "prlimit (package util-linux) is not installed";
    // The fixture needs a spare fd to report; its soft limit is lowered to
    // what it holds afterwards, as an admin's prlimit would.
    Fixture fx("fd_limit", {"200", "99"});
    const int held = fx.facts()["open_count"].get<int>();
    const std::string hard = std::to_string(fx.facts()["hard_limit"].get<std::uint64_t>());
    auto set_soft = [&](int soft) {
        return run({"prlimit", "--pid", pid_of(fx), "--nofile=" + std::to_string(soft) + ":" + hard}).status == 0;
    };
    ASSERT_TRUE(set_soft(held));
    Scratch s;
    const std::string f = s.file("f", 0644);
    const WhyRun w = why_json({"open", f, "-p", pid_of(fx)});
    expect_denied(w, "limit", "EMFILE");
    const nlohmann::json holders = first_blocking(w)["holders"];
    ASSERT_FALSE(holders.empty()) << w.out;
    EXPECT_EQ(holders[0]["pid"], fx.facts()["pid"]) << w.out;
    const std::string opened = std::to_string(fx.facts()["opened"].get<int>());
    EXPECT_TRUE(contains(holders[0]["note"], opened + " ")) << holders.dump();
    EXPECT_TRUE(contains(holders[0]["note"], "/dev/null")) << holders.dump();
    EXPECT_TRUE(contains(first_blocking(w)["explain"], std::to_string(held) + " fds open")) << w.out;
    EXPECT_TRUE(contains(first_blocking(w)["fix"], "prlimit --pid " + pid_of(fx))) << w.out;
    // The probe child holds as many fds under the same limit: the kernel
    // refuses its open the same way.
    expect_probe_agrees(w);
    EXPECT_EQ(w.doc["tried"]["errno"], "EMFILE") << w.out;
    // One fd more of room and the same open works.
    ASSERT_TRUE(set_soft(held + 1));
    const WhyRun ok = why_json({"open", f, "-p", pid_of(fx)});
    expect_allowed(ok);
    expect_probe_agrees(ok);
}

TEST(WhyProcess, AsManyFdsAsTheLimitButOneNumberedAboveItLeavesAFreeOne) {
    REQUIRE_ROOT();
    if (!have_tool("prlimit") || !have_tool("bash")) GTEST_SKIP() << "needs prlimit (util-linux) and bash";
    // fd 250 is inherited (bash: sh takes single-digit fds only); the
    // fixture fills the lowest numbers up to 198 fds in all, then its soft
    // limit is lowered to 198: as many fds as the limit, yet 197 is free
    // below it, and the kernel's open takes it.
    Fixture fx("fd_limit", {"200", "99"}, {"bash", "-c", "exec \"$0\" \"$@\" 250</dev/null"});
    const int held = fx.facts()["open_count"].get<int>();
    ASSERT_TRUE(std::filesystem::exists("/proc/" + pid_of(fx) + "/fd/250")) << fx.facts().dump();
    const std::string hard = std::to_string(fx.facts()["hard_limit"].get<std::uint64_t>());
    ASSERT_EQ(run({"prlimit", "--pid", pid_of(fx), "--nofile=" + std::to_string(held) + ":" + hard}).status, 0);
    Scratch s;
    const std::string f = s.file("f", 0644);
    WhyRun w = why_json({"open", f, "-p", pid_of(fx)});
    expect_allowed(w);
    EXPECT_TRUE(contains(find_check(w.doc, "limit", "pass")["detail"], "fd " + std::to_string(held - 1) + " is free"))
        << w.out;
    expect_probe_agrees(w);
    w = why_json({"open", f, "-p", pid_of(fx), "--in-target"});
    expect_allowed(w);
    expect_probe_agrees(w);
}

TEST(WhyProcess, WritingAReadOnlyFdAndAPipeWithoutReader) {
    REQUIRE_ROOT();
    Fixture fx("why_fds");
    const std::string ro = std::to_string(fx.facts()["readonly_fd"].get<int>());
    const std::string wr = std::to_string(fx.facts()["pipe_write_fd"].get<int>());
    WhyRun w = why_json({"write", "-p", pid_of(fx), "--fd", ro});
    expect_denied(w, "fd", "EBADF");
    EXPECT_EQ(first_blocking(w)["path"], "fd " + ro) << w.out;
    EXPECT_TRUE(contains(first_blocking(w)["explain"], "O_RDONLY")) << w.out;
    EXPECT_TRUE(contains(check_about(w.doc, "fd", "fd " + ro)["detail"], fx.facts()["path"].get<std::string>())) << w.out;
    // Reading it is what it was opened for.
    const WhyRun rd = why_json({"read", "-p", pid_of(fx), "--fd", ro});
    EXPECT_EQ(rd.doc["verdict"], "allowed") << rd.out;

    w = why_json({"write", "-p", pid_of(fx), "--fd", wr});
    expect_denied(w, "fd", "EPIPE");
    EXPECT_EQ(first_blocking(w)["path"], "fd " + wr) << w.out;
    EXPECT_TRUE(contains(first_blocking(w)["explain"], "SIGPIPE")) << w.out;
    EXPECT_TRUE(contains(check_about(w.doc, "fd", "fd " + wr)["detail"], "the read end is closed")) << w.out;
    // Neither is tried: a real write would move data (or kill the target).
    EXPECT_TRUE(w.doc["tried"].is_null()) << w.out;
    EXPECT_EQ(::kill(fx.facts()["pid"].get<int>(), 0), 0);
}

TEST(WhyProcess, AThreadWithItsOwnCredentialsIsJudgedAsItself) {
    REQUIRE_ROOT();
    Fixture fx("why_threads");
    const std::string pid = pid_of(fx);
    const int tid = fx.facts()["tid"].get<int>();
    Scratch s;
    const std::string f = s.file("secret", 0600);

    WhyRun w = why_json({"open", f, "-p", pid, "--as-thread", std::to_string(tid)});
    expect_denied(w, "mode", "EACCES");
    EXPECT_EQ(first_blocking(w)["path"], f) << w.out;
    EXPECT_EQ(w.doc["subject"]["tid"], tid) << w.out;
    EXPECT_EQ(w.doc["subject"]["uid"], 65534) << w.out;
    EXPECT_TRUE(w.doc["subject"]["capabilities"].empty()) << w.out;
    expect_probe_agrees(w);
    EXPECT_EQ(w.doc["tried"]["errno"], "EACCES") << w.out;

    w = why_json({"open", f, "-p", pid, "--as-thread", pid});
    EXPECT_EQ(w.status, 0) << w.out << w.err;
    EXPECT_EQ(w.doc["verdict"], "allowed") << w.out;
    EXPECT_EQ(w.doc["subject"]["tid"], std::stoi(pid)) << w.out;
    EXPECT_EQ(w.doc["subject"]["uid"], 0) << w.out;
    expect_probe_agrees(w);
    // Asked for the process, fdscope judges the main thread and says the
    // threads differ.
    w = why_json({"open", f, "-p", pid});
    EXPECT_EQ(w.doc["subject"]["tid"], std::stoi(pid)) << w.out;
    const nlohmann::json differ = find_check(w.doc, "seccomp", "note");
    ASSERT_FALSE(differ.is_null()) << w.out;
    EXPECT_TRUE(contains(differ["explain"], "--as-thread")) << differ.dump();
    EXPECT_TRUE(contains(w.doc["tried"]["not_reproduced"], "other threads' credentials")) << w.out;
}

TEST(WhyProcess, AnOpenThatBreaksALeaseIsANoteNamingTheHolderAndIsNotProbed) {
    REQUIRE_ROOT();
    if (!have_tool("python3")) GTEST_SKIP() << "python3 takes the lease";
    Scratch s;
    const std::string f = s.file("leased", 0644);
    // F_SETLEASE (1024) with F_RDLCK (0) on a read-only fd of a file it owns.
    Running holder({"python3", "-c",
                    "import fcntl,os,sys,time\nfd=os.open(sys.argv[1],os.O_RDONLY)\nfcntl.fcntl(fd,1024,0)\n"
                    "print('ready',flush=True)\ntime.sleep(600)",
                    f});
    std::string line;
    ASSERT_TRUE(holder.next_line(line));
    ASSERT_EQ(line, "ready");
    const WhyRun w = why_json({"open", f, "--write"});
    EXPECT_EQ(w.status, 0) << w.out << w.err;
    const auto note = find_check(w.doc, "busy", "note");
    ASSERT_FALSE(note.is_null()) << w.out;
    EXPECT_TRUE(contains(note["detail"], "pid " + std::to_string(holder.pid()))) << w.out;
    EXPECT_TRUE(contains(note["detail"], "read lease")) << w.out;
    EXPECT_TRUE(w.doc["tried"].is_null()) << "probing would have broken the lease: " << w.out;
    // A read does not break a read lease: no note, and the probe runs.
    const WhyRun r = why_json({"open", f});
    EXPECT_TRUE(find_check(r.doc, "busy", "note").is_null()) << r.out;
    expect_allowed(r);
    expect_probe_agrees(r);
}

TEST(WhyProcess, ConnectToALiveUnixListenerIsAllowed) {
    Scratch s;
    const std::string path = s / "live.sock";
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 1), 0);
    const WhyRun w = why_json({"connect", "unix", path});
    expect_allowed(w);
    ::close(fd);
    // The file stays, nobody listens: a stale socket file.
    const WhyRun stale = why_json({"connect", "unix", path});
    EXPECT_EQ(stale.doc["errno"], "ECONNREFUSED") << stale.out;
}

}  // namespace
}  // namespace fdscope::test
