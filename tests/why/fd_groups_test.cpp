// EMFILE's and ENFILE's evidence: what fills a process at its fd limit,
// and who holds the most fds.
#include "why/fd_groups.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "support/support.hpp"

namespace fdscope::why {
namespace {

using test::Fixture;

TEST(WhyFdGroups, AProcessAtItsLimit) {
    Fixture fx("fd_limit", {"64", "95"});
    const pid_t pid = fx.facts()["pid"];
    const std::uint64_t opened = fx.facts()["opened"];
    const auto groups = fd_groups_of(pid, 3);
    ASSERT_FALSE(groups.empty());
    EXPECT_EQ(groups[0].pid, pid);
    EXPECT_GE(groups[0].count, opened);
    EXPECT_NE(groups[0].note.find("chr /dev/null"), std::string::npos) << groups[0].note;
    EXPECT_EQ(groups[0].note.rfind(std::to_string(groups[0].count) + " ", 0), 0u) << groups[0].note;
    EXPECT_LE(groups.size(), 3u);
}

TEST(WhyFdGroups, TopHoldersOfTheMachine) {
    Fixture fx("fd_limit", {"6000", "95"});
    const pid_t pid = fx.facts()["pid"];
    const auto top = top_file_holders(500);
    auto it = std::find_if(top.begin(), top.end(), [pid](const Holder& h) { return h.pid == pid; });
    ASSERT_NE(it, top.end());
    EXPECT_EQ(it->count, fx.facts()["open_count"].get<std::uint64_t>());
    EXPECT_TRUE(std::is_sorted(top.begin(), top.end(), [](const Holder& a, const Holder& b) { return a.count > b.count; }));
}

}  // namespace
}  // namespace fdscope::why
