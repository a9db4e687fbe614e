// fdscope: every file descriptor and kernel file handle on this machine.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/commands.hpp"
#include "cli/completion.hpp"
#include "cli/help_format.hpp"
#include "cli/version.hpp"

namespace {

using namespace fdscope::cli;

struct Args {
    SummaryArgs summary;
    LsArgs ls;
    AccountArgs account;
    AuditArgs audit;
    WatchArgs watch;
    TopArgs top;
    PlotArgs plot;
    ServeArgs serve;
    WhyArgs why;
    TraceArgs trace;
};

// A command's --backend and --threads, for those that read a snapshot.
struct ScanArgs {
    std::string* backend;
    unsigned* threads;
};

// One row a command, in --help's order (as ninja's tool table): its name,
// the line --help gives it, the options it declares, what runs it, and its
// scan options (none: watch and top sample /proc one stat per process,
// plot reads a file).
struct Command {
    const char* name;
    const char* summary;
    void (*setup)(CLI::App& cmd, Args& a);
    int (*run)(const Args& a);
    ScanArgs (*scan)(Args& a);
};

constexpr Command kCommands[] = {
    {"ls", "every fd, cwd/rtd/exe, mapped file and SysV shm attach (lsof/lsfd class)",
     [](CLI::App& c, Args& a) { add_ls(c, a.ls); }, [](const Args& a) { return run_ls(a.ls); },
     [](Args& a) { return ScanArgs{&a.ls.backend, &a.ls.threads}; }},
    {"account", "where every kernel file handle went: fd tables, mappings, SysV shm, in flight, the rest",
     [](CLI::App& c, Args& a) { add_account(c, a.account); }, [](const Args& a) { return run_account(a.account); },
     [](Args& a) { return ScanArgs{&a.account.backend, &a.account.threads}; }},
    {"audit", "fd hazards: descriptors that crossed an exec, stdio reused, deleted files, limits; exit 1 with --fail-on",
     [](CLI::App& c, Args& a) { add_audit(c, a.audit); }, [](const Args& a) { return run_audit(a.audit); },
     [](Args& a) { return ScanArgs{&a.audit.backend, &a.audit.threads}; }},
    {"watch", "sample every process's fd count at an interval and name the leakers (for scripts and CI)",
     [](CLI::App& c, Args& a) { add_watch(c, a.watch); }, [](const Args& a) { return run_watch(a.watch); }, nullptr},
    {"top", "live fd counts, rates, time to the fd limit and leak suspects (like htop)",
     [](CLI::App& c, Args& a) { add_top(c, a.top); }, [](const Args& a) { return run_top(a.top); }, nullptr},
    {"plot", "draw a recorded watch (--record FILE) as an SVG chart",
     [](CLI::App& c, Args& a) { add_plot(c, a.plot); }, [](const Args& a) { return run_plot(a.plot); }, nullptr},
    {"serve", "a Prometheus/OpenMetrics exporter: fd counts by group, leak verdicts, file-nr attribution (127.0.0.1:10253)",
     [](CLI::App& c, Args& a) { add_serve(c, a.serve); }, [](const Args& a) { return run_serve(a.serve); }, nullptr},
    {"why", "which layer makes an open/mkdir/exec/bind/... fail for a user or a process, and the fix",
     [](CLI::App& c, Args& a) { add_why(c, a.why); }, [](const Args& a) { return run_why(a.why); }, nullptr},
    {"trace", "the fd lifecycle of a command or running processes: creation stacks of leaks, exec crossings, stale closes",
     [](CLI::App& c, Args& a) { add_trace(c, a.trace); }, [](const Args& a) { return run_trace(a.trace); }, nullptr},
};

// The root's --backend and --threads belong to the summary; given before a
// command (`fdscope --backend bpf ls`) they mean that command's. Usage
// error (false) for a command without them.
bool inherit_scan_options(const CLI::App& app, const Command& c, Args& a) {
    const CLI::App& cmd = *app.get_subcommand(c.name);
    if (!c.scan) {
        if (!app.count("--backend") && !app.count("--threads")) return true;
        std::fprintf(stderr, "fdscope %s: --backend and --threads do not apply to %s (see fdscope(1))\n", c.name, c.name);
        return false;
    }
    const ScanArgs scan = c.scan(a);
    if (app.count("--backend") && !cmd.count("--backend")) *scan.backend = a.summary.backend;
    if (app.count("--threads") && !cmd.count("--threads")) *scan.threads = a.summary.threads;
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"fdscope: every file descriptor and kernel file handle on this machine.\n"
                 "Without a command: the machine summary (handles vs fs.file-max, top processes by fds,\n"
                 "processes near RLIMIT_NOFILE)."};
    app.formatter(std::make_shared<HelpFormatter>());  // before the subcommands: they copy it
    app.set_version_flag("--version", version_text(), "print the version, git revision and backends built in, and exit");
    app.require_subcommand(0, 1);
    Args args;
    add_summary_options(app, args.summary);
    for (const Command& c : kCommands) c.setup(*app.add_subcommand(c.name, c.summary), args);
    app.footer("Exit status: 0 success, 1 failure (audit --fail-on: a finding at or above the level; watch: an alert fired),\n2 usage error, "
               "3 --backend bpf cannot run here, or (why) the prediction and the kernel disagree or a fact could not be read.\n"
               "trace: the traced command's exit status (128 + signal), 1 when --fail-on finds something, 3 --engine bpf cannot load.\n"
               "See fdscope(1) and docs/json.md.");
    if (is_completion_query(argc, argv)) return answer_completion_query(app, argc, argv);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? kExitOk : kExitUsage;
    }
    const Command* chosen = nullptr;
    for (const Command& c : kCommands)
        if (app.got_subcommand(c.name)) chosen = &c;
    if (chosen && !inherit_scan_options(app, *chosen, args)) return kExitUsage;
    try {
        return chosen ? chosen->run(args) : run_summary(args.summary);
    } catch (const std::exception& e) {  // out of memory or threads: say so, exit 1
        std::fprintf(stderr, "fdscope: %s\n", e.what());
        return kExitFailure;
    }
}
