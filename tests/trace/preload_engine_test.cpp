// `fdscope trace --engine preload`: the command runs with
// libfdscope-preload.so, the library's FDSCOPE_REPORT files become the
// report. Held to the ptrace engine's answer on the same fixture.
#include <gtest/gtest.h>

#include <algorithm>

#include "trace/trace_helpers.hpp"

namespace fdscope::test {
namespace {

std::vector<std::string> functions_of(const LeakGroup& g) {
    std::vector<std::string> f;
    for (const Frame& fr : g.stack) f.push_back(fr.function);
    return f;
}

// The group whose stack names `function` and whose holder is `pid`.
const LeakGroup* group_of(const std::vector<LeakGroup>& gs, pid_t pid, const std::string& function) {
    for (const LeakGroup& g : gs)
        if (g.pid == pid && has_function(g.stack, function)) return &g;
    return nullptr;
}

TEST(PreloadEngine, FiftyLeaksAmongHundredThousandPairsEqualThePtraceEngines) {
    const std::string fixture = trace_fixture("trace_leaker_cpp_fp");
    TraceRun pre = run_trace({"--engine", "preload", "--", fixture, "100000", "50"});
    ASSERT_EQ(pre.status, 0) << pre.err;
    ASSERT_FALSE(pre.report.is_null()) << pre.err;
    EXPECT_EQ(engine_of(pre.report), "preload");
    TraceRun pt = run_trace({"--engine", "ptrace", "--", fixture, "100000", "50"});
    ASSERT_EQ(pt.status, 0) << pt.err;
    const std::string function = "leakers::FdHoarder::leak_fifty()";
    auto a = leaks(pre.report), b = leaks(pt.report);
    ASSERT_EQ(a.size(), 1u) << describe_leaks(pre.report);
    ASSERT_EQ(b.size(), 1u) << describe_leaks(pt.report);
    EXPECT_EQ(a[0].count, 50);
    EXPECT_TRUE(has_function(a[0].stack, function)) << describe_leaks(pre.report);
    EXPECT_TRUE(has_function(a[0].stack, "main")) << describe_leaks(pre.report);
    // What must match: count, kind, names, the fd numbers (each run starts
    // with fds 0-2 only), and the program's frames from the creating
    // function out (ptrace's stack starts in libc's wrapper, the library's
    // at its caller).
    EXPECT_EQ(a[0].count, b[0].count);
    EXPECT_EQ(a[0].kind, b[0].kind);
    EXPECT_EQ(a[0].names, b[0].names);
    EXPECT_EQ(a[0].fds, b[0].fds);
    auto fa = functions_of(a[0]), fb = functions_of(b[0]);
    auto from_a = std::find(fa.begin(), fa.end(), function), from_b = std::find(fb.begin(), fb.end(), function);
    ASSERT_NE(from_a, fa.end());
    ASSERT_NE(from_b, fb.end());
    EXPECT_EQ(*(from_a + 1), *(from_b + 1));  // its caller
    EXPECT_EQ(a[0].stack[static_cast<std::size_t>(from_a - fa.begin())].line,
              b[0].stack[static_cast<std::size_t>(from_b - fb.begin())].line);
    EXPECT_EQ(pre.report["untraced_open"].size(), pt.report["untraced_open"].size()) << pre.report["untraced_open"].dump();
    EXPECT_EQ(pre.report["summary"]["present_at_start"], pt.report["summary"]["present_at_start"]);
}

TEST(PreloadEngine, ExitStatusIsTheCommands) {
    TraceRun r = run_trace({"--engine", "preload", "--", trace_fixture("trace_leaker_fp"), "100", "0", "5"});
    EXPECT_EQ(r.status, 5) << r.err;
    ASSERT_FALSE(r.report.is_null()) << r.err;
    EXPECT_EQ(r.report["exit_status"], 5);
    EXPECT_TRUE(leaks(r.report).empty()) << describe_leaks(r.report);
}

TEST(PreloadEngine, AForkedChildLeaksItsOwnAndWhatItInherited) {
    TraceRun r = run_trace({"--engine", "preload", "--", trace_fixture("preload_fork_fp")});
    EXPECT_EQ(r.status, 4) << r.err;
    ASSERT_FALSE(r.report.is_null()) << r.err;
    ASSERT_EQ(r.output.size(), 2u) << r.out;
    const pid_t child = r.output[0]["child"].get<pid_t>(), parent = r.output[1]["pid"].get<pid_t>();
    auto gs = leaks(r.report);
    const LeakGroup* own = group_of(gs, parent, "parent_leak");
    const LeakGroup* inherited = group_of(gs, child, "parent_leak");
    const LeakGroup* childs = group_of(gs, child, "child_leak");
    ASSERT_TRUE(own && inherited && childs) << describe_leaks(r.report);
    EXPECT_EQ(own->count, 1);
    EXPECT_EQ(inherited->count, 1);
    EXPECT_EQ(childs->count, 1);
    EXPECT_EQ(inherited->fds, std::vector<int>{r.output[1]["fd"].get<int>()});
    EXPECT_EQ(childs->fds, std::vector<int>{r.output[0]["child_fd"].get<int>()});
    // The inherited fd is marked: its creating thread is the parent's.
    for (const auto& l : r.report["leaks"]) {
        if (l["pid"] != child) continue;
        const bool from_parent = l["stack"].dump().find("parent_leak") != std::string::npos;
        EXPECT_EQ(l["tid"] == parent, from_parent) << l.dump();
    }
    auto ps = processes(r.report);
    ASSERT_EQ(ps.size(), 2u);
    auto c = std::find_if(ps.begin(), ps.end(), [&](const ProcessRow& p) { return p.pid == child; });
    ASSERT_NE(c, ps.end());
    EXPECT_EQ(c->parent, parent);
}

TEST(PreloadEngine, AStaticBinaryWritesNoReportAndANoteSaysSo) {
    TraceRun r = run_trace({"--engine", "preload", "--", trace_fixture("trace_leaker_static"), "100", "5", "6"});
    EXPECT_EQ(r.status, 6) << r.err;
    ASSERT_FALSE(r.report.is_null()) << r.err;
    EXPECT_TRUE(leaks(r.report).empty());
    EXPECT_TRUE(notes_mention(r.report, "wrote no report", "static")) << r.report["notes"].dump();
}

TEST(PreloadEngine, AttachAndWhyAreRefused) {
    TraceRun a = run_trace({"--engine", "preload", "-p", std::to_string(::getpid())});
    EXPECT_EQ(a.status, 2);
    EXPECT_NE(a.err.find("cannot attach"), std::string::npos) << a.err;
    TraceRun w = run_trace({"--engine", "preload", "--why", "--", "/bin/true"});
    EXPECT_EQ(w.status, 2);
    EXPECT_NE(w.err.find("--why"), std::string::npos) << w.err;
}

}  // namespace
}  // namespace fdscope::test
