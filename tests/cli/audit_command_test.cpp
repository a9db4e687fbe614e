// `fdscope audit` on fixtures that each build one hazard (or one situation
// that must not be reported), on both backends; exit codes and suppression.
#include <fstream>
#include <gtest/gtest.h>
#include <regex>
#include <sstream>
#include <unistd.h>

#include "cli/cli_helpers.hpp"

namespace fdscope::test {
namespace {

std::vector<nlohmann::json> findings(const nlohmann::json& doc, const std::string& kind, pid_t pid) {
    std::vector<nlohmann::json> out;
    for (const auto& f : doc["findings"])
        if (f["kind"] == kind && f["pid"] == pid) out.push_back(f);
    return out;
}

using Audit = Backends;

TEST_P(Audit, InheritedListenerIsHighAndNamesPortAndBothPids) {
    Fixture fx("inherited_listener");
    const pid_t parent = fx.facts()["pid"], child = fx.facts()["child_pid"];
    auto doc = json({"audit", "-p", std::to_string(parent)});
    EXPECT_EQ(doc["command"], "audit");
    auto f = findings(doc, "inherited", child);
    ASSERT_EQ(f.size(), 1u) << doc.dump();
    EXPECT_EQ(f[0]["severity"], "high");
    EXPECT_EQ(f[0]["fd"], fx.facts()["fd"]);
    const std::string port = std::to_string(fx.facts()["port"].get<int>());
    EXPECT_NE(f[0]["name"].get<std::string>().find(port), std::string::npos) << f[0].dump();
    EXPECT_EQ(f[0]["holders"][0]["pid"], parent);
    const std::string explain = f[0]["explain"];
    EXPECT_NE(explain.find(std::to_string(child)), std::string::npos) << explain;
    EXPECT_NE(explain.find(std::to_string(parent)), std::string::npos) << explain;
    EXPECT_NE(f[0]["fix"].get<std::string>().find("SOCK_CLOEXEC"), std::string::npos);
    EXPECT_TRUE(findings(doc, "inherited", parent).empty()) << "the parent is where it came from";
    // CI: the exit status.
    EXPECT_EQ(run(with_backend({fdscope_bin(), "audit", "-p", std::to_string(parent), "--fail-on", "high"})).status, 1);
    EXPECT_EQ(run(with_backend({fdscope_bin(), "audit", "-p", std::to_string(parent)})).status, 0);
}

// The parent spawned sleep, forked a worker that never exec'd, and closed
// its own copy: the finding is on the sleep, from the parent; not on the
// worker (a fork without exec crosses no exec).
TEST_P(Audit, OpenerClosedItsCopyTheExecdChildIsNamedNotTheFork) {
    Fixture fx("inherited_listener", {"--parent-closes"});
    const pid_t parent = fx.facts()["pid"], child = fx.facts()["child_pid"], sibling = fx.facts()["sibling_pid"];
    auto doc = json({"audit", "-p", std::to_string(parent)});
    auto f = findings(doc, "inherited", child);
    ASSERT_EQ(f.size(), 1u) << doc.dump();
    EXPECT_EQ(f[0]["severity"], "high");
    EXPECT_EQ(f[0]["fd"], fx.facts()["fd"]);
    ASSERT_EQ(f[0]["holders"].size(), 2u) << f[0].dump();
    EXPECT_EQ(f[0]["holders"][0]["pid"], parent) << "the parent it came from";
    EXPECT_TRUE(f[0]["holders"][0]["fd"].is_null()) << "it has closed its copy";
    EXPECT_EQ(f[0]["holders"][1]["pid"], sibling);
    EXPECT_TRUE(findings(doc, "inherited", sibling).empty()) << doc.dump();
    EXPECT_TRUE(findings(doc, "inherited", parent).empty()) << doc.dump();
    RunResult text = run(with_backend({fdscope_bin(), "audit", "-p", std::to_string(parent)}));
    EXPECT_NE(text.out.find("pid " + std::to_string(parent) + " (inherited_liste, closed its copy)"), std::string::npos)
        << text.out;
}

TEST_P(Audit, ListenerWithSockCloexecIsNoFinding) {
    Fixture fx("inherited_listener", {"--cloexec"});
    const pid_t parent = fx.facts()["pid"];
    auto doc = json({"audit", "-p", std::to_string(parent)});
    for (const auto& f : doc["findings"]) EXPECT_NE(f["kind"], "inherited") << f.dump();
    EXPECT_EQ(run(with_backend({fdscope_bin(), "audit", "-p", std::to_string(parent), "--fail-on", "medium"})).status, 0);
}

TEST_P(Audit, PipeWriteEndInAnExecdGrandchildIsHigh) {
    Fixture fx("pipe_grandchild");
    const pid_t parent = fx.facts()["pid"], grandchild = fx.facts()["grandchild_pid"];
    auto doc = json({"audit", "-p", std::to_string(parent)});
    auto f = findings(doc, "inherited", grandchild);
    ASSERT_EQ(f.size(), 1u) << doc.dump();
    EXPECT_EQ(f[0]["severity"], "high");
    EXPECT_EQ(f[0]["fd"], fx.facts()["write_fd"]);
    EXPECT_EQ(f[0]["holders"][0]["pid"], parent) << "it came from the reader's process";
    EXPECT_NE(f[0]["explain"].get<std::string>().find("end-of-file"), std::string::npos);
}

TEST_P(Audit, InheritedFileIsMediumAndHighWhenLocked) {
    Fixture fx("inherited_lock");
    const pid_t parent = fx.facts()["pid"], child = fx.facts()["child_pid"];
    auto doc = json({"audit", "-p", std::to_string(parent)});
    auto f = findings(doc, "inherited", child);
    ASSERT_EQ(f.size(), 1u) << doc.dump();
    EXPECT_EQ(f[0]["name"], fx.facts()["path"]);
    EXPECT_EQ(f[0]["severity"], "high") << "it holds the flock";
    EXPECT_NE(f[0]["explain"].get<std::string>().find("lock"), std::string::npos);

    Fixture plain("inherited_lock", {"--no-lock"});
    auto doc2 = json({"audit", "-p", std::to_string(plain.facts()["pid"].get<int>())});
    auto g = findings(doc2, "inherited", plain.facts()["child_pid"]);
    ASSERT_EQ(g.size(), 1u) << doc2.dump();
    EXPECT_EQ(g[0]["severity"], "medium") << "no lock: disk space and leases only";
}

TEST_P(Audit, StdoutReusedByAnOpenIsHigh) {
    Fixture fx("stdio_reused");
    const pid_t pid = fx.facts()["pid"];
    auto doc = json({"audit", "-p", std::to_string(pid)});
    auto f = findings(doc, "stdio", pid);
    ASSERT_EQ(f.size(), 1u) << doc.dump();
    EXPECT_EQ(f[0]["fd"], 1);
    EXPECT_EQ(f[0]["severity"], "high");
    EXPECT_EQ(f[0]["name"], fx.facts()["path"]);
    // A read-only stdout: writes fail with EBADF, nothing goes into the file.
    const std::string explain = f[0]["explain"];
    EXPECT_NE(explain.find("read-only"), std::string::npos) << explain;
    EXPECT_NE(explain.find("EBADF"), std::string::npos) << explain;
    EXPECT_EQ(explain.find("into that file"), std::string::npos) << explain;
}

// The classic reuse: a database opened O_RDWR took fd 1 (medium: it may be a
// <> redirection), a listening socket took fd 2 (high: never a redirection).
TEST_P(Audit, DatabaseOnStdoutAndListenerOnStderr) {
    Fixture fx("stdio_reused", {"--db"});
    const pid_t pid = fx.facts()["pid"];
    auto doc = json({"audit", "-p", std::to_string(pid)});
    auto f = findings(doc, "stdio", pid);
    ASSERT_EQ(f.size(), 2u) << doc.dump();
    // High first.
    EXPECT_EQ(f[0]["fd"], 2);
    EXPECT_EQ(f[0]["severity"], "high");
    const std::string port = std::to_string(fx.facts()["port"].get<int>());
    EXPECT_NE(f[0]["name"].get<std::string>().find(port), std::string::npos) << f[0].dump();
    EXPECT_NE(f[0]["explain"].get<std::string>().find("listening socket"), std::string::npos) << f[0].dump();
    EXPECT_EQ(f[1]["fd"], 1);
    EXPECT_EQ(f[1]["severity"], "medium");
    EXPECT_EQ(f[1]["name"], fd_rows(json({"ls", "-p", std::to_string(pid)}), pid)[1]["name"]) << "the file ls shows";
    EXPECT_NE(f[1]["explain"].get<std::string>().find("written into that file"), std::string::npos) << f[1].dump();
    EXPECT_EQ(run(with_backend({fdscope_bin(), "audit", "-p", std::to_string(pid), "--fail-on", "high"})).status, 1);
}

TEST_P(Audit, DeletedSixtyFourMiBFileWithItsSize) {
    Fixture fx("deleted_file", {"64M"});
    const pid_t pid = fx.facts()["pid"];
    auto doc = json({"audit", "-p", std::to_string(pid)});
    auto f = findings(doc, "deleted", pid);
    ASSERT_EQ(f.size(), 1u) << doc.dump();
    EXPECT_EQ(f[0]["severity"], "medium");
    EXPECT_NE(f[0]["explain"].get<std::string>().find(std::to_string(64 << 20)), std::string::npos) << f[0].dump();
    ASSERT_FALSE(doc["deleted_space"].empty());
    EXPECT_GE(doc["deleted_space"][0]["bytes"].get<std::uint64_t>(), std::uint64_t{64} << 20);
    // Below the threshold it is low.
    auto big = json({"audit", "-p", std::to_string(pid), "--deleted-min", std::to_string(128 << 20)});
    EXPECT_EQ(findings(big, "deleted", pid).at(0)["severity"], "low");
}

TEST_P(Audit, EightyFivePercentOfTheLimitIsNearLimit) {
    Fixture fx("fd_limit", {"200", "85"});
    const pid_t pid = fx.facts()["pid"];
    auto doc = json({"audit", "-p", std::to_string(pid)});
    auto f = findings(doc, "near-limit", pid);
    ASSERT_EQ(f.size(), 1u) << doc.dump();
    EXPECT_EQ(f[0]["severity"], "medium");
    EXPECT_NE(f[0]["fix"].get<std::string>().find("prlimit"), std::string::npos);
}

// Whether this process may raise hard limits (root in a container may not).
bool have_cap_sys_resource() {
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("CapEff:")) return (std::stoull(line.substr(7), nullptr, 16) >> 24) & 1;  // CAP_SYS_RESOURCE
    return false;
}

// "Max open files  SOFT  HARD  files" of /proc/PID/limits.
std::string nofile_limits(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("Max open files")) {
            std::istringstream words(line.substr(14));
            std::string soft, hard;
            words >> soft >> hard;
            return soft + ":" + hard;
        }
    return "";
}

