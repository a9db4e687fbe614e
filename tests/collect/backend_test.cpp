// Which backend `auto` picks, and the BPF path fallbacks seen from the
// command line: forced refusals (FDSCOPE_BPF_REFUSE) change how paths are
// read, never what fdscope prints.
#include <gtest/gtest.h>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <unistd.h>

#include "cli/cli_helpers.hpp"
#include "sys/files.hpp"

namespace fdscope::test {
namespace {

// Whether pid descends from ctest (our parent): this test run's processes
// come and go between two scans; the machine's others stay.
bool ours(pid_t pid) {
    for (int depth = 0; pid > 1 && depth < 64; ++depth) {
        if (pid == ::getppid() || pid == ::getpid()) return true;
        // read_all: a process that exits between the open and the read
        // gives ESRCH there, which std::ifstream turns into an exception.
        std::string stat;
        if (sys::read_all(("/proc/" + std::to_string(pid) + "/stat").c_str(), stat) != 0) return true;
        const auto close = stat.rfind(')');
        if (close == std::string::npos) return true;  // gone: treat as transient
        std::istringstream rest(stat.substr(close + 2));
        char state = 0;
        rest >> state >> pid;
    }
    return false;
}

std::string bpf_skip() {
    static const std::string why = bpf_unavailable_reason();
    return why;
}

// A few pids: procfs answers sooner, with the same answer (bench/RESULTS.md).
TEST(AutoBackend, FewPidsReadThroughProcfsTheMachineThroughBpf) {
    if (!bpf_skip().empty()) GTEST_SKIP() << "the BPF backend cannot run here: " << bpf_skip();
    Fixture fx("population");
    const std::string pid = std::to_string(fx.facts()["pid"].get<pid_t>());
    EXPECT_EQ(fdscope_json({"ls", "-p", pid})["backend"], "procfs");
    EXPECT_EQ(fdscope_json({"ls", "-p", pid, "--backend", "bpf"})["backend"], "bpf");
    EXPECT_EQ(fdscope_json({"audit", "-p", pid})["backend"], "procfs");
    EXPECT_EQ(fdscope_json({"account"})["backend"], "bpf");
}

// The whole machine, with bpf_d_path refused in every program: the same
// names and deleted flags as procfs for every fd and mapping both saw, and
// the same stdio findings (a dentry name "null" for /dev/null once made
// every daemon's stdio a HIGH finding).
TEST(ForcedFallback, WholeMachineNamesAndStdioFindingsMatchProcfs) {
    if (!bpf_skip().empty()) GTEST_SKIP() << "the BPF backend cannot run here: " << bpf_skip();
    Fixture fx("path_names");
    std::set<pid_t> fixture{fx.facts()["pid"].get<pid_t>()};
    for (const auto& c : fx.facts().value("children", nlohmann::json::array())) fixture.insert(c.get<pid_t>());
    std::size_t stable = 0;  // rows of processes that stay as they are
    for (const char* refuse : {"d_path", "file_d_path", "d_path,loop"}) {
        RunResult b = run({fdscope_bin(), "ls", "--backend", "bpf", "--json"}, {std::string("FDSCOPE_BPF_REFUSE=") + refuse});
        RunResult p = run({fdscope_bin(), "ls", "--backend", "procfs", "--json"});
        ASSERT_EQ(b.status, 0) << b.err;
        ASSERT_EQ(p.status, 0) << p.err;
        auto key = [](const nlohmann::json& f) {
            return f["pid"].dump() + " " + f["tid"].dump() + " " + f["assoc"].dump() + " " + f["fd"].dump() + " " +
                   f["inode"].dump() + " " + (f.contains("range") ? f["range"].dump() : "");
        };
        std::map<std::string, nlohmann::json> pro;
        const auto pdoc = nlohmann::json::parse(p.out), bdoc = nlohmann::json::parse(b.out);
        stable = 0;
        for (const auto& f : pdoc["files"]) {
            pro[key(f)] = f;
            const pid_t pid = f["pid"].get<pid_t>();
            if (!ours(pid) || fixture.count(pid)) ++stable;
        }
        std::size_t compared = 0;
        for (const auto& f : bdoc["files"]) {
            auto it = pro.find(key(f));
            const pid_t pid = f["pid"].get<pid_t>();
            // This test run's other processes may change between the two
            // scans; the fixture's (hostile, deep, deleted names) do not.
            if (it == pro.end() || (ours(pid) && !fixture.count(pid))) continue;
            ++compared;
            EXPECT_EQ(f["name"], it->second["name"]) << refuse << ": " << key(f);
            EXPECT_EQ(f["deleted"], it->second["deleted"]) << refuse << ": " << key(f);
        }
        // Nearly every stable row is in both (a daemon may still open or
        // close a file between the scans), the fixture's 20-odd among them.
        EXPECT_GE(compared * 10, stable * 9) << refuse << ": " << compared << " of " << stable;
        EXPECT_GT(compared, 20u) << refuse;
        auto stdio = [](const std::string& out) {
            std::set<std::string> s;
            const auto doc = nlohmann::json::parse(out);
            for (const auto& f : doc["findings"])
                if (f["kind"] == "stdio" && !ours(f["pid"].get<pid_t>())) s.insert(f["pid"].dump() + " " + f["fd"].dump() + " " + f["severity"].dump());
            return s;
        };
        RunResult ab = run({fdscope_bin(), "audit", "--backend", "bpf", "--json"}, {std::string("FDSCOPE_BPF_REFUSE=") + refuse});
        RunResult ap = run({fdscope_bin(), "audit", "--backend", "procfs", "--json"});
        EXPECT_EQ(stdio(ab.out), stdio(ap.out)) << refuse;
    }
}

TEST(ForcedFallback, UnknownRefusalIsABackendError) {
    if (!bpf_skip().empty()) GTEST_SKIP() << "the BPF backend cannot run here: " << bpf_skip();
    RunResult r = run({fdscope_bin(), "ls", "--backend", "bpf"}, {"FDSCOPE_BPF_REFUSE=everything"});
    EXPECT_EQ(r.status, 3);
    EXPECT_NE(r.err.find("everything"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace fdscope::test
