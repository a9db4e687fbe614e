// `fdscope trace` end to end, through the command line, on the trace
// fixtures, on each engine: the report must say exactly what each fixture
// did (its facts line says it too). The bpf engine skips, with fdscope's
// reason, where it cannot load.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <tuple>

#include "support/support.hpp"
#include "trace/trace_helpers.hpp"

namespace fdscope::test {
namespace {

class TraceCli : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override { skip_unless_engine(GetParam()); }
    static void skip_unless_engine(const std::string& engine) {
        if (engine != "bpf") return;
        std::string why = engine_unavailable(engine);
        if (!why.empty()) GTEST_SKIP() << "the bpf engine cannot run here: " << why;
    }
    // fdscope trace --engine E OPTIONS -- FIXTURE ARGS
    TraceRun trace(const std::string& fixture, const std::vector<std::string>& args = {},
                   const std::vector<std::string>& options = {}) {
        std::vector<std::string> a = {"--engine", GetParam()};
        a.insert(a.end(), options.begin(), options.end());
        a.push_back("--");
        a.push_back(trace_fixture(fixture));
        a.insert(a.end(), args.begin(), args.end());
        TraceRun r = run_trace(a);
        EXPECT_FALSE(r.report.is_null()) << "no report; stderr:\n" << r.err;
        EXPECT_EQ(engine_of(r.report), GetParam());
        EXPECT_EQ(lost_events(r.report), 0);
        return r;
    }
};

std::string engine_name(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

// The facts line of the traced command whose field `key` equals `value`.
nlohmann::json line_with(const TraceRun& r, const std::string& key, const nlohmann::json& value) {
    for (const auto& l : r.output)
        if (l.is_object() && l.contains(key) && l[key] == value) return l;
    ADD_FAILURE() << "no output line with " << key << "=" << value.dump() << " in:\n" << r.out;
    return nlohmann::json::object();
}

const ProcessRow* process(const std::vector<ProcessRow>& ps, pid_t pid) {
    auto it = std::find_if(ps.begin(), ps.end(), [&](const ProcessRow& p) { return p.pid == pid; });
    return it == ps.end() ? nullptr : &*it;
}

// ---------------------------------------------------------------- leaks

// Every leaker build: 50 leaks in one group made by leak_fifty, among
// 10,000 balanced pairs, whether libc wraps the syscalls or not, whether
// there are frame pointers or a dynamic loader.
class TraceLeakers : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(TraceLeakers, FiftyLeaksInOneGroupFromLeakFifty) {
    auto [engine, fixture] = GetParam();
    if (engine == "bpf") {
        std::string why = engine_unavailable(engine);
        if (!why.empty()) GTEST_SKIP() << "the bpf engine cannot run here: " << why;
    }
    TraceRun r = run_trace({"--engine", engine, "--", trace_fixture(fixture)});
    ASSERT_EQ(r.status, 0) << r.err;
    ASSERT_FALSE(r.report.is_null()) << r.err;
    ASSERT_EQ(r.output.size(), 1u) << r.out;
    const auto& facts = r.output[0];
    EXPECT_EQ(engine_of(r.report), engine);
    EXPECT_EQ(lost_events(r.report), 0);
    std::string function = fixture.find("_cpp") != std::string::npos ? "leakers::FdHoarder::leak_fifty()" : "leak_fifty";
    auto groups = leaks(r.report);
    ASSERT_EQ(groups.size(), 1u) << describe_leaks(r.report);
    const LeakGroup& g = groups[0];
    EXPECT_EQ(g.pid, facts["pid"].get<pid_t>());
    EXPECT_EQ(g.count, 50);
    EXPECT_EQ(g.kind, "chr");
    EXPECT_NE(std::find(g.names.begin(), g.names.end(), "/dev/null"), g.names.end());
    EXPECT_TRUE(has_function(g.stack, function)) << describe_leaks(r.report);
    if (engine == "bpf" && fixture.find("nofp") != std::string::npos) {
        // The kernel walks frame pointers: past leak_fifty (found by its
        // wrapper's CFI rule) a build without them ends the stack, and the
        // report says so and where (the rule for this engine).
        EXPECT_TRUE(notes_mention(r.report, "stacks stop in", fixture)) << r.report.dump(1);
    } else {
        EXPECT_TRUE(has_function(g.stack, "main")) << describe_leaks(r.report);
    }
    // The report lists the first fds of a group (a sample), in order.
    const auto leaked = facts["leaked"].get<std::vector<int>>();
    ASSERT_LE(g.fds.size(), leaked.size());
    EXPECT_FALSE(g.fds.empty());
    EXPECT_TRUE(std::equal(g.fds.begin(), g.fds.end(), leaked.begin()));
    auto ps = processes(r.report);
    ASSERT_EQ(ps.size(), 1u);
    EXPECT_EQ(ps[0].pid, facts["pid"].get<pid_t>());
    EXPECT_NE(ps[0].exe.find(fixture), std::string::npos) << ps[0].exe;
    EXPECT_TRUE(crossed(r.report).empty());
    EXPECT_TRUE(stale_closes(r.report).empty());
}

std::string leaker_name(const ::testing::TestParamInfo<std::tuple<std::string, std::string>>& info) {
    return std::get<0>(info.param) + "_" + std::get<1>(info.param);
}

INSTANTIATE_TEST_SUITE_P(Builds, TraceLeakers,
                         ::testing::Combine(::testing::Values("ptrace", "bpf"),
                                            ::testing::Values("trace_leaker_fp", "trace_leaker_nofp",
                                                              "trace_leaker_static", "trace_leaker_cpp_fp",
                                                              "trace_leaker_cpp_nofp", "trace_rawsys_fp",
                                                              "trace_rawsys_nofp", "trace_rawsys_static")),
                         leaker_name);

// ------------------------------------------------------ exit and CI gates

TEST_P(TraceCli, ExitStatusIsTheCommands) {
    TraceRun r = trace("trace_leaker_fp", {"100", "0", "3"});
    EXPECT_EQ(r.status, 3) << r.err;
    EXPECT_TRUE(leaks(r.report).empty()) << describe_leaks(r.report);
    TraceRun ok = trace("trace_leaker_fp", {"100", "0", "0"});
    EXPECT_EQ(ok.status, 0) << ok.err;
}

TEST_P(TraceCli, FailOnLeakExitsOneUnlessTolerated) {
    EXPECT_EQ(trace("trace_leaker_fp", {}, {"--fail-on", "leak"}).status, 1);
    EXPECT_EQ(trace("trace_leaker_fp", {}, {"--fail-on", "leak", "--max-leaks", "50"}).status, 0);
    EXPECT_EQ(trace("trace_leaker_fp", {}, {"--fail-on", "leak", "--max-leaks", "49"}).status, 1);
    // No leak: nothing to fail on.
    EXPECT_EQ(trace("trace_leaker_fp", {"100", "0"}, {"--fail-on", "leak"}).status, 0);
}

TEST_P(TraceCli, FailOnCrossedExecAndStaleClose) {
    EXPECT_EQ(trace("trace_exec_cross_fp", {}, {"--fail-on", "crossed-exec"}).status, 1);
    EXPECT_EQ(trace("trace_stale_close_fp", {}, {"--fail-on", "stale-close"}).status, 1);
    // Neither finding in the leaker.
    EXPECT_EQ(trace("trace_leaker_fp", {}, {"--fail-on", "crossed-exec,stale-close"}).status, 0);
}

// ------------------------------------------------- live lines and logs
//
// On the static raw-syscall leaker (no loader, no libc fd calls) the
// syscalls are exactly: 10 balanced pairs and 1 leak, 11 openat, 10 close.

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

int count_of(const std::string& text, const std::string& needle) {
    int n = 0;
    for (std::size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
    return n;
}

std::string temp_file() {
    char path[] = "/tmp/fdscope-trace-log-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) close(fd);
    return path;
}

TEST_P(TraceCli, LiveLinesFollowTheClassFilter) {
    // 2,000 pairs: the process lives long enough for the bpf engine to read
    // its maps while it runs (stacks resolve against them).
    TraceRun r = run_trace({"--engine", GetParam(), "-e", "open", "--", trace_fixture("trace_rawsys_static"), "2000", "1"},
                           false);
    ASSERT_EQ(r.status, 0) << r.err.substr(0, 2000);
    std::string live = r.err;  // live lines go where strace's go
    EXPECT_EQ(count_of(live, "openat("), 2001) << live.substr(0, 2000);
    EXPECT_EQ(count_of(live, "close("), 0) << live.substr(0, 2000);
    EXPECT_NE(live.find("leak_fifty"), std::string::npos) << live.substr(0, 2000);  // "at leak_fifty (trace_rawsys.c:NN)"
}

TEST_P(TraceCli, EventLogToAFileAsTextAndAsNdjson) {
    std::string text = temp_file(), nd = temp_file();
    TraceRun t = run_trace(
        {"--engine", GetParam(), "-e", "close", "-o", text, "--", trace_fixture("trace_rawsys_static"), "10", "1"}, false);
    TraceRun n = run_trace({"--engine", GetParam(), "--ndjson", "-o", nd, "--", trace_fixture("trace_rawsys_static"), "10", "1"});
    std::string log = slurp(text), events = slurp(nd);
    unlink(text.c_str());
    unlink(nd.c_str());
    EXPECT_EQ(t.status, 0) << t.err;
    EXPECT_EQ(n.status, 0) << n.err;
    EXPECT_EQ(count_of(log, "close("), 10) << log;
    EXPECT_EQ(count_of(log, "openat("), 0) << log;
    std::map<std::string, int> ops;
    for (const auto& e : parse_events(events))
        if (!event_step(e).empty()) ++ops[e.op];
    EXPECT_EQ(ops, (std::map<std::string, int>{{"openat", 11}, {"close", 10}})) << events;
}

// ------------------------------------------------------ exec crossings

// What a crossing fixture must be reported as: one crossing and no leak.
struct WantCrossing {
    int fd;
    pid_t pid;         // the process that exec'd with it (when not forked: also its creator)
    std::string exe;   // what it exec'd
    std::string kind, function, fix_word;
    pid_t parent = 0;  // the creator, when the exec'd process was forked from it (0: the same process)
};

void expect_one_crossing(const TraceRun& r, const WantCrossing& want) {
    auto xs = crossed(r.report);
    ASSERT_EQ(xs.size(), 1u) << r.report.dump(1);
    const Crossing& x = xs[0];
    EXPECT_EQ(x.fd, want.fd);
    // pid: the process that made the fd; into: the one that exec'd with it.
    EXPECT_EQ(x.pid, want.parent ? want.parent : want.pid);
    EXPECT_EQ(x.into_pid, want.pid);
    EXPECT_EQ(x.into_exe, want.exe);
    EXPECT_EQ(x.kind, want.kind);
    EXPECT_TRUE(names_function(r.report, x.stack, want.function)) << r.report.dump(1);
    EXPECT_NE(x.fix.find(want.fix_word), std::string::npos) << x.fix;
    EXPECT_TRUE(leaks(r.report).empty()) << describe_leaks(r.report);
    if (want.parent) {
        auto ps = processes(r.report);
        const ProcessRow* c = process(ps, want.pid);
        ASSERT_NE(c, nullptr);
        EXPECT_EQ(c->parent, want.parent);
    }
}

TEST_P(TraceCli, SocketWithoutCloexecCrossesTheOneWithItDoesNot) {
    TraceRun r = trace("trace_exec_cross_fp");
    ASSERT_EQ(r.status, 0) << r.err;
    auto parent = line_with(r, "role", "parent");
    auto child = line_with(r, "role", "child");
    expect_one_crossing(r, {parent["crossing"]["fd"].get<int>(), child["pid"].get<pid_t>(),
                            parent["exe"].get<std::string>(), "tcp", "make_inheritable_listener", "SOCK_CLOEXEC",
                            parent["pid"].get<pid_t>()});
    auto xs = crossed(r.report);
    // ptrace reads the table at the exec stop; bpf only when the child is
    // still running when its exec record is read (it may have closed the
    // socket by then).
    if (!xs.empty() && GetParam() == std::string("ptrace")) {
        EXPECT_NE(xs[0].name.find(std::to_string(parent["crossing"]["port"].get<int>())), std::string::npos)
            << xs[0].name;
    }
}

TEST_P(TraceCli, PosixSpawnChildGetsTheFdWithoutCloexec) {
    TraceRun r = trace("trace_spawn_fp");
    ASSERT_EQ(r.status, 0) << r.err;
    auto parent = line_with(r, "role", "parent");
    auto child = line_with(r, "role", "child");
    expect_one_crossing(r, {parent["fd"].get<int>(), child["pid"].get<pid_t>(), parent["exe"].get<std::string>(),
                            "chr", "open_for_child", "O_CLOEXEC", parent["pid"].get<pid_t>()});
}

TEST_P(TraceCli, ExecByANonLeaderThreadIsFollowed) {
    TraceRun r = trace("trace_thread_exec_nofp");
    ASSERT_EQ(r.status, 0) << r.err;
    auto before = line_with(r, "role", "parent");
    auto after = line_with(r, "role", "child");
    EXPECT_NE(before["tid"], before["pid"]);
    EXPECT_EQ(after["pid"], before["pid"]);
    expect_one_crossing(r, {before["fd"].get<int>(), before["pid"].get<pid_t>(), before["exe"].get<std::string>(),
                            "chr", "thread_opens", "O_CLOEXEC"});
}

TEST_P(TraceCli, ChainThreeDeepHasTwoCrossingsAndOneLeak) {
    TraceRun r = trace("trace_chain_fp");
    ASSERT_EQ(r.status, 0) << r.err;
    std::map<int, nlohmann::json> level;
    for (int l = 0; l <= 3; ++l) level[l] = line_with(r, "level", l);
    auto ps = processes(r.report);
    EXPECT_EQ(ps.size(), 4u);
    for (int l = 1; l <= 3; ++l) {
        const ProcessRow* p = process(ps, level[l]["pid"].get<pid_t>());
        ASSERT_NE(p, nullptr) << "level " << l;
        EXPECT_EQ(p->parent, level[l - 1]["pid"].get<pid_t>());
    }
    auto xs = crossed(r.report);
    ASSERT_EQ(xs.size(), 2u) << r.report.dump(1);
    std::set<pid_t> into;
    for (const auto& x : xs) {
        into.insert(x.into_pid);
        EXPECT_TRUE(names_function(r.report, x.stack, "pass_fd"));
        EXPECT_EQ(x.fd, 3);
    }
    EXPECT_EQ(into, (std::set<pid_t>{level[1]["pid"].get<pid_t>(), level[3]["pid"].get<pid_t>()}));
    auto groups = leaks(r.report);
    ASSERT_EQ(groups.size(), 1u) << describe_leaks(r.report);
    EXPECT_EQ(groups[0].pid, level[1]["pid"].get<pid_t>());
    EXPECT_EQ(groups[0].count, 1);
    EXPECT_TRUE(names_function(r.report, groups[0].stack, "keep_fd"));
}

// ------------------------------------------------------------- closes

TEST_P(TraceCli, StaleCloseNamesBothThreadsFunctions) {
    TraceRun r = trace("trace_stale_close_fp");
    ASSERT_EQ(r.status, 0) << r.err;
    const auto& facts = r.output.at(0);
    auto s = stale_closes(r.report);
    ASSERT_EQ(s.size(), 1u) << r.report.dump(1);
    EXPECT_EQ(s[0].pid, facts["pid"].get<pid_t>());
    EXPECT_EQ(s[0].tid, facts["owner_tid"].get<pid_t>());
    EXPECT_EQ(s[0].fd, facts["fd"].get<int>());
    EXPECT_TRUE(names_function(r.report, s[0].closed_stack, "owner_close_again")) << r.report.dump(1);
    EXPECT_EQ(s[0].victim_tid, facts["victim_tid"].get<pid_t>());
    EXPECT_EQ(s[0].victim_name, "/dev/zero");
    EXPECT_TRUE(names_function(r.report, s[0].victim_stack, "victim_open")) << r.report.dump(1);
    EXPECT_TRUE(leaks(r.report).empty()) << describe_leaks(r.report);
}

TEST_P(TraceCli, CloseOfAnUnopenedNumberIsReportedTheSweepIsNot) {
    TraceRun r = trace("trace_close_unopened_nofp");
    ASSERT_EQ(r.status, 0) << r.err;
    auto e = ebadf_closes(r.report);
    std::vector<EbadfClose> bugs, sweeps;
    for (const auto& x : e) (x.sweep ? sweeps : bugs).push_back(x);
    ASSERT_EQ(bugs.size(), 1u) << r.report.dump(1);
    EXPECT_EQ(bugs[0].fd, 100);
    EXPECT_TRUE(names_function(r.report, bugs[0].stack, "close_unopened"));
    for (const auto& s : sweeps) EXPECT_TRUE(names_function(r.report, s.stack, "close_all_sweep"));
    int swept = 0;
    for (const auto& s : sweeps) swept += s.count;
    EXPECT_TRUE(swept == 0 || swept == 1021) << swept;
    EXPECT_TRUE(leaks(r.report).empty()) << describe_leaks(r.report);
    EXPECT_TRUE(stale_closes(r.report).empty());
}

// ------------------------------------------------- arrays and passing

TEST_P(TraceCli, PipeAndSocketpairFdsAreBothSeen) {
    TraceRun r = trace("trace_arrays_fp");
    ASSERT_EQ(r.status, 0) << r.err;
    // By creating function; a group names_function() lets go unnamed is
    // found by its kind instead.
    auto made_by = [&](const std::string& function, const std::string& kind) {
        auto v = leaks_from(r.report, function);
        if (v.empty())
            for (auto& g : leaks(r.report))
                if (g.kind == kind && names_function(r.report, g.stack, function)) v.push_back(g);
        return v;
    };
    auto pipes = made_by("make_pipe", "pipe");
    auto pairs = made_by("make_socketpair", "unix");
    ASSERT_EQ(pipes.size(), 1u) << describe_leaks(r.report);
    ASSERT_EQ(pairs.size(), 1u) << describe_leaks(r.report);
    EXPECT_EQ(pipes[0].count, 2);
    EXPECT_EQ(pipes[0].kind, "pipe");
    EXPECT_EQ(pairs[0].count, 2);
    EXPECT_EQ(pairs[0].kind, "unix");
    EXPECT_EQ(leaks(r.report).size(), 2u) << describe_leaks(r.report);
    if (!pipes[0].fds.empty()) {
        EXPECT_EQ(pipes[0].fds, r.output.at(0)["pipe"].get<std::vector<int>>());
    }
    if (!pairs[0].fds.empty()) {
        EXPECT_EQ(pairs[0].fds, r.output.at(0)["socketpair"].get<std::vector<int>>());
    }
}

TEST_P(TraceCli, FdReceivedOverScmRightsIsALeakOfTheReceiver) {
    TraceRun r = trace("trace_scm_rights_fp");
    ASSERT_EQ(r.status, 0) << r.err;
    const auto& facts = r.output.at(0);
    auto groups = leaks(r.report);
    ASSERT_EQ(groups.size(), 1u) << describe_leaks(r.report);
    EXPECT_EQ(groups[0].pid, facts["pid"].get<pid_t>());
    EXPECT_EQ(groups[0].count, 1);
    EXPECT_TRUE(names_function(r.report, groups[0].stack, "receive_fd")) << describe_leaks(r.report);
    // ptrace reads the table at the exit stop, so the received fd has its
    // name; bpf names what its calls said, and SCM_RIGHTS carries no name
    // (a reconcile names it at an exec, after lost events, at detach).
    if (GetParam() == std::string("ptrace")) {
        EXPECT_NE(std::find(groups[0].names.begin(), groups[0].names.end(), "/dev/zero"), groups[0].names.end());
    }
    auto ps = processes(r.report);
    const ProcessRow* c = process(ps, facts["child"].get<pid_t>());
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->parent, facts["pid"].get<pid_t>());
}

// ------------------------------------------------------------ signals

char proc_state(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto p = s.rfind(") ");
    return p == std::string::npos || p + 2 >= s.size() ? '?' : s[p + 2];
}

// Job-control stops have no event to wait on: a bounded poll of the state.
// A ptrace tracee in its group-stop shows 't' (traced), otherwise 'T'.
bool wait_stopped(pid_t pid) {
    for (int i = 0; i < 10000; ++i) {
        char s = proc_state(pid);
        if (s == 'T' || s == 't') return true;
        usleep(1000);
    }
    return false;
}

TEST_P(TraceCli, SignalsAndJobControlReachTheTracee) {
    TraceSession s(trace_argv({"--engine", GetParam(), "--", trace_fixture("trace_signals_fp")}));
    auto ready = s.next_json();
    pid_t pid = ready["pid"].get<pid_t>();
    ASSERT_EQ(kill(pid, SIGUSR1), 0);
    EXPECT_EQ(s.next_json()["got"], "SIGUSR1");
    ASSERT_EQ(kill(pid, SIGSTOP), 0);
    EXPECT_TRUE(wait_stopped(pid)) << proc_state(pid);
    ASSERT_EQ(kill(pid, SIGCONT), 0);
    auto cont = s.next_json();
    EXPECT_EQ(cont["got"], "SIGCONT");
    EXPECT_EQ(cont["ok"], true);
    TraceRun r = s.finish();
    EXPECT_EQ(r.status, 0) << r.err;
    auto groups = leaks(r.report);
    ASSERT_EQ(groups.size(), 1u) << describe_leaks(r.report);
    EXPECT_TRUE(names_function(r.report, groups[0].stack, "after_continue"));
}

// --------------------------------------------------------------- attach

std::set<int> open_fds(pid_t pid) {
    std::set<int> fds;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec))
        fds.insert(std::stoi(e.path().filename().string()));
    return fds;
}

