// FDSCOPE_QUARANTINE and stream ownership (fixture/quarantine.cpp). Without
// the library the second close of N destroys the file another part of the
// program had just been given on N; with FDSCOPE_QUARANTINE the closed
// number is held by a placeholder, so the victim gets another number, the
// stale close gets EBADF and is recorded with both stacks: in the table
// (`ls --origin`), the log, the FDSCOPE_REPORT file and `trace --engine
// preload`'s double closes. A raw close() of a FILE*'s fd is an ownership
// violation in the report and the log.
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/inotify.h>

#include "preload/preload_helpers.hpp"
#include "support/support.hpp"

namespace fdscope::test {
namespace {

using preload::preload_fixture;
using preload::preload_wrapper;

struct TempDir {
    std::string path;
    TempDir() {
        char t[] = "/tmp/fdscope-quarantine.XXXXXX";
        if (mkdtemp(t) == nullptr) throw std::runtime_error("mkdtemp");
        path = t;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool names(const nlohmann::json& stack, const std::string& function) {
    return stack.dump().find(function) != std::string::npos;
}

TEST(PreloadQuarantine, WithoutItTheStaleCloseDestroysTheVictimsFile) {
    Fixture fx("preload/quarantine");
    const auto& f = fx.facts();
    EXPECT_EQ(f["m"], f["n"]) << "the kernel hands the lowest free number out again";
    EXPECT_EQ(f["second_close"], 0);
    EXPECT_EQ(f["victim_read"], -1);
    EXPECT_EQ(f["victim_read_errno"], EBADF);
}

TEST(PreloadQuarantine, ThePlaceholderCatchesTheStaleCloseWithBothStacks) {
    TempDir dir;
    const std::string report = dir.path + "/report.%p", log = dir.path + "/log";
    Fixture fx("preload/quarantine", {},
               preload_wrapper({"FDSCOPE_QUARANTINE=8", "FDSCOPE_REPORT=" + report, "FDSCOPE_LOG=" + log}));
    const auto f = fx.facts();
    const int n = f["n"], stream = f["stream_fd"];
    const pid_t pid = f["pid"];
    EXPECT_NE(f["m"], f["n"]) << "n stays occupied by the placeholder";
    EXPECT_EQ(f["second_close"], -1);
    EXPECT_EQ(f["second_close_errno"], EBADF) << "what a double close gets";
    EXPECT_EQ(f["victim_read"], 1) << "the victim's file is intact";

    // The table: n is a quarantined placeholder, closed by owner_close, made by owner_open.
    const RunResult ls = run({fdscope_bin(), "ls", "-p", std::to_string(pid), "--origin", "--json"});
    ASSERT_EQ(ls.status, 0) << ls.err;
    const auto doc = nlohmann::json::parse(ls.out);
    bool seen = false;
    for (const auto& row : doc["files"]) {
        if (row["pid"] != pid || row["fd"] != n) continue;
        seen = true;
        const auto& o = row["origin"];
        ASSERT_TRUE(o.is_object()) << row.dump();
        EXPECT_TRUE(o["quarantined"].get<bool>()) << o.dump();
        EXPECT_TRUE(names(o["stack"], "owner_open")) << o.dump();
        EXPECT_TRUE(names(o["closed"]["stack"], "owner_close(int)")) << o.dump();
    }
    EXPECT_TRUE(seen) << "fd " << n << " (the placeholder) is listed";

    fx.stop();  // stdin EOF: the fixture exits through exit(), the library writes its report
    const std::string text = slurp(dir.path + "/report." + std::to_string(pid));
    ASSERT_FALSE(text.empty()) << "no report at " << report;
    const auto r = nlohmann::json::parse(text.substr(0, text.find('\n')));
    int stale = 0, violations = 0;
    for (const auto& x : r["incidents"]) {
        if (x["type"] == "stale_close") {
            ++stale;
            EXPECT_EQ(x["fd"], n);
            EXPECT_FALSE(x["stack"].empty()) << "the stale close's stack";
            EXPECT_FALSE(x["created"]["stack"].empty());
            ASSERT_TRUE(x["first_close"].is_object()) << x.dump();
            EXPECT_FALSE(x["first_close"]["stack"].empty());
            EXPECT_NE(x["stack"], x["first_close"]["stack"]) << "two call sites: owner_close and owner_close_again";
        } else if (x["type"] == "ownership_violation") {
            ++violations;
            EXPECT_EQ(x["fd"], stream);
            EXPECT_EQ(x["owner"], "FILE");
            EXPECT_EQ(x["created"]["op"], "fopen");
        }
    }
    EXPECT_EQ(stale, 1) << text;
    EXPECT_EQ(violations, 1) << text;
    EXPECT_EQ(r["summary"]["stale_closes"], 1);
    EXPECT_EQ(r["summary"]["ownership_violations"], 1);

    const std::string logged = slurp(log);
    EXPECT_NE(logged.find("FDSCOPE_QUARANTINE: close(" + std::to_string(n) + ")"), std::string::npos) << logged;
    EXPECT_NE(logged.find("ownership violation"), std::string::npos) << logged;
}

// FDSCOPE_DUMP_SIGNAL: the report now, the process runs on; the exit adds
// its own document after it.
TEST(PreloadQuarantine, TheDumpSignalWritesAReportAndTheProcessRunsOn) {
    TempDir dir;
    const std::string report = dir.path + "/report";
    const int watch = inotify_init1(IN_CLOEXEC);
    ASSERT_GE(watch, 0);
    ASSERT_GE(inotify_add_watch(watch, dir.path.c_str(), IN_CLOSE_WRITE), 0);
    Fixture fx("preload/quarantine", {}, preload_wrapper({"FDSCOPE_REPORT=" + report, "FDSCOPE_DUMP_SIGNAL=USR2", "FDSCOPE_QUARANTINE=8"}));
    const pid_t pid = fx.facts()["pid"];
    const int victim = fx.facts()["m"];
    ASSERT_EQ(kill(pid, SIGUSR2), 0);
    pollfd p{watch, POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 10'000), 1) << "the report was not written within 10 s";
    close(watch);
    EXPECT_EQ(kill(pid, 0), 0) << "the process runs on";
    const std::string first = slurp(report);
    ASSERT_NE(first.find('\n'), std::string::npos) << first;
    const auto now = nlohmann::json::parse(first.substr(0, first.find('\n')));
    EXPECT_EQ(now["reason"], "signal");
    EXPECT_EQ(now["pid"], pid);
    bool victim_listed = false;
    for (const auto& leak : now["leaks"])
        for (const auto& fd : leak["fds"]) victim_listed |= fd == victim;
    EXPECT_TRUE(victim_listed) << "the victim's fd is open: " << now.dump();

    fx.stop();
    const auto lines = split_lines(slurp(report));
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(nlohmann::json::parse(lines[1])["reason"], "exit");
}

// The same story through `fdscope trace --engine preload`: a double close
// whose stacks name both call sites, symbolized by fdscope.
TEST(PreloadQuarantine, TraceReportsTheCaughtStaleCloseAsADoubleClose) {
    // The fixture's facts line goes to /dev/null: stdout is the report alone.
    const RunResult r = run({fdscope_bin(), "trace", "--engine", "preload", "--json", "--", "env", "FDSCOPE_QUARANTINE=8", "sh",
                             "-c", "exec \"$0\" >/dev/null", preload_fixture("quarantine")});
    ASSERT_EQ(r.status, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc["double_closes"].size(), 1u) << doc.dump();
    const auto& d = doc["double_closes"][0];
    EXPECT_TRUE(names(d["stack"], "owner_close_again")) << d.dump();
    EXPECT_TRUE(names(d["first"]["stack"], "owner_close(int)")) << d.dump();
    EXPECT_TRUE(names(d["created"]["stack"], "owner_open")) << d.dump();
}

}  // namespace
}  // namespace fdscope::test
