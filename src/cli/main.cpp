// fdscope: every file descriptor and kernel file handle on this machine.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/commands.hpp"
#include "cli/completion.hpp"
#include "cli/help_format.hpp"
#include "cli/version.hpp"

int main(int argc, char** argv) {
    using namespace fdscope::cli;
    CLI::App app{"fdscope: every file descriptor and kernel file handle on this machine.\n"
                 "Without a command: the machine summary (handles vs fs.file-max, top processes by fds,\n"
                 "processes near RLIMIT_NOFILE)."};
    app.formatter(std::make_shared<HelpFormatter>());  // before the subcommands: they copy it
    app.set_version_flag("--version", version_text(), "print the version, git revision and backends built in, and exit");
    app.require_subcommand(0, 1);
    SummaryArgs summary;
    add_summary_options(app, summary);
    LsArgs ls;
    add_ls(app, ls);
    AccountArgs account;
    add_account(app, account);
    AuditArgs audit;
    add_audit(app, audit);
    WatchArgs watch;
    add_watch(app, watch);
    TopArgs top;
    add_top(app, top);
    PlotArgs plot;
    add_plot(app, plot);
    app.footer("Exit status: 0 success, 1 failure (audit --fail-on: a finding at or above the level; watch: an alert fired),\n2 usage error, "
               "3 --backend bpf cannot run here.\n"
               "See fdscope(1) and docs/json.md.");
    if (is_completion_query(argc, argv)) return answer_completion_query(app, argc, argv);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? kExitOk : kExitUsage;
    }
    // The root's --backend and --threads belong to the summary; given before
    // a command (`fdscope --backend bpf ls`) they mean that command's.
    auto inherit = [&](const char* name, std::string& backend, unsigned& threads) {
        if (!app.got_subcommand(name)) return;
        if (app.count("--backend") && !app.get_subcommand(name)->count("--backend")) backend = summary.backend;
        if (app.count("--threads") && !app.get_subcommand(name)->count("--threads")) threads = summary.threads;
    };
    // watch and top sample /proc (one stat per process) and plot reads a file: no backend.
    for (const char* name : {"watch", "top", "plot"})
        if (app.got_subcommand(name) && (app.count("--backend") || app.count("--threads"))) {
            std::fprintf(stderr, "fdscope %s: --backend and --threads do not apply to %s (see fdscope(1))\n", name, name);
            return kExitUsage;
        }
    inherit("ls", ls.backend, ls.threads);
    inherit("account", account.backend, account.threads);
    inherit("audit", audit.backend, audit.threads);
    try {
        if (app.got_subcommand("ls")) return run_ls(ls);
        if (app.got_subcommand("account")) return run_account(account);
        if (app.got_subcommand("audit")) return run_audit(audit);
        if (app.got_subcommand("watch")) return run_watch(watch);
        if (app.got_subcommand("top")) return run_top(top);
        if (app.got_subcommand("plot")) return run_plot(plot);
        return run_summary(summary);
    } catch (const std::exception& e) {  // out of memory or threads: say so, exit 1
        std::fprintf(stderr, "fdscope: %s\n", e.what());
        return kExitFailure;
    }
}
