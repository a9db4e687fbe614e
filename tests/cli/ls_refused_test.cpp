// A process whose fd directory is listable but whose links and fdinfo are
// refused (ptrace access denied: a non-dumpable process seen by root
// without CAP_SYS_PTRACE, or pid 1 of a container's host): its fds are
// still listed, by number, as lsof lists them, and what could not be read
// is said, naming the pid.
#include <gtest/gtest.h>
#include <set>
#include <sstream>

#include "cli/cli_helpers.hpp"

namespace fdscope::test {
namespace {

// Runs ARGS as root without CAP_SYS_PTRACE (out of the bounding set, so
// the exec'd program has it in no set).
RunResult without_ptrace(const std::vector<std::string>& args) {
    std::vector<std::string> v = {"setpriv", "--bounding-set", "-sys_ptrace", "--"};
    v.insert(v.end(), args.begin(), args.end());
    return run(v);
}

// The fd numbers lsof lists for pid (-F f: one "fN" line per fd).
std::set<int> lsof_fds(pid_t pid) {
    RunResult r = without_ptrace({"lsof", "-n", "-P", "-p", std::to_string(pid), "-F", "f"});
    std::set<int> fds;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);)
        if (line.size() > 1 && line[0] == 'f' && std::isdigit(static_cast<unsigned char>(line[1])))
            fds.insert(std::stoi(line.substr(1)));
    return fds;
}

class LsRefused : public Backends {
protected:
    void SetUp() override {
        Backends::SetUp();
        if (IsSkipped()) return;
        if (!is_root()) GTEST_SKIP() << "needs root (it drops CAP_SYS_PTRACE to be refused)";
        if (!have_tool("setpriv") || !have_tool("lsof")) GTEST_SKIP() << "needs setpriv (util-linux) and lsof";
    }
};

TEST_P(LsRefused, FdsOfAProcessWhoseFdinfoIsRefusedAreListedAndTheGapIsNamed) {
    Fixture fx("not_dumpable");
    const pid_t pid = fx.facts()["pid"];
    const std::string p = std::to_string(pid);
    RunResult probe = without_ptrace({"cat", "/proc/" + p + "/fdinfo/0"});
    if (probe.status == 0) GTEST_SKIP() << "this kernel shows a non-dumpable process's fdinfo without CAP_SYS_PTRACE";

    std::set<int> expected;
    for (int fd : fx.facts()["fds"]) expected.insert(fd);
    EXPECT_EQ(lsof_fds(pid), expected) << "lsof lists every fd by number";

    RunResult r = without_ptrace(with_backend({fdscope_bin(), "ls", "-p", p, "--json"}));
    ASSERT_EQ(r.status, 0) << r.err;
    auto doc = nlohmann::json::parse(r.out);
    std::set<int> listed;
    for (const auto& [fd, f] : fd_rows(doc, pid)) {
        listed.insert(fd);
        if (GetParam() == "procfs") {  // BPF iterators are not refused: they see the files
            EXPECT_EQ(f["kind"], "unknown") << f.dump();
            EXPECT_TRUE(f["mode"].is_null() && f["cloexec"].is_null() && f["pos"].is_null()) << "unknown, not guessed: " << f.dump();
        }
    }
    EXPECT_EQ(listed, expected) << "every fd, as lsof lists them";
    if (GetParam() == "procfs") {
        bool named = false;
        for (const auto& n : doc["notes"])
            named = named || n.get<std::string>().find("pid " + p + " (not_dumpable): fdinfo not readable") != std::string::npos;
        EXPECT_TRUE(named) << doc["notes"].dump();
        RunResult t = without_ptrace(with_backend({fdscope_bin(), "ls", "-p", p}));
        ASSERT_EQ(t.status, 0) << t.err;
        EXPECT_NE(t.err.find("pid " + p + " (not_dumpable): fdinfo not readable (permission denied): " +
                             std::to_string(expected.size()) +
                             " fds listed by number only (their links are refused too); cwd, root and exe refused too"),
                  std::string::npos)
            << t.err;
        EXPECT_EQ(t.err.find("skipped"), std::string::npos) << "a listed process is not skipped: " << t.err;
    }
}

// A process whose fd directory itself is refused (another user's, as
// nobody) is skipped, and the skip line names it.
TEST(LsSkipped, TheSkipLineNamesTheRefusedPids) {
    if (!is_root()) GTEST_SKIP() << "needs root to switch to nobody";
    if (!have_tool("setpriv")) GTEST_SKIP() << "setpriv (util-linux) not installed";
    Fixture fx("flat", {"3"});
    const std::string p = std::to_string(fx.facts()["pid"].get<int>());
    RunResult t = fdscope_as_nobody({"ls", "-p", p, "--backend", "procfs"});
    ASSERT_EQ(t.status, 0) << t.err;
    EXPECT_NE(t.err.find("1 process skipped (1 permission denied: pid " + p + "; 0 vanished)"), std::string::npos) << t.err;
}

INSTANTIATE_BACKENDS(LsRefused);

}  // namespace
}  // namespace fdscope::test
