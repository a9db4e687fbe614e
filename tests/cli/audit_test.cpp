// `fdscope audit` on fixtures that each build one hazard (or one situation
// that must not be reported), on both backends; exit codes and suppression.
#include <fstream>
#include <gtest/gtest.h>
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
