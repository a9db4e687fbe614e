// `fdscope top`: live fd counts, rates, ETAs and leak suspects, one screen
// (ncurses). The layout is render/top_view; this file owns the terminal,
// the keys and the sampling loop.
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <langinfo.h>
#include <ncurses.h>
#include <unistd.h>

#include "cli/commands.hpp"
#include "cli/monitor.hpp"
#include "cli/sampling_options.hpp"
#include "cli/terminal.hpp"
#include "render/top_view.hpp"

namespace fdscope::cli {
namespace {

using render::LineStyle;

enum Pair : short { kSuspect = 1, kTitle, kHeader };

// Owns curses mode: endwin() however run_top leaves.
class Screen {
public:
    explicit Screen(bool color) {
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
    ~Screen() { endwin(); }
    Screen(const Screen&) = delete;
    Screen& operator=(const Screen&) = delete;

    void draw(const std::vector<render::ScreenLine>& lines) {
        erase();
        for (std::size_t y = 0; y < lines.size() && static_cast<int>(y) < LINES; ++y) {
            const attr_t a = attributes(lines[y].style);
            attron(a);
            mvaddstr(static_cast<int>(y), 0, lines[y].text.c_str());
            attroff(a);
        }
        refresh();
    }

private:
    // Without colour, suspects are bold (and their pid starts with '*').
    attr_t attributes(LineStyle s) const {
        auto pair = [&](short p) { return color_ ? static_cast<attr_t>(COLOR_PAIR(p)) : attr_t{A_NORMAL}; };
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
    bool color_ = false;
};

class TopApp {
public:
    TopApp(Monitor& m, const TopArgs& a) : m_(m) {
        if (a.sort == "rate") st_.sort = render::TopSort::Rate;
        if (a.sort == "percent") st_.sort = render::TopSort::Percent;
        const char* cs = nl_langinfo(CODESET);
        st_.unicode = cs && std::strcmp(cs, "UTF-8") == 0;
    }

    // false: quit
    bool key(int ch) {
        if (st_.prompt) return prompt_key(ch);
        if (st_.drill) {
            if (ch == 27 || ch == 'q' || ch == KEY_LEFT || ch == KEY_BACKSPACE) st_.drill.reset();
            return true;
        }
        switch (ch) {
            case 'q': case 'Q': return false;
            case KEY_UP: case 'k': move(-1); break;
            case KEY_DOWN: case 'j': move(1); break;
            case KEY_PPAGE: move(-(LINES - 5)); break;
            case KEY_NPAGE: move(LINES - 5); break;
            case KEY_HOME: move(-1000000); break;
            case KEY_END: move(1000000); break;
            case 'n': case 'f': st_.sort = render::TopSort::Fds; break;
            case 'r': st_.sort = render::TopSort::Rate; break;
            case 'p': case '%': st_.sort = render::TopSort::Percent; break;
            case '/': st_.prompt = st_.filter; break;
            case '\n': case '\r': case KEY_ENTER: drill(); break;
            default: break;
        }
        return true;
    }

    void refresh_drill() {
        if (st_.drill) st_.drill_data = m_.drill(*st_.drill);
    }

    void draw(Screen& screen) {
        screen.draw(render::top_screen(m_.tracker(), m_.last(), m_.interval(), st_, COLS, LINES));
    }

private:
    bool prompt_key(int ch) {
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

    void move(int by) {
        const auto rows = render::top_rows(m_.tracker(), st_);
        if (rows.empty()) return;
        const long at = static_cast<long>(render::settle_selection(st_, rows, static_cast<std::size_t>(std::max(1, LINES - 4))));
        const long to = std::clamp(at + by, 0L, static_cast<long>(rows.size()) - 1);
        st_.selected = rows[static_cast<std::size_t>(to)]->key;
    }

    void drill() {
        const auto rows = render::top_rows(m_.tracker(), st_);
        if (rows.empty()) return;
        render::settle_selection(st_, rows, static_cast<std::size_t>(std::max(1, LINES - 4)));
        st_.drill = st_.selected;
        refresh_drill();
    }

    Monitor& m_;
    render::TopState st_;
};

}  // namespace

void add_top(CLI::App& app, TopArgs& a) {
    auto* cmd = app.add_subcommand("top", "live fd counts, rates, time to the fd limit and leak suspects (like htop)");
    add_sampling_options(*cmd, a.sampling);
    cmd->add_option("--sort", a.sort, "fds (default), rate or percent (of the soft limit)")
        ->check(CLI::IsMember({"fds", "rate", "percent"}));
}

int run_top(const TopArgs& a) {
    MonitorOptions mo;
    if (auto bad = monitor_options(a.sampling, mo)) {
        std::fprintf(stderr, "fdscope top: %s\n", bad->c_str());
        return kExitUsage;
    }
    if (!isatty(0) || !isatty(1)) {
        std::fprintf(stderr, "fdscope top: needs a terminal (for scripts: fdscope watch)\n");
        return kExitUsage;
    }
    std::setlocale(LC_ALL, "");
    Monitor m(mo);
    TopApp app(m, a);
    Screen screen(use_color());
    catch_stop_signals();
    double next = now_unix();
    while (!stop_requested()) {
        m.tick();
        m.take_baselines();
        app.refresh_drill();
        app.draw(screen);
        next += a.sampling.interval;
        while (next <= now_unix()) next += a.sampling.interval;
        // Keys are handled as they come; the screen redraws after each.
        bool hangup = false;
        while (m.wait(next, 0, &hangup)) {
            if (hangup || stop_requested()) return kExitOk;
            for (int ch; (ch = getch()) != ERR;)
                if (!app.key(ch)) return kExitOk;
            app.draw(screen);
        }
    }
    return kExitOk;
}

}  // namespace fdscope::cli
