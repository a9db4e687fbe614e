// `fdscope` with no command: the machine summary.
#include <chrono>

#include "cli/backend_option.hpp"
#include "cli/commands.hpp"
#include "cli/exit_status.hpp"
#include "cli/shared_options.hpp"
#include "cli/terminal.hpp"
#include "collect/scan.hpp"
#include "collect/users.hpp"
#include "render/summary_view.hpp"
#include "report/summary.hpp"

namespace fdscope::cli {

void add_summary_options(CLI::App& app, SummaryArgs& args) {
    app.add_option("--top", args.top, "how many processes to list (default 10, at most 10000)")
        ->check(CLI::Range(1, 10000))
        ->option_text("N");
    add_json_flag(app, args.json);
    add_scan_options(app, args.threads, args.backend);
}

int run_summary(const SummaryArgs& args) {
    auto t0 = std::chrono::steady_clock::now();
    collect::ScanOptions opts;
    opts.read.count_only = true;
    opts.read.assocs = false;
    opts.read.maps = false;
    opts.read.fdinfo = false;
    opts.sockets = false;
    opts.identity = false;
    opts.threads = args.threads;
    Snapshot snap;
    std::string why;
    if (!scan_with(args.backend, opts, snap, why)) return backend_unavailable("", why);
    collect::resolve_users(snap);
    auto summary = report::summarize(snap, args.top);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    render::Output out;
    if (args.json) {
        render::write_summary_json(out, summary, snap);
    } else {
        render::TableStyle style;
        style.width = terminal_width();
        style.color = use_color();
        render::write_summary_text(out, summary, snap, style, seconds);
    }
    return finish_output(out);
}

}  // namespace fdscope::cli
