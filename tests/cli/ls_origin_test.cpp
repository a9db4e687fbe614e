// `fdscope ls --origin` / `-o ...,origin` against a table written by hand
// (fixtures/fake_preload_table.cpp): the origins it names, symbolized in
// the live process, and what a corrupt table gives (an error note, every
// row still there, never a crash).
#include <dirent.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "cli/cli_helpers.hpp"
#include "support/support.hpp"

namespace fdscope::test {
namespace {

std::size_t fd_count(pid_t pid) {
    std::size_t n = 0;
    DIR* d = opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
    if (!d) return 0;
    while (dirent* e = readdir(d))
        if (e->d_name[0] != '.') ++n;
    closedir(d);
    return n;
}

// The table's rows by fd number: "FD KIND NAME ORIGIN" split at the first
// three runs of spaces would break on names with spaces; the fixture's
// names have none but the log file's, which is escaped (\n, \t, \xff).
std::map<int, std::string> rows_by_fd(const std::string& out) {
    std::map<int, std::string> rows;
    for (const auto& line : split_lines(out)) {
        std::size_t i = line.find_first_not_of(' ');
        if (i == std::string::npos || !std::isdigit(static_cast<unsigned char>(line[i]))) continue;
        rows[std::stoi(line.substr(i))] = line;
    }
    return rows;
}

struct FakeTable : ::testing::Test {
    void SetUp() override {
        // Named [anon:fdscope-table] where the kernel can, else found through the Locator.
        fx = std::make_unique<Fixture>("fake_preload_table");
        pid = fx->facts()["pid"].get<pid_t>();
    }
    int fact(const char* k) { return fx->facts()[k].get<int>(); }
    void scribble(const std::string& cmd) {
        fx->send(cmd);
        EXPECT_EQ(fx->next_line()["done"], cmd);
    }
    RunResult ls_table() { return run({fdscope_bin(), "ls", "-p", std::to_string(pid), "-o", "fd,kind,name,origin"}); }
    nlohmann::json ls_json() { return fdscope_json({"ls", "-p", std::to_string(pid), "--origin"}); }