int tracer_pid(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("TracerPid:", 0) == 0) return std::stoi(line.substr(10));
    return -1;
}

TEST_P(TraceCli, AttachSeesNewLeaksAndDetachLeavesItRunning) {
    TraceSession leaker({trace_fixture("trace_running_leaker_fp")});
    pid_t pid = leaker.next_json()["pid"].get<pid_t>();
    for (int i = 0; i < 2; ++i) {  // present at start: fds 3 and 4
        leaker.write_line("before");
        EXPECT_EQ(leaker.next_json()["fd"], 3 + i);
    }
    TraceSession tracer(trace_argv({"--engine", GetParam(), "-p", std::to_string(pid)}));
    ASSERT_TRUE(wait_attached(tracer, pid)) << "fdscope never said it attached";
    std::vector<int> traced;
    for (int i = 0; i < 3; ++i) {
        leaker.write_line("traced");
        traced.push_back(leaker.next_json()["fd"].get<int>());
    }
    EXPECT_EQ(traced, (std::vector<int>{5, 6, 7}));
    ASSERT_EQ(kill(tracer.pid(), SIGINT), 0);  // Ctrl-C: detach and report
    TraceRun r = tracer.finish();
    EXPECT_EQ(r.status, 0) << r.err;
    ASSERT_FALSE(r.report.is_null()) << r.err;
    auto mine = leaks_from(r.report, "leak_per_line");
    ASSERT_EQ(mine.size(), 1u) << describe_leaks(r.report);
    EXPECT_EQ(mine[0].pid, pid);
    EXPECT_EQ(mine[0].count, 3);  // the two made before the attach are "present at start", apart
    if (!mine[0].fds.empty()) {
        EXPECT_EQ(mine[0].fds, traced);
    }

    // Detached: no tracer, the same fds, and it goes on answering.
    EXPECT_EQ(tracer_pid(pid), 0);
    EXPECT_EQ(open_fds(pid), (std::set<int>{0, 1, 2, 3, 4, 5, 6, 7}));
    leaker.write_line("after");
    EXPECT_EQ(leaker.next_json()["fd"], 8);
    TraceRun end = leaker.finish();
    EXPECT_EQ(end.status, 0);
    ASSERT_FALSE(end.output.empty());
    EXPECT_EQ(end.output.back()["fds"], (std::vector<int>{3, 4, 5, 6, 7, 8}));
}

INSTANTIATE_TEST_SUITE_P(Engines, TraceCli, ::testing::Values("ptrace", "bpf"), engine_name);

}  // namespace
}  // namespace fdscope::test
