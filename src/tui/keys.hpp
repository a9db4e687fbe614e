// `fdscope top`'s keys as a table (as htop keeps them): one row a binding,
// its keys, what it does and the help text; the help line is made from it.
#pragma once
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace fdscope::tui {

enum class Action { Quit, Up, Down, PageUp, PageDown, Home, End, Drill, Filter, SortFds, SortRate, SortPercent, Back };

struct KeyBinding {
    std::vector<int> keys;  // ncurses key codes or characters
    Action action;
    const char* label;      // how the help line names the keys; "" keeps the row out of it
    const char* help;
};

// The process list's keys, in the order the help line shows them.
std::span<const KeyBinding> list_keys();
// The drill-down's keys.
std::span<const KeyBinding> drill_keys();

std::optional<Action> action_for(std::span<const KeyBinding> table, int key);

// "q quit  Up/Down select ...": the labelled rows, two spaces apart; `extra`
// is appended as a last item.
std::string help_line(std::span<const KeyBinding> table, const std::string& extra = "");

// The help lines of the list and the drill-down.
std::string list_help();
std::string drill_help();

}  // namespace fdscope::tui
