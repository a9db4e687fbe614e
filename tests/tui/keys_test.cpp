// top's key table: every key maps to one action, and the help lines are
// made from the table.
#include <gtest/gtest.h>
#include <ncurses.h>
#include <set>

#include "render/top_view.hpp"
#include "tui/keys.hpp"

using namespace fdscope::tui;

TEST(Keys, ListKeysMapToTheirActions) {
    EXPECT_EQ(action_for(list_keys(), 'q'), Action::Quit);
    EXPECT_EQ(action_for(list_keys(), 'Q'), Action::Quit);
    EXPECT_EQ(action_for(list_keys(), KEY_UP), Action::Up);
    EXPECT_EQ(action_for(list_keys(), 'j'), Action::Down);
    EXPECT_EQ(action_for(list_keys(), KEY_NPAGE), Action::PageDown);
    EXPECT_EQ(action_for(list_keys(), '\r'), Action::Drill);
    EXPECT_EQ(action_for(list_keys(), '%'), Action::SortPercent);
    EXPECT_EQ(action_for(list_keys(), 'f'), Action::SortFds);
    EXPECT_EQ(action_for(list_keys(), '/'), Action::Filter);
    EXPECT_EQ(action_for(list_keys(), 'x'), std::nullopt);
}

TEST(Keys, DrillKeysGoBack) {
    for (int k : {27, int('q'), KEY_LEFT, KEY_BACKSPACE}) EXPECT_EQ(action_for(drill_keys(), k), Action::Back) << k;
    EXPECT_EQ(action_for(drill_keys(), 'r'), std::nullopt);
}

TEST(Keys, NoKeyIsBoundTwice) {
    for (auto table : {list_keys(), drill_keys()}) {
        std::set<int> seen;
        for (const auto& b : table)
            for (int k : b.keys) EXPECT_TRUE(seen.insert(k).second) << k;
    }
}

TEST(Keys, HelpLinesComeFromTheTable) {
    EXPECT_EQ(list_help(), "q quit  Up/Down select  Enter drill down  / filter  n fds  r rate  p % of limit");
    EXPECT_EQ(drill_help(), "Esc/q back  (refreshes every sample)");
    // A screen state made without the table shows the same lines.
    const fdscope::render::TopState st;
    EXPECT_EQ(st.list_help, list_help());
    EXPECT_EQ(st.drill_help, drill_help());
    const KeyBinding one[] = {{{'x'}, Action::Quit, "x", "exit"}, {{'y'}, Action::Up, "", "hidden"}};
    EXPECT_EQ(help_line(one), "x exit");
    EXPECT_EQ(help_line(one, "tail"), "x exit  tail");
}
