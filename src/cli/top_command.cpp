// `fdscope top`: live fd counts, rates, ETAs and leak suspects, one screen.
// The layout is render/top_view, the terminal, keys and loop tui/.
#include <clocale>
#include <cstdio>
#include <unistd.h>

#include "cli/origin_symbols.hpp"
#include "cli/commands.hpp"
#include "live/monitor.hpp"
#include "cli/sampling_options.hpp"
#include "cli/terminal.hpp"
#include "tui/screen.hpp"
#include "tui/top_app.hpp"

namespace fdscope::cli {

void add_top(CLI::App& cmd, TopArgs& a) {
    add_sampling_options(cmd, a.sampling);
    cmd.add_option("--sort", a.sort, "fds (default), rate or percent (of the soft limit)")
        ->check(CLI::IsMember({"fds", "rate", "percent"}));
}

int run_top(const TopArgs& a) {
    live::MonitorOptions mo;
    mo.symbolize_origins = symbolize_origins;  // creation sites in drill-downs (preload library)
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
    app.run(screen);
    return kExitOk;
}

}  // namespace fdscope::cli
