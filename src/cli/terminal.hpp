// What the terminal allows: width for tables, colour only on a tty and never
// with a non-empty NO_COLOR.
#pragma once
#include <cstddef>

namespace fdscope::cli {

// 0 (never cut) when stdout is not a terminal; else COLUMNS when set, else
// the terminal's width.
std::size_t terminal_width();
bool use_color();

}  // namespace fdscope::cli
