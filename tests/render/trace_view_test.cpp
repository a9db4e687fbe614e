// The trace report as text and as JSON, built from hand-made events
// through the ledger and the report, with symbolized stacks from a table.
#include "render/trace_view.hpp"

#include <cerrno>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>

#include "capture.hpp"
#include "report/trace_events.hpp"
#include "report/trace_ledger.hpp"

namespace fdscope::render {
namespace {

constexpr std::uint64_t kStart = 1'000'000'000;
constexpr std::int32_t kPid = 100;
constexpr std::int32_t kWorker = 102;

// Stack ids -> frames, as the command's symbolizer would give them.
const std::map<StackId, std::vector<SymbolizedFrame>> kFrames = {
    {1, {{"leak_one", "/src/leaker.c", 12, "/usr/bin/leaker", 0x1234, 0x10, false},
         {"main", "/src/leaker.c", 40, "/usr/bin/leaker", 0x1300, 0x20, false},
         {"", "", 0, "/usr/lib/x86_64-linux-gnu/libc.so.6", 0x29d90, 0, false}}},
    {2, {{"Server::accept_loop()", "", 0, "/usr/bin/server", 0x3a1f2, 0x42, false}}},
    {3, {{"close_all", "/src/util.c", 7, "/usr/bin/leaker", 0x2000, 0, true}}},
};

std::vector<SymbolizedFrame> lookup(StackId id) {
    auto it = kFrames.find(id);
    return it == kFrames.end() ? std::vector<SymbolizedFrame>{} : it->second;
}

report::TraceReport sample_report(const std::string& hostile = "/tmp/leak") {
    fdscope::testing::TraceEvents ev;
    ev.start_ns = kStart;
    for (int fd = 3; fd < 6; ++fd) ev.create(Op::Openat, fd, 1, Kind::File, hostile).cloexec = true;
    ev.create(Op::Accept, 6, 2, Kind::Tcp, "TCP 127.0.0.1:8080 <- 127.0.0.1:51344");
    // fd 9: made, closed, remade by the worker, closed again by the first thread.
    ev.create(Op::Openat, 9, 7, Kind::File, "/a");
    ev.close(9, 8);
    ev.create(Op::Openat, 9, 9, Kind::File, "/var/log/app.log", kPid, kWorker);
    ev.close(9, 8);
    ev.close(9, 10, kWorker, EBADF);
    for (int fd = 20; fd < 30; ++fd) ev.close(fd, 3, kPid, EBADF);
    ev.add(Op::Openat, kPid).error = EMFILE;
    FdEvent& fork = ev.add(Op::Fork, kPid);
    fork.result = 101;
    fork.new_table = 2;
    FdEvent& exec = ev.add(Op::Execve, 101, 101, 2);
    exec.new_table = 2;
    exec.name = "/usr/bin/helper";

    report::TraceRun run;
    run.engine = "ptrace";
    run.exit_status = 0;
    run.start_ns = kStart;
    ProcessRecord p;
    p.pid = kPid;
    p.command = "leaker";
    p.exe = "/usr/bin/leaker";
    p.start_ns = kStart;
    p.end_ns = kStart + 3'000'000'000;
    p.exited = true;
    p.wait_status = 0;
    run.processes.push_back(p);
    run.stats.stops = 12;
    return report::build_trace_report(report::trace_ledger(ev.list), run);
}

std::string text_of(const report::TraceReport& r) {
    testing::Capture c;
    write_trace_text(c.out(), r, lookup);
    return c.text();
}

nlohmann::json json_of(const report::TraceReport& r) {
    testing::Capture c;
    write_trace_json(c.out(), r, lookup);
    return nlohmann::json::parse(c.text());
}

TEST(TraceView, FramesReadAsFunctionFileLineOrModuleOffset) {
    EXPECT_EQ(frame_text(kFrames.at(1)[0]), "leak_one (leaker.c:12)");
    EXPECT_EQ(frame_text(kFrames.at(1)[2]), "libc.so.6+0x29d90");
    EXPECT_EQ(frame_text(kFrames.at(2)[0]), "Server::accept_loop() (server+0x3a1f2)");
    EXPECT_EQ(frame_text(kFrames.at(3)[0]), "close_all (util.c:7) [inlined]");
}

TEST(TraceView, TextHasEverySectionInOrderWithStacks) {
    const std::string text = text_of(sample_report());
    std::size_t at = 0;
    for (const char* section : {"CROSSED EXEC", "STALE CLOSE", "DOUBLE CLOSE", "EBADF CLOSES", "ERRORS",
                                "SUMMARY"}) {
        const std::size_t next = text.find(std::string("\n") + section, at);
        ASSERT_NE(next, std::string::npos) << section << "\n" << text;
        at = next + 1;
    }
    EXPECT_EQ(text.rfind("LEAKS  3 sites, 5 fds (open at exit, or when tracing stopped)\n", 0), 0u) << text;
    EXPECT_NE(text.find("#1  3 file  pid 100 (leaker)  first +0.000s last +0.002s  still open when tracing stopped\n"
                        "    openat  fds 3, 4, 5  e.g. /tmp/leak\n"
                        "      #0 leak_one (leaker.c:12)\n"
                        "      #1 main (leaker.c:40)\n"
                        "      #2 libc.so.6+0x29d90\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("  fd 6 tcp TCP 127.0.0.1:8080 <- 127.0.0.1:51344  created by pid 100 (leaker): accept\n"
                        "      #0 Server::accept_loop() (server+0x3a1f2)\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("survived exec of /usr/bin/helper (pid 101)"), std::string::npos) << text;
    EXPECT_NE(text.find("#3  1 tcp  pid 101 inherited from pid 100 (leaker)  first +0.003s"), std::string::npos) << text;
    EXPECT_NE(text.find("fix: accept4(…, SOCK_CLOEXEC)"), std::string::npos) << text;
    EXPECT_NE(text.find("  fd 9 closed by pid 100 (leaker) at"), std::string::npos) << text;
    EXPECT_NE(text.find("it belonged to tid 102 (file /var/log/app.log, from openat 1.0 ms earlier)"), std::string::npos)
        << text;
    EXPECT_NE(text.find("    accept  fd 6  e.g. TCP"), std::string::npos) << text;
    EXPECT_NE(text.find("tid 102 later got EBADF closing fd 9 at\n      (stack not symbolized)\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("  10 x close(20..29) pid 100 (leaker) — close-all sweep (benign)\n"
                        "      #0 close_all (util.c:7) [inlined]\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("  openat EMFILE x1  pid 100 (leaker)\n      (no stack captured)\n"), std::string::npos) << text;
    EXPECT_NE(text.find("  engine ptrace, "), std::string::npos) << text;
    EXPECT_NE(text.find("12 stops"), std::string::npos) << text;
    EXPECT_NE(text.find("  pid 100 leaker /usr/bin/leaker  +0.000s..+3.000s  exit 0\n"), std::string::npos) << text;
}

TEST(TraceView, LongSectionsAreCutInTextNotInJson) {
    const auto r = sample_report();
    testing::Capture c;
    write_trace_text(c.out(), r, lookup, {.max_frames = 1, .max_entries = 2});
    const std::string text = c.text();
    EXPECT_NE(text.find("#2  1 tcp"), std::string::npos) << text;
    EXPECT_EQ(text.find("#3  "), std::string::npos) << text;
    EXPECT_NE(text.find("  … 1 more (--json lists them all)\n"), std::string::npos) << text;
    EXPECT_NE(text.find("      #0 leak_one (leaker.c:12)\n      … 2 more frames\n"), std::string::npos) << text;
    EXPECT_EQ(json_of(r)["leaks"].size(), 3u);
}

TEST(TraceView, AnEmptyReportSaysNone) {
    const std::string text = text_of(report::build_trace_report(report::TraceLedger{}, report::TraceRun{}));
    EXPECT_NE(text.find("LEAKS  none\nCROSSED EXEC  none\nSTALE CLOSE  none\nDOUBLE CLOSE  none\nSUMMARY\n"),
              std::string::npos)
        << text;
}

TEST(TraceView, HostileNamesNeitherBreakALineNorTheJson) {
    const std::string hostile = "/tmp/a\nLEAKS  0\x1b[2J\xff\xfe";
    const auto r = sample_report(hostile);
    const std::string text = text_of(r);
    for (char c : text) EXPECT_TRUE(c == '\n' || static_cast<unsigned char>(c) >= 0x20) << int(c);
    EXPECT_NE(text.find("/tmp/a\\nLEAKS  0\\x1b[2J\\xff\\xfe"), std::string::npos) << text;
    nlohmann::json j;
    ASSERT_NO_THROW(j = json_of(r));
    EXPECT_EQ(j["leaks"][0]["names"][0], "/tmp/a\nLEAKS  0\x1b[2J\\xff\\xfe");
}

TEST(TraceView, JsonHasTheIssuesShape) {
    const nlohmann::json j = json_of(sample_report());
    EXPECT_EQ(j["schema"], 1);
    EXPECT_EQ(j["command"], "trace");
    EXPECT_EQ(j["engine"], "ptrace");
    EXPECT_EQ(j["exit_status"], 0);
    ASSERT_EQ(j["processes"].size(), 1u);
    const auto& p = j["processes"][0];
    for (const char* k : {"pid", "command", "exe", "parent", "start", "end", "exit"}) EXPECT_TRUE(p.contains(k)) << k;
    EXPECT_EQ(p["exit"], 0);
    EXPECT_TRUE(p["parent"].is_null());
    EXPECT_DOUBLE_EQ(p["end"].get<double>(), 3.0);

    ASSERT_EQ(j["leaks"].size(), 3u);
    const auto& l = j["leaks"][0];
    EXPECT_EQ(l["pid"], 100);
    EXPECT_EQ(l["count"], 3);
    EXPECT_EQ(l["kind"], "file");
    EXPECT_EQ(l["names"], nlohmann::json::array({"/tmp/leak"}));
    ASSERT_EQ(l["stack"].size(), 3u);
    EXPECT_EQ(l["stack"][0], nlohmann::json({{"function", "leak_one"}, {"file", "/src/leaker.c"}, {"line", 12},
                                             {"module", "/usr/bin/leaker"}, {"offset", 0x1234}}));
    EXPECT_TRUE(l["stack"][2]["function"].is_null());
    EXPECT_TRUE(l["stack"][2]["line"].is_null());

    ASSERT_EQ(j["crossed_exec"].size(), 1u);
    const auto& c = j["crossed_exec"][0];
    EXPECT_EQ(c["pid"], 100);
    EXPECT_EQ(c["fd"], 6);
    EXPECT_EQ(c["kind"], "tcp");
    EXPECT_EQ(c["name"], "TCP 127.0.0.1:8080 <- 127.0.0.1:51344");
    EXPECT_EQ(c["into"], nlohmann::json({{"pid", 101}, {"exe", "/usr/bin/helper"}}));
    EXPECT_EQ(c["stack"][0]["function"], "Server::accept_loop()");
    EXPECT_EQ(c["fix"], "accept4(…, SOCK_CLOEXEC)");

    ASSERT_EQ(j["stale_closes"].size(), 1u);
    const auto& s = j["stale_closes"][0];
    EXPECT_EQ(s["pid"], 100);
    EXPECT_EQ(s["tid"], 100);
    EXPECT_EQ(s["fd"], 9);
    EXPECT_TRUE(s["closed_stack"].is_array());
    EXPECT_EQ(s["victim"]["tid"], kWorker);
    EXPECT_EQ(s["victim"]["name"], "/var/log/app.log");
    EXPECT_TRUE(s["victim"]["stack"].is_array());
    EXPECT_EQ(s["victim_ebadf"]["tid"], kWorker);
    EXPECT_EQ(s["tie"], "closed_previous");

    ASSERT_EQ(j["ebadf_closes"].size(), 1u);
    EXPECT_EQ(j["ebadf_closes"][0]["sweep"], true);
    EXPECT_EQ(j["ebadf_closes"][0]["fd"], 20);
    EXPECT_EQ(j["ebadf_closes"][0]["last_fd"], 29);
    EXPECT_EQ(j["ebadf_closes"][0]["count"], 10);
    EXPECT_EQ(j["ebadf_closes"][0]["stack"][0]["inlined"], true);
    ASSERT_EQ(j["errors"].size(), 1u);
    EXPECT_EQ(j["errors"][0]["errno"], "EMFILE");
    EXPECT_EQ(j["errors"][0]["op"], "openat");
    EXPECT_TRUE(j["double_closes"].empty());
    EXPECT_TRUE(j["suspicious_replaces"].empty());

    const auto& sum = j["summary"];
    EXPECT_EQ(sum["syscalls"]["openat"]["calls"], 6);
    EXPECT_EQ(sum["syscalls"]["openat"]["errors"], 1);
    EXPECT_EQ(sum["kinds"]["file"], 5);
    EXPECT_EQ(j["leaks"][2]["pid"], 101);  // the child's inherited copy, with the creator's stack
    EXPECT_EQ(j["leaks"][2]["stack"][0]["function"], "Server::accept_loop()");
    EXPECT_EQ(sum["peak_fds"][0]["pid"], 100);
    EXPECT_EQ(sum["stops"], 12);
    EXPECT_EQ(j["lost_events"], 0);
}

}  // namespace
}  // namespace fdscope::render
