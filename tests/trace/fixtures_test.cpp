// The trace fixtures on their own and under the peers, before any fdscope:
// each does what its facts line says, and valgrind and strace (whose
// parsers the differential tests use) see the same story.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "support/support.hpp"
#include "trace/peer_run.hpp"
#include "trace/trace_helpers.hpp"

namespace fdscope::test {
namespace {

// The fixture alone: its exit status and JSON lines.
TraceRun native(const std::string& fixture, const std::vector<std::string>& args = {}) {
    std::vector<std::string> argv = {trace_fixture(fixture)};
    argv.insert(argv.end(), args.begin(), args.end());
    TraceSession s(argv);
    return s.finish();
}

std::vector<int> range(int first, int count) {
    std::vector<int> v(static_cast<std::size_t>(count));
    std::iota(v.begin(), v.end(), first);
    return v;
}

class Leakers : public ::testing::TestWithParam<std::string> {};

TEST_P(Leakers, LeakFiftyFdsThreeToFiftyTwo) {
    TraceRun r = native(GetParam());
    ASSERT_EQ(r.status, 0) << r.err;
    ASSERT_EQ(r.output.size(), 1u);
    EXPECT_EQ(r.output[0]["pairs"], 10000);
    EXPECT_EQ(r.output[0]["leaked"].get<std::vector<int>>(), range(3, 50));
}

INSTANTIATE_TEST_SUITE_P(Builds, Leakers,
                         ::testing::Values("trace_leaker_fp", "trace_leaker_nofp", "trace_leaker_static",
                                           "trace_leaker_cpp_fp", "trace_leaker_cpp_nofp", "trace_rawsys_fp",
                                           "trace_rawsys_nofp", "trace_rawsys_static"));

TEST(TraceFixtures, LeakerExitsWithTheStatusAsked) { EXPECT_EQ(native("trace_leaker_fp", {"10", "1", "3"}).status, 3); }

TEST(TraceFixtures, EachStoryPlaysOut) {
    for (const char* f : {"trace_exec_cross_fp", "trace_stale_close_fp", "trace_close_unopened_fp", "trace_arrays_fp",
                          "trace_scm_rights_fp", "trace_chain_fp", "trace_spawn_fp", "trace_thread_exec_fp"}) {
        TraceRun r = native(f);
        EXPECT_EQ(r.status, 0) << f << ": " << r.err << r.out;
        EXPECT_FALSE(r.output.empty()) << f;
    }
}

TEST(TraceFixtures, ChainPassesAndLeaksAsDocumented) {
    TraceRun r = native("trace_chain_nofp");
    ASSERT_EQ(r.status, 0) << r.err;
    ASSERT_EQ(r.output.size(), 4u);
    for (int l = 0; l <= 3; ++l) {
        const auto& line = r.output[static_cast<std::size_t>(3 - l)];  // the leaf prints first
        EXPECT_EQ(line["level"], l);
        EXPECT_EQ(line["inherited"].size(), l % 2 == 1 ? 1u : 0u);
        EXPECT_EQ(line["how"], l == 3 ? "none" : l == 1 ? "leak" : "pass");
        if (l < 3) {
            EXPECT_EQ(r.output[static_cast<std::size_t>(2 - l)]["parent"], line["pid"]);
        }
    }
}

// ----------------------------------------------------------- valgrind

class LeakersUnderValgrind : public ::testing::TestWithParam<std::string> {};

TEST_P(LeakersUnderValgrind, FdsAndTheirCreator) {
    if (!have_tool("valgrind")) GTEST_SKIP() << "valgrind is not installed";
    PeerRun p = run_valgrind(GetParam());
    ASSERT_EQ(p.status, 0) << p.log;
    ASSERT_EQ(p.output.size(), 1u);
    auto reports = parse_valgrind_fds(p.log);
    ASSERT_EQ(reports.size(), 1u) << p.log;
    EXPECT_EQ(reports[0].pid, p.output[0]["pid"].get<int>());
    std::vector<int> fds;
    for (const auto& fd : reports[0].fds) {
        fds.push_back(fd.fd);
        EXPECT_EQ(function_key(valgrind_creator(fd)), GetParam().find("_cpp") != std::string::npos
                                                            ? "leakers::FdHoarder::leak_fifty"
                                                            : "leak_fifty");
    }
    std::sort(fds.begin(), fds.end());
    EXPECT_EQ(fds, p.output[0]["leaked"].get<std::vector<int>>());
}

// valgrind tracks fds at the syscall: static and raw-syscall builds too.
INSTANTIATE_TEST_SUITE_P(Builds, LeakersUnderValgrind,
                         ::testing::Values("trace_leaker_fp", "trace_leaker_nofp", "trace_leaker_static",
                                           "trace_leaker_cpp_nofp", "trace_rawsys_fp", "trace_rawsys_static"));

TEST(TraceFixturesUnderValgrind, ArraysAndScmRights) {
    if (!have_tool("valgrind")) GTEST_SKIP() << "valgrind is not installed";
    PeerRun a = run_valgrind("trace_arrays_nofp");
    auto ra = parse_valgrind_fds(a.log);
    ASSERT_EQ(ra.size(), 1u) << a.log;
    std::map<std::string, int> by_creator;
    for (const auto& fd : ra[0].fds) ++by_creator[function_key(valgrind_creator(fd))];
    EXPECT_EQ(by_creator, (std::map<std::string, int>{{"make_pipe", 2}, {"make_socketpair", 2}}));

    PeerRun s = run_valgrind("trace_scm_rights_fp");
    auto rs = parse_valgrind_fds(s.log);
    ASSERT_EQ(rs.size(), 2u) << s.log;  // parent and child each print theirs
    const auto& parent = rs[0].pid == s.output.at(0)["pid"].get<int>() ? rs[0] : rs[1];
    ASSERT_EQ(parent.fds.size(), 1u);
    EXPECT_EQ(parent.fds[0].fd, s.output[0]["received_fd"].get<int>());
    EXPECT_EQ(function_key(valgrind_creator(parent.fds[0])), "receive_fd");
}

// ------------------------------------------------------------- strace

TEST(TraceFixturesUnderStrace, StaleCloseStoryPerThread) {
    if (!have_tool("strace")) GTEST_SKIP() << "strace is not installed";
    PeerRun p = run_strace("trace_stale_close_fp");
    ASSERT_EQ(p.status, 0) << p.log;
    const auto& facts = p.output.at(0);
    auto steps = strace_steps_by_tid(parse_strace(p.log));
    std::string n = std::to_string(facts["fd"].get<int>());
    EXPECT_EQ(steps[facts["owner_tid"].get<pid_t>()],
              (std::vector<std::string>{"openat -> " + n, "close " + n + " -> 0", "close " + n + " -> 0"}));
    EXPECT_EQ(steps[facts["victim_tid"].get<pid_t>()],
              (std::vector<std::string>{"openat -> " + n, "close " + n + " -> EBADF"}));
}

TEST(TraceFixturesUnderStrace, CloseUnopenedAndTheSweep) {
    if (!have_tool("strace")) GTEST_SKIP() << "strace is not installed";
    PeerRun p = run_strace("trace_close_unopened_fp");
    ASSERT_EQ(p.status, 0) << p.log;
    auto steps = strace_steps_by_tid(parse_strace(p.log));
    auto& main = steps[p.output.at(0)["pid"].get<pid_t>()];
    auto first = std::find(main.begin(), main.end(), "close 100 -> EBADF");
    ASSERT_NE(first, main.end());
    // Then the open of fd 3 and the 1,022 closes of the sweep.
    ASSERT_EQ(main.end() - first, 1 + 1 + 1022);
    EXPECT_EQ(first[1], "openat -> 3");
    EXPECT_EQ(first[2], "close 3 -> 0");
    EXPECT_EQ(first[3], "close 4 -> EBADF");
    EXPECT_EQ(main.back(), "close 1024 -> EBADF");
}

TEST(TraceFixturesUnderStrace, ChainHasFourProcessesThatEachExec) {
    if (!have_tool("strace")) GTEST_SKIP() << "strace is not installed";
    PeerRun p = run_strace("trace_chain_fp");
    ASSERT_EQ(p.status, 0) << p.log;
    StraceLog log = parse_strace(p.log);
    EXPECT_EQ(log.exits.size(), 4u);
    auto steps = strace_steps_by_tid(log);
    for (const auto& line : p.output) {
        pid_t pid = line["pid"].get<pid_t>();
        ASSERT_TRUE(steps.count(pid)) << pid;
        if (line["how"] == "pass") {
            EXPECT_NE(std::find(steps[pid].begin(), steps[pid].end(), "openat -> 3"), steps[pid].end());
        }
    }
}

}  // namespace
}  // namespace fdscope::test
