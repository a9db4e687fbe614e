#include "tui/keys.hpp"

#include <algorithm>
#include <ncurses.h>

namespace fdscope::tui {
namespace {

constexpr int kEscape = 27;

const std::vector<KeyBinding>& list_table() {
    static const std::vector<KeyBinding> table = {
        {{'q', 'Q'}, Action::Quit, "q", "quit"},
        {{KEY_UP, 'k'}, Action::Up, "Up/Down", "select"},
        {{KEY_DOWN, 'j'}, Action::Down, "", ""},
        {{KEY_PPAGE}, Action::PageUp, "", ""},
        {{KEY_NPAGE}, Action::PageDown, "", ""},
        {{KEY_HOME}, Action::Home, "", ""},
        {{KEY_END}, Action::End, "", ""},
        {{'\n', '\r', KEY_ENTER}, Action::Drill, "Enter", "drill down"},
        {{'/'}, Action::Filter, "/", "filter"},
        {{'n', 'f'}, Action::SortFds, "n", "fds"},
        {{'r'}, Action::SortRate, "r", "rate"},
        {{'p', '%'}, Action::SortPercent, "p", "% of limit"},
    };
    return table;
}

const std::vector<KeyBinding>& drill_table() {
    static const std::vector<KeyBinding> table = {
        {{kEscape, 'q', KEY_LEFT, KEY_BACKSPACE}, Action::Back, "Esc/q", "back"},
    };
    return table;
}

}  // namespace

std::span<const KeyBinding> list_keys() { return list_table(); }
std::span<const KeyBinding> drill_keys() { return drill_table(); }

std::optional<Action> action_for(std::span<const KeyBinding> table, int key) {
    for (const KeyBinding& b : table)
        if (std::find(b.keys.begin(), b.keys.end(), key) != b.keys.end()) return b.action;
    return std::nullopt;
}

std::string help_line(std::span<const KeyBinding> table, const std::string& extra) {
    std::string line;
    auto item = [&](const std::string& text) {
        if (!line.empty()) line += "  ";
        line += text;
    };
    for (const KeyBinding& b : table)
        if (*b.label) item(std::string(b.label) + " " + b.help);
    if (!extra.empty()) item(extra);
    return line;
}

std::string list_help() { return help_line(list_keys()); }
std::string drill_help() { return help_line(drill_keys(), "(refreshes every sample)"); }

}  // namespace fdscope::tui
