// `fdscope watch`'s summary table: every row in line whatever the command
// names (wide characters, emoji, combining marks, invalid UTF-8, tabs,
// names longer than the column), and counts that agree with their nouns.
// Widths are checked against the C library's wcswidth in a UTF-8 locale,
// which is what a terminal draws.
#include "render/watch_view.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "render/capture.hpp"
#include "render/utf8_oracle.hpp"

namespace fdscope::render {
namespace {

using testing::terminal_columns;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

std::string rstrip(std::string s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}

ProcSample proc(pid_t pid, std::string comm, std::uint64_t fds) {
    ProcSample s;
    s.pid = pid;
    s.start_ticks = 100;
    s.start = 1000;
    s.comm = std::move(comm);
    s.fds = fds;
    s.limit = 1024;
    return s;
}

std::string summary(const std::vector<ProcSample>& procs, std::size_t ticks, std::size_t unreadable = 0) {
    report::TrendTracker tr{report::TrendOptions{}};
    for (std::size_t i = 0; i < ticks; ++i) {
        Tick t;
        t.time = 2000 + static_cast<double>(i);
        t.procs = procs;
        tr.update(t);
    }
    testing::Capture c;
    write_watch_summary(c.out(), tr, 2000, ticks, 20, unreadable);
    return c.text();
}

TEST(WatchSummary, OddCommandNamesKeepEveryColumnInLine) {
    const std::vector<ProcSample> procs = {
        proc(101, "plain", 10),
        proc(102, "\xf0\x9f\x9a\x80\xf0\x9f\x9a\x80\xf0\x9f\x9a\x80", 11),  // 🚀🚀🚀: wide, fmt counts one each
        proc(103, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac", 12),  // 日本語日本: 10 columns
        proc(104, "e\xcc\x81" "e\xcc\x81" "e\xcc\x81", 13),                  // combining accents: 3 columns
        proc(105, "tab\there", 14),
        proc(106, "bad\xff\xfe", 15),
        proc(107, std::string(15, '\xff'), 16),                              // 60 characters escaped
        proc(108, "\xe6\x97\xa5" "a\xe6\x97\xa5" "b\xe6\x97\xa5" "c\xe6\x97\xa5", 17),  // wide at the cut
    };
    const auto lines = lines_of(summary(procs, 3));
    std::size_t header = 0;
    while (header < lines.size() && lines[header].find("COMMAND") == std::string::npos) ++header;
    ASSERT_LT(header, lines.size());
    // Every row ends where the header's LIMIT column ends (no verdicts here).
    const std::string head = lines[header];
    const int limit_end = terminal_columns(head.substr(0, head.find("LIMIT") + 5));
    ASSERT_EQ(lines.size(), header + 1 + procs.size());
    for (std::size_t i = header + 1; i < lines.size(); ++i) {
        // (What follows the command is ASCII of fixed width: a row that
        // ends in line has its command column in line.)
        EXPECT_EQ(terminal_columns(rstrip(lines[i])), limit_end) << "[" << lines[i] << "]";
    }
    const std::string all = summary(procs, 3);
    EXPECT_NE(all.find("tab\\there"), std::string::npos);
    EXPECT_NE(all.find("bad\\xff\\xfe"), std::string::npos);
    EXPECT_NE(all.find("\xe2\x80\xa6"), std::string::npos) << "the long one is cut in the middle";
}

TEST(WatchSummary, CountsAgreeWithTheirNouns) {
    const std::string one = summary({proc(7, "one", 5)}, 1, 1);
    EXPECT_NE(one.find("1 tick since"), std::string::npos) << one;
    EXPECT_NE(one.find(", 1 process, 0 leak suspects"), std::string::npos) << one;
    EXPECT_NE(one.find("\n1 process could not be counted"), std::string::npos) << one;
    const std::string two = summary({proc(7, "one", 5), proc(8, "two", 6)}, 2, 2);
    EXPECT_NE(two.find("2 ticks since"), std::string::npos) << two;
    EXPECT_NE(two.find(", 2 processes, 0 leak suspects"), std::string::npos) << two;
    EXPECT_NE(two.find("\n2 processes could not be counted"), std::string::npos) << two;
}

// A leak of a process that runs libfdscope-preload.so: the new groups name
// their creation sites, in the text and as "sites" in NDJSON (null for a
// process without the library).
TEST(WatchLeak, NewGroupsNameTheirCreationSites) {
    report::Trend t;
    t.key = {4242, 100};
    t.comm = "pooler";
    t.fds = 340;
    t.limit = 1024;
    t.verdict.leak = true;
    t.verdict.rate_per_min = 1200;
    report::Drill d;
    d.taken = true;
    d.baseline_time = 1795000003;
    d.diff = {{"tcp", "-> 10.0.0.5:5432 (CLOSE-WAIT)", 312}, {"file", "/var/log/app.log", 2}};
    d.origins = true;
    d.sites[{"tcp", "-> 10.0.0.5:5432 (CLOSE-WAIT)"}] = {{312, "db_connect (pool.c:88)"}};
    testing::Capture text;
    write_leak_text(text.out(), 1795000009, t, d);
    EXPECT_NE(text.text().find("+312 tcp -> 10.0.0.5:5432 (CLOSE-WAIT) from db_connect (pool.c:88) (since"),
              std::string::npos)
        << text.text();
    EXPECT_NE(text.text().find("+2 file /var/log/app.log (since"), std::string::npos) << text.text();

    testing::Capture line;
    write_leak_line(line.out(), 1795000009, t, d);
    const auto j = nlohmann::json::parse(line.text());
    ASSERT_EQ(j["new"].size(), 2u);
    EXPECT_EQ(j["new"][0]["sites"], nlohmann::json::parse(R"J([{"count":312,"site":"db_connect (pool.c:88)"}])J"));
    EXPECT_EQ(j["new"][1]["sites"], nlohmann::json::array());  // the library saw none of them

    d.origins = false;
    d.sites.clear();
    testing::Capture plain;
    write_leak_line(plain.out(), 1795000009, t, d);
    EXPECT_TRUE(nlohmann::json::parse(plain.text())["new"][0]["sites"].is_null());
}

}  // namespace
}  // namespace fdscope::render