// Soft limit 200, hard 300: twice the soft limit is above the hard one, so
// the fix raises both (CAP_SYS_RESOURCE) and says what works without it, up
// to the hard limit. Both are commands prlimit accepts: run them.
TEST_P(Audit, NearLimitFixesAreCommandsPrlimitAccepts) {
    if (!is_root()) GTEST_SKIP() << "prlimit on the fixture needs its user (root)";
    Fixture fx("fd_limit", {"--hard", "300", "200", "85"});
    const pid_t pid = fx.facts()["pid"];
    ASSERT_EQ(fx.facts()["hard_limit"], 300);
    auto f = findings(json({"audit", "-p", std::to_string(pid)}), "near-limit", pid);
    ASSERT_EQ(f.size(), 1u);
    const std::string fix = f[0]["fix"];
    const std::regex command("prlimit --pid ([0-9]+) --nofile=([0-9]+):([0-9]+)");
    std::vector<std::smatch> cmds;
    for (std::sregex_iterator it(fix.begin(), fix.end(), command), end; it != end; ++it) cmds.push_back(*it);
    ASSERT_EQ(cmds.size(), 2u) << fix;
    for (const auto& m : cmds) {
        EXPECT_EQ(m[1].str(), std::to_string(pid));
        EXPECT_LE(std::stol(m[2].str()), std::stol(m[3].str())) << "soft above hard: " << fix;
    }
    EXPECT_GT(std::stol(cmds[0][3].str()), 300) << "raises the hard limit: " << fix;
    EXPECT_NE(fix.find("CAP_SYS_RESOURCE"), std::string::npos) << fix;
    EXPECT_EQ(cmds[1][2].str() + ":" + cmds[1][3].str(), "300:300") << "without privilege: " << fix;
    auto apply = [&](const std::smatch& m) {
        return run({"prlimit", "--pid", m[1].str(), "--nofile=" + m[2].str() + ":" + m[3].str()});
    };
    if (have_cap_sys_resource()) {
        RunResult r = apply(cmds[0]);
        ASSERT_EQ(r.status, 0) << r.err;
        EXPECT_EQ(nofile_limits(pid), cmds[0][2].str() + ":" + cmds[0][3].str());
    } else {
        // As the fix says: raising the hard limit is refused without it ...
        EXPECT_NE(apply(cmds[0]).status, 0) << "raised a hard limit without CAP_SYS_RESOURCE";
        // ... and the soft limit up to the hard one is not.
        RunResult r = apply(cmds[1]);
        ASSERT_EQ(r.status, 0) << r.err;
        EXPECT_EQ(nofile_limits(pid), "300:300");
    }
    auto after = findings(json({"audit", "-p", std::to_string(pid)}), "near-limit", pid);
    EXPECT_TRUE(after.empty()) << after.front().dump();
}

