// `fdscope top`: live fd counts, rates, ETAs and leak suspects, one screen.
// The layout is render/top_view, the terminal and keys tui/; this file
// wires them to the sampling loop.
#include <clocale>
#include <cstdio>
#include <ncurses.h>
#include <unistd.h>

#include "cli/commands.hpp"
#include "live/monitor.hpp"
#include "cli/sampling_options.hpp"
#include "cli/terminal.hpp"
#include "render/top_view.hpp"
#include "tui/screen.hpp"
#include "tui/top_app.hpp"

namespace fdscope::cli {

void add_top(CLI::App& app, TopArgs& a) {
    auto* cmd = app.add_subcommand("top", "live fd counts, rates, time to the fd limit and leak suspects (like htop)");
    add_sampling_options(*cmd, a.sampling);
    cmd->add_option("--sort", a.sort, "fds (default), rate or percent (of the soft limit)")
        ->check(CLI::IsMember({"fds", "rate", "percent"}));
}

int run_top(const TopArgs& a) {
    live::MonitorOptions mo;
    if (auto bad = monitor_options(a.sampling, mo)) {
        std::fprintf(stderr, "fdscope top: %s\n", bad->c_str());
        return kExitUsage;
    }
    if (!isatty(0) || !isatty(1)) {
        std::fprintf(stderr, "fdscope top: needs a terminal (for scripts: fdscope watch)\n");
        return kExitUsage;
    }
    std::setlocale(LC_ALL, "");
    live::Monitor m(mo);
    tui::TopApp app(m, a.sort);
    tui::Screen screen(use_color());
    live::catch_stop_signals();
    double next = live::now_monotonic();
    while (!live::stop_requested()) {
        m.tick();
        m.take_baselines();
        app.refresh_drill();
        app.draw(screen);
        next += a.sampling.interval;
        while (next <= live::now_monotonic()) next += a.sampling.interval;
        // Keys are handled as they come; the screen redraws after each.
        bool hangup = false;
        while (m.wait(next, 0, &hangup)) {
            if (hangup || live::stop_requested()) return kExitOk;
            for (int ch; (ch = getch()) != ERR;)
                if (!app.key(ch)) return kExitOk;
            app.draw(screen);
        }
    }
    return kExitOk;
}

}  // namespace fdscope::cli
