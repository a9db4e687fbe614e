// Counts printed for people agree with their nouns: "1 process", never
// "1 processes" (the summary, account's "... and N more", and the noun
// helper itself; watch's and top's are in their own tests).
#include <gtest/gtest.h>
#include <string>

#include "render/account_view.hpp"
#include "render/capture.hpp"
#include "render/numbers.hpp"
#include "render/summary_view.hpp"

namespace fdscope::render {
namespace {

TEST(Noun, OneAndTheRest) {
    EXPECT_EQ(noun(1, "process", "processes"), "process");
    EXPECT_EQ(noun(0, "process", "processes"), "processes");
    EXPECT_EQ(noun(2, "process", "processes"), "processes");
}

std::string summary_text(std::uint64_t processes, std::uint64_t permission, std::uint64_t vanished) {
    report::Summary s;
    s.processes = processes;
    s.fds = 10;
    s.skipped.permission = permission;
    s.skipped.vanished = vanished;
    testing::Capture c;
    write_summary_text(c.out(), s, Snapshot{}, TableStyle{}, 0.01);
    return c.text();
}

TEST(SummaryText, ProcessCountsAgree) {
    const std::string one = summary_text(1, 1, 0);
    EXPECT_NE(one.find("10 in 1 process (fs.nr_open"), std::string::npos) << one;
    EXPECT_NE(one.find("Not readable         1 process: 1 permission denied, 0 vanished"), std::string::npos) << one;
    const std::string two = summary_text(2, 1, 1);
    EXPECT_NE(two.find("10 in 2 processes (fs.nr_open"), std::string::npos) << two;
    EXPECT_NE(two.find("Not readable         2 processes: 1 permission denied, 1 vanished"), std::string::npos) << two;
}

TEST(AccountText, OneMoreProcessIsOneProcess) {
    report::Account a;
    a.processes.resize(3);
    for (std::size_t top : {std::size_t{2}, std::size_t{1}}) {
        testing::Capture c;
        write_account_text(c.out(), a, top, TableStyle{});
        const std::string text = c.text();
        const std::string want = top == 2 ? "... and 1 more process (" : "... and 2 more processes (";
        EXPECT_NE(text.find(want), std::string::npos) << text;
    }
}

}  // namespace
}  // namespace fdscope::render
