#include "tui/top_app.hpp"

#include <algorithm>
#include <cstring>
#include <langinfo.h>
#include <ncurses.h>

#include "live/ticker.hpp"
#include "sys/clock.hpp"

namespace fdscope::tui {

TopApp::TopApp(live::Monitor& m, const std::string& sort) : m_(m) {
    if (sort == "rate") st_.sort = render::TopSort::Rate;
    if (sort == "percent") st_.sort = render::TopSort::Percent;
    const char* cs = nl_langinfo(CODESET);
    st_.unicode = cs && std::strcmp(cs, "UTF-8") == 0;
    st_.list_help = list_help();
    st_.drill_help = drill_help();
}

void TopApp::run(Screen& screen) {
    live::Ticker ticker(m_.interval(), sys::now_monotonic);
    ticker.run(
        [&] {
            m_.tick();
            m_.take_baselines();
            refresh_drill();
            draw(screen);
            return true;
        },
        [&](double deadline) { return keys_until(deadline, screen); }, live::stop_requested);
}

bool TopApp::keys_until(double deadline, Screen& screen) {
    bool hangup = false;
    while (m_.wait(deadline, 0, &hangup)) {
        if (hangup || live::stop_requested()) return false;
        for (int ch; (ch = getch()) != ERR;)
            if (!key(ch)) return false;
        draw(screen);
    }
    return true;
}

// The rows below the three header lines and above the help line.
std::size_t TopApp::visible() const { return static_cast<std::size_t>(std::max(1, LINES - 4)); }

bool TopApp::key(int ch) {
    if (st_.prompt) return prompt_key(ch);
    if (st_.drill) {
        if (action_for(drill_keys(), ch) == Action::Back) st_.drill.reset();
        return true;
    }
    const auto a = action_for(list_keys(), ch);
    if (a == Action::Quit) return false;
    if (a) act(*a);
    return true;
}

void TopApp::act(Action a) {
    const int page = static_cast<int>(visible());
    switch (a) {
        case Action::Up: move(-1); break;
        case Action::Down: move(1); break;
        case Action::PageUp: move(-page); break;
        case Action::PageDown: move(page); break;
        case Action::Home: move(-1000000); break;
        case Action::End: move(1000000); break;
        case Action::SortFds: st_.sort = render::TopSort::Fds; break;
        case Action::SortRate: st_.sort = render::TopSort::Rate; break;
        case Action::SortPercent: st_.sort = render::TopSort::Percent; break;
        case Action::Filter: st_.prompt = std::string(); break;  // a new filter, not more of the last one
        case Action::Drill: drill(); break;
        case Action::Quit: case Action::Back: break;
    }
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
