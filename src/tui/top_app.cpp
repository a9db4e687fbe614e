#include "tui/top_app.hpp"

#include <algorithm>
#include <cstring>
#include <langinfo.h>
#include <ncurses.h>

namespace fdscope::tui {

TopApp::TopApp(live::Monitor& m, const std::string& sort) : m_(m) {
    if (sort == "rate") st_.sort = render::TopSort::Rate;
    if (sort == "percent") st_.sort = render::TopSort::Percent;
    const char* cs = nl_langinfo(CODESET);
    st_.unicode = cs && std::strcmp(cs, "UTF-8") == 0;
}

// The rows below the three header lines and above the help line.
std::size_t TopApp::visible() const { return static_cast<std::size_t>(std::max(1, LINES - 4)); }

bool TopApp::key(int ch) {
    if (st_.prompt) return prompt_key(ch);
    if (st_.drill) {
        if (ch == 27 || ch == 'q' || ch == KEY_LEFT || ch == KEY_BACKSPACE) st_.drill.reset();
        return true;
    }
    const int page = static_cast<int>(visible());
    switch (ch) {
        case 'q': case 'Q': return false;
        case KEY_UP: case 'k': move(-1); break;
        case KEY_DOWN: case 'j': move(1); break;
        case KEY_PPAGE: move(-page); break;
        case KEY_NPAGE: move(page); break;
        case KEY_HOME: move(-1000000); break;
        case KEY_END: move(1000000); break;
        case 'n': case 'f': st_.sort = render::TopSort::Fds; break;
        case 'r': st_.sort = render::TopSort::Rate; break;
        case 'p': case '%': st_.sort = render::TopSort::Percent; break;
        case '/': st_.prompt = std::string(); break;  // a new filter, not more of the last one
        case '\n': case '\r': case KEY_ENTER: drill(); break;
        default: break;
    }
    return true;
}

void TopApp::refresh_drill() {
    if (st_.drill) st_.drill_data = m_.drill(*st_.drill);
}

void TopApp::draw(Screen& screen) {
    screen.draw(render::top_screen(m_.tracker(), m_.last(), m_.interval(), st_, screen.width(), screen.height()));
}

bool TopApp::prompt_key(int ch) {
    std::string& p = *st_.prompt;
    if (ch == 27) {
        st_.prompt.reset();
    } else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
        st_.filter = p;
        st_.prompt.reset();
        st_.scroll = 0;
    } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        if (!p.empty()) p.pop_back();
    } else if (ch >= 32 && ch < 256 && p.size() < 64) {
        p += static_cast<char>(ch);
    }
    return true;
}

void TopApp::move(int by) {
    const auto rows = render::top_rows(m_.tracker(), st_);
    if (rows.empty()) return;
    const long at = static_cast<long>(render::settle_selection(st_, rows, visible()));
    const long to = std::clamp(at + by, 0L, static_cast<long>(rows.size()) - 1);
    st_.selected = rows[static_cast<std::size_t>(to)]->key;
}

void TopApp::drill() {
    const auto rows = render::top_rows(m_.tracker(), st_);
    if (rows.empty()) return;
    render::settle_selection(st_, rows, visible());
    st_.drill = st_.selected;
    refresh_drill();
}

}  // namespace fdscope::tui