TEST_P(Audit, ForkWithoutExecAndShellStdioAreNoFindings) {
    Fixture fx("fork_shared");
    const pid_t pid = fx.facts()["pid"];
    auto doc = json({"audit", "-p", std::to_string(pid)});
    EXPECT_TRUE(doc["findings"].empty()) << doc.dump();
}

TEST_P(Audit, IgnoreAndSuppressionFileAcceptKnownFindings) {
    Fixture fx("inherited_listener");
    const std::string parent = std::to_string(fx.facts()["pid"].get<int>());
    const std::string port = std::to_string(fx.facts()["port"].get<int>());
    EXPECT_EQ(run(with_backend({fdscope_bin(), "audit", "-p", parent, "--fail-on", "low", "--ignore", "inherited"})).status, 0);
    char path[] = "/tmp/fdscope-suppress-XXXXXX";
    int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ::close(fd);
    auto with_rules = [&](const std::string& rules) {
        std::ofstream(path) << rules;
        return run(with_backend({fdscope_bin(), "audit", "-p", parent, "--fail-on", "low", "--suppress", path})).status;
    };
    EXPECT_EQ(with_rules("# the listener is handed to sleep on purpose\ninherited sleep :" + port + "\ninherited sleep pipe:*\n"), 0);
    EXPECT_EQ(with_rules("inherited sleep :1\n"), 1) << "another port does not match";
    EXPECT_EQ(with_rules("inherited other-command\n"), 1);
    EXPECT_EQ(with_rules("nonsense sleep\n"), 2) << "unknown kind: usage error";
    ::unlink(path);
    EXPECT_EQ(run({fdscope_bin(), "audit", "--fail-on", "urgent"}).status, 2);
    EXPECT_EQ(run({fdscope_bin(), "audit", "--ignore", "nonsense"}).status, 2);
}

// `audit -p PID --fail-on high` in CI: a service that is gone must fail
// the job, not pass with "No findings.".
TEST_P(Audit, APidThatDoesNotExistFailsAndIsNamed) {
    const std::string absent = std::to_string(absent_pid());
    RunResult r = run(with_backend({fdscope_bin(), "audit", "-p", absent, "--fail-on", "high"}));
    EXPECT_EQ(r.status, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("fdscope audit: no process " + absent), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "") << "nothing to report about no process";
    Fixture fx("flat", {"3"});
    const std::string here = std::to_string(fx.facts()["pid"].get<int>());
    RunResult some = run(with_backend({fdscope_bin(), "audit", "-p", here + "," + absent, "--json"}));
    EXPECT_EQ(some.status, 1) << some.err;
    EXPECT_NE(some.err.find("no process " + absent), std::string::npos) << some.err;
    EXPECT_TRUE(nlohmann::json::accept(some.out)) << "the existing pid is still audited: " << some.out;
    EXPECT_EQ(run(with_backend({fdscope_bin(), "audit", "-p", here})).status, 0);
}

INSTANTIATE_BACKENDS(Audit);

}  // namespace
}  // namespace fdscope::test