    std::unique_ptr<Fixture> fx;
    pid_t pid = 0;
};

TEST_F(FakeTable, OriginColumnNamesTheFunctionsOfTheFakeStacks) {
    const RunResult r = ls_table();
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    auto rows = rows_by_fd(r.out);
    EXPECT_EQ(rows.size(), fd_count(pid)) << r.out;
    // The first frame of db's stack is in libc (open): the site skips it.
    EXPECT_NE(rows[fact("db_fd")].find("fake_db_connect"), std::string::npos) << rows[fact("db_fd")];
    EXPECT_NE(rows[fact("pipe_r")].find("fake_make_pipe"), std::string::npos);
    EXPECT_EQ(rows[fact("pipe_r")].find("(inherited)"), std::string::npos);
    EXPECT_NE(rows[fact("pipe_w")].find("fake_make_pipe"), std::string::npos);
    EXPECT_NE(rows[fact("pipe_w")].find("(inherited)"), std::string::npos);
    EXPECT_NE(rows[fact("log_fd")].find("fake_open_log"), std::string::npos);
    EXPECT_NE(rows[fact("log_fd")].find("app\\nlog\\t\\xff.txt"), std::string::npos) << rows[fact("log_fd")];
    EXPECT_NE(rows[fact("quarantined")].find("quarantined, closed at fake_closer"), std::string::npos);
    EXPECT_NE(rows[fact("library_fd")].find("fdscope log"), std::string::npos);
    for (int fd : {0, 1, 2, fact("untracked")}) {
        EXPECT_EQ(rows[fd].find("fake_"), std::string::npos) << rows[fd];
        EXPECT_EQ(rows[fd].find("fdscope log"), std::string::npos) << rows[fd];
    }
}

TEST_F(FakeTable, JsonOriginHasOpFlagsAndTheWholeStack) {
    const auto doc = ls_json();
    auto rows = fd_rows(doc, pid);
    ASSERT_EQ(rows.size(), fd_count(pid));
    for (int fd : {0, 1, 2, fact("untracked")}) {
        ASSERT_TRUE(rows[fd].contains("origin")) << fd;
        EXPECT_TRUE(rows[fd]["origin"].is_null()) << fd;
    }
    const auto& db = rows[fact("db_fd")]["origin"];
    ASSERT_TRUE(db.is_object()) << rows[fact("db_fd")].dump();
    EXPECT_EQ(db["op"], "openat");
    EXPECT_EQ(db["inherited"], false);
    EXPECT_EQ(db["quarantined"], false);
    EXPECT_TRUE(db["owner"].is_null());
    EXPECT_GT(db["time"].get<double>(), 1.6e9);
    ASSERT_GE(db["stack"].size(), 3u);
    EXPECT_NE(db["stack"][0]["module"].get<std::string>().find("libc"), std::string::npos) << db.dump();
    EXPECT_EQ(db["stack"][1]["function"], "fake_db_connect");
    EXPECT_NE(db["stack"][1]["module"].get<std::string>().find("fake_preload_table"), std::string::npos);
    EXPECT_NE(db["site"].get<std::string>().find("fake_db_connect"), std::string::npos);
    EXPECT_EQ(rows[fact("pipe_r")]["origin"]["cloexec_forced"], true);
    EXPECT_EQ(rows[fact("pipe_w")]["origin"]["inherited"], true);
    EXPECT_EQ(rows[fact("pipe_w")]["origin"]["handed_on"], true);
    EXPECT_EQ(rows[fact("log_fd")]["origin"]["owner"], "FILE");
    EXPECT_EQ(rows[fact("log_fd")]["origin"]["op"], "fopen");
    const auto& q = rows[fact("quarantined")]["origin"];
    EXPECT_EQ(q["quarantined"], true);
    ASSERT_TRUE(q["closed"].is_object());
    EXPECT_EQ(q["closed"]["stack"][0]["function"], "fake_closer");
    EXPECT_EQ(rows[fact("library_fd")]["origin"]["op"], "fdscope-log");
    for (const auto& n : doc["notes"]) EXPECT_EQ(n.get<std::string>().find("preload"), std::string::npos) << n;
}

TEST_F(FakeTable, CorruptTablesGiveANoteAndEveryRow) {
    for (const char* cmd : {"magic", "slots", "ref", "depth"}) {
        scribble(cmd);
        const RunResult r = ls_table();
        ASSERT_EQ(r.status, 0) << cmd << ": " << r.err;
        EXPECT_NE(r.err.find("pid " + std::to_string(pid) + ": preload table unreadable:"), std::string::npos)
            << cmd << ": " << r.err;
        auto rows = rows_by_fd(r.out);
        EXPECT_EQ(rows.size(), fd_count(pid)) << cmd;
        for (const auto& [fd, row] : rows) EXPECT_EQ(row.find("fake_"), std::string::npos) << cmd << ": " << row;

        const auto doc = ls_json();
        bool noted = false;
        for (const auto& n : doc["notes"]) noted |= n.get<std::string>().find("preload table unreadable") != std::string::npos;
        EXPECT_TRUE(noted) << cmd << ": " << doc["notes"].dump();
        auto jrows = fd_rows(doc, pid);
        EXPECT_EQ(jrows.size(), fd_count(pid)) << cmd;
        for (const auto& [fd, row] : jrows) EXPECT_TRUE(row["origin"].is_null()) << cmd << ": " << fd;
        scribble("reset");
    }
    // Plain ls does not read the table at all: no note.
    scribble("magic");
    const RunResult plain = run({fdscope_bin(), "ls", "-p", std::to_string(pid)});
    EXPECT_EQ(plain.status, 0);
    EXPECT_EQ(plain.err, "");
    EXPECT_EQ(plain.out.find("ORIGIN"), std::string::npos);
}

TEST_F(FakeTable, ASlotStuckMidWriteLeavesThatFdUnknownAndTheRest) {
    scribble("odd");
    const RunResult r = ls_table();
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("being written"), std::string::npos) << r.err;
    auto rows = rows_by_fd(r.out);
    EXPECT_EQ(rows[fact("db_fd")].find("fake_db_connect"), std::string::npos);
    EXPECT_NE(rows[fact("pipe_r")].find("fake_make_pipe"), std::string::npos);
}

TEST(LsOrigin, AProcessWithoutTheLibraryHasNullOriginsAndNoNote) {
    const auto doc = fdscope_json({"ls", "-p", std::to_string(::getpid()), "--origin"});
    auto rows = fd_rows(doc, ::getpid());
    ASSERT_FALSE(rows.empty());
    for (const auto& [fd, row] : rows) EXPECT_TRUE(row["origin"].is_null()) << fd;
    for (const auto& n : doc["notes"]) EXPECT_EQ(n.get<std::string>().find("preload"), std::string::npos) << n;
    const RunResult r = run({fdscope_bin(), "ls", "-p", std::to_string(::getpid()), "--origin"});
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.err, "");
    EXPECT_NE(r.out.find("ORIGIN"), std::string::npos);
    // Without --origin the JSON has no origin key at all.
    const auto plain = fdscope_json({"ls", "-p", std::to_string(::getpid())});
    for (const auto& f : plain["files"]) EXPECT_FALSE(f.contains("origin"));
}

}  // namespace
}  // namespace fdscope::test
