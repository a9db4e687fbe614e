// fdscope trace against the peers users would reach for, on the same
// fixtures (valgrind 3.19's --track-fds follows static and raw-syscall
// programs too: it tracks fds at the syscall, not in libc): its leak list must be valgrind --track-fds=yes's list
// of fds open at exit (how many each creating function left, and the
// numbers when the report lists them), and its event sequence per thread
// must be strace -f's for the traced syscalls.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <tuple>

#include "support/support.hpp"
#include "trace/peer_run.hpp"
#include "trace/trace_helpers.hpp"

namespace fdscope::test {
namespace {

using Case = std::tuple<std::string, std::string>;  // engine, fixture

// Skips the calling test (which must then return: see IsSkipped()).
void skip_unless(const std::string& engine, const char* peer) {
    if (!have_tool(peer)) GTEST_SKIP() << peer << " is not installed";
    if (engine == "bpf") {
        std::string why = engine_unavailable(engine);
        if (!why.empty()) GTEST_SKIP() << "the bpf engine cannot run here: " << why;
    }
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
    return std::get<0>(info.param) + "_" + std::get<1>(info.param);
}

// -------------------------------------------------------------- valgrind

class VersusValgrind : public ::testing::TestWithParam<Case> {};

TEST_P(VersusValgrind, LeaksAreTheFdsOpenAtExit) {
    auto [engine, fixture] = GetParam();
    skip_unless(engine, "valgrind");
    if (IsSkipped()) return;
    PeerRun v = run_valgrind(fixture);
    ASSERT_EQ(v.status, 0) << v.log;
    pid_t vpid = v.output.at(0)["pid"].get<pid_t>();
    std::map<std::string, int> peer_counts;
    std::map<int, std::string> peer_fds;
    for (const auto& rep : parse_valgrind_fds(v.log)) {
        if (rep.pid != vpid) continue;
        for (const auto& fd : rep.fds) {
            if (fd.inherited) continue;
            std::string creator = function_key(valgrind_creator(fd));
            ++peer_counts[creator];
            peer_fds[fd.fd] = creator;
        }
    }
    ASSERT_FALSE(peer_counts.empty()) << v.log;

    TraceRun t = run_trace({"--engine", engine, "--", trace_fixture(fixture)});
    ASSERT_EQ(t.status, 0) << t.err;
    ASSERT_FALSE(t.report.is_null()) << t.err;
    pid_t tpid = t.output.at(0)["pid"].get<pid_t>();
    std::map<std::string, int> our_counts;
    std::map<int, std::string> our_fds;
    bool listed = true;
    for (const auto& g : leaks(t.report)) {
        if (g.pid != tpid) continue;
        // The group's creating function: the one valgrind names, if its stack has it.
        std::string creator = "?";
        for (const auto& [name, n] : peer_counts)
            if (has_function(g.stack, name)) creator = name;
        // bpf, a process gone before its maps were read (names_function):
        // the fds still count, under the creator valgrind gives the first.
        if (creator == "?" && !g.fds.empty())
            if (auto p = peer_fds.find(g.fds.front()); p != peer_fds.end() && names_function(t.report, g.stack, p->second))
                creator = p->second;
        our_counts[creator] += g.count;
        if (g.fds.empty()) listed = false;
        for (int fd : g.fds) our_fds[fd] = creator;
    }
    EXPECT_EQ(our_counts, peer_counts) << describe_leaks(t.report) << v.log;
    if (listed) {
        EXPECT_EQ(our_fds, peer_fds);
    }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, VersusValgrind,
                         ::testing::Combine(::testing::Values("ptrace", "bpf"),
                                            ::testing::Values("trace_leaker_fp", "trace_leaker_nofp",
                                                              "trace_leaker_cpp_fp", "trace_arrays_fp",
                                                              "trace_scm_rights_fp", "trace_leaker_static",
                                                              "trace_rawsys_fp", "trace_rawsys_static")),
                         case_name);

// ---------------------------------------------------------------- strace

class VersusStrace : public ::testing::TestWithParam<Case> {};

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string dump(const std::vector<std::vector<std::string>>& seqs) {
    std::string s;
    for (const auto& seq : seqs) {
        s += "thread:";
        for (const auto& step : seq) s += " [" + step + "]";
        s += "\n";
    }
    return s;
}

TEST_P(VersusStrace, EventSequencePerThread) {
    auto [engine, fixture] = GetParam();
    skip_unless(engine, "strace");
    if (IsSkipped()) return;
    PeerRun s = run_strace(fixture);
    ASSERT_EQ(s.status, 0) << s.log;
    auto peer = thread_sequences(strace_steps_by_tid(parse_strace(s.log)));

    char path[] = "/tmp/fdscope-events-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    TraceRun t = run_trace({"--engine", engine, "--ndjson", "-o", path, "--", trace_fixture(fixture)});
    std::string events = slurp(path);
    unlink(path);
    ASSERT_EQ(t.status, 0) << t.err;
    // Only the syscalls strace was asked for: fdscope also sees the rest.
    std::map<pid_t, std::vector<std::string>> ours;
    std::string classes = std::string(",") + kStraceClasses + ",";
    for (const auto& e : parse_events(events)) {
        std::string step = event_step(e);
        if (step.empty()) continue;
        std::string op = e.op.rfind("fcntl", 0) == 0 ? "fcntl" : e.op == "recvmsg_rights" ? "recvmsg" : e.op;
        if (classes.find("," + op + ",") == std::string::npos &&
            !(op == "eventfd" || op == "epoll_create"))
            continue;
        ours[e.tid].push_back(step);
    }
    EXPECT_EQ(thread_sequences(ours), peer) << "fdscope:\n" << dump(thread_sequences(ours)) << "strace:\n" << dump(peer);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, VersusStrace,
                         ::testing::Combine(::testing::Values("ptrace", "bpf"),
                                            ::testing::Values("trace_stale_close_fp", "trace_arrays_fp",
                                                              "trace_scm_rights_fp", "trace_chain_fp",
                                                              "trace_close_unopened_fp", "trace_exec_cross_fp")),
                         case_name);

}  // namespace
}  // namespace fdscope::test
