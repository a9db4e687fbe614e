#include "tui/screen.hpp"

#include <ncurses.h>

namespace fdscope::tui {
namespace {

using render::LineStyle;

enum Pair : short { kSuspect = 1, kTitle, kHeader };

// Without colour, suspects are bold (and their pid starts with '*').
attr_t attributes(LineStyle s, bool color) {
    auto pair = [&](short p) { return color ? static_cast<attr_t>(COLOR_PAIR(p)) : attr_t{A_NORMAL}; };
    switch (s) {
        case LineStyle::Title: return A_BOLD | pair(kTitle);
        case LineStyle::ColumnHeader: return A_BOLD | pair(kHeader);
        case LineStyle::Suspect: return A_BOLD | pair(kSuspect);
        case LineStyle::Selected: return A_REVERSE;
        case LineStyle::SelectedSuspect: return A_REVERSE | A_BOLD | pair(kSuspect);
        case LineStyle::Prompt: return A_BOLD;
        case LineStyle::Help: return A_DIM;
        case LineStyle::Info:
        case LineStyle::Row: return A_NORMAL;
    }
    return A_NORMAL;
}

}  // namespace

Screen::Screen(bool color) {
    initscr();
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    color_ = color && has_colors();
    if (color_) {
        start_color();
        use_default_colors();
        init_pair(kSuspect, COLOR_RED, -1);
        init_pair(kTitle, COLOR_CYAN, -1);
        init_pair(kHeader, COLOR_GREEN, -1);
    }
}

Screen::~Screen() { endwin(); }

int Screen::width() const { return COLS; }
int Screen::height() const { return LINES; }

void Screen::draw(const std::vector<render::ScreenLine>& lines) {
    erase();
    for (std::size_t y = 0; y < lines.size() && static_cast<int>(y) < LINES; ++y) {
        const attr_t a = attributes(lines[y].style, color_);
        attron(a);
        mvaddstr(static_cast<int>(y), 0, lines[y].text.c_str());
        attroff(a);
    }
    refresh();
}

}  // namespace fdscope::tui
