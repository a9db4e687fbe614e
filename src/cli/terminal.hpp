// What the terminal allows: width for tables, colour only on a tty and never
// with NO_COLOR.
#pragma once
#include <cstddef>

namespace fdscope::cli {

std::size_t terminal_width();  // 0 when stdout is not a terminal (and COLUMNS unset)
bool use_color();

}  // namespace fdscope::cli
