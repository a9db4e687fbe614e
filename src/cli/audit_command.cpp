// `fdscope audit`: fd hazards with CI exit codes.
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <unordered_set>

#include "cli/backend_option.hpp"
#include "cli/commands.hpp"
#include "cli/exit_status.hpp"
#include "cli/missing_pids.hpp"
#include "cli/shared_options.hpp"
#include "cli/terminal.hpp"
#include "collect/scan.hpp"
#include "render/audit_view.hpp"
#include "report/audit.hpp"
#include "report/audit_rules.hpp"
#include "report/process_tree.hpp"

namespace fdscope::cli {

void add_audit(CLI::App& cmd, AuditArgs& a) {
    cmd.add_option("-p,--pid", a.pids,
                    "only these processes and their descendants (exit status 1 when one does not exist)")
        ->option_text("PID[,PID...]");
    cmd.add_option("-c,--command", a.command, "only processes whose command (comm) matches this regex")
        ->option_text("REGEX");
    cmd.add_option("--fail-on", a.fail_on, "exit 1 when a finding at or above this severity remains")
        ->check(CLI::IsMember({"low", "medium", "high"}))
        ->option_text("low|medium|high");
    cmd.add_option("--ignore", a.ignore, "leave out these kinds (inherited,no-cloexec,stdio,deleted,near-limit)")
        ->option_text("KIND[,KIND...]");
    cmd.add_option("--suppress", a.suppress, "a file of accepted findings: one rule a line, KIND COMMAND [PATTERN]")
        ->option_text("FILE");
    cmd.add_flag("--strict", a.strict, "also report fds without O_CLOEXEC in processes that have children (low)");
    cmd.add_option("--deleted-min", a.deleted_min, "deleted files above this many bytes are medium (default 1 MiB)")
        ->option_text("BYTES");
    add_json_flag(cmd, a.json);
    add_scan_options(cmd, a.threads, a.backend);
}

namespace {

int usage(const std::string& msg) {
    std::fprintf(stderr, "fdscope audit: %s\n", msg.c_str());
    return kExitUsage;
}

// The suppression file's rules; false with `err`.
bool read_rules(const std::string& path, std::vector<report::SuppressRule>& rules, std::string& err) {
    std::ifstream in(path);
    if (!in) {
        err = "cannot read " + path;
        return false;
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = report::parse_suppress_rules(text.str(), path, err);
    if (!parsed) return false;
    rules = std::move(*parsed);
    return true;
}

}  // namespace

int run_audit(const AuditArgs& a) {
    report::AuditOptions ao;
    ao.strict = a.strict;
    if (a.deleted_min) ao.deleted_medium = a.deleted_min;
    std::unordered_set<std::string> ignore;
    for (const auto& k : split_list(a.ignore)) {
        if (!report::is_finding_kind(k)) return usage("unknown kind for --ignore: " + k);
        ignore.insert(k);
    }
    std::vector<report::SuppressRule> rules;
    if (!a.suppress.empty()) {
        std::string err;
        if (!read_rules(a.suppress, rules, err)) return usage(err);
    }
    std::optional<std::regex> command;
    if (!a.command.empty()) {
        try {
            command.emplace(a.command, std::regex::extended);
        } catch (const std::regex_error& e) {
            return usage("bad regex for -c: " + std::string(e.what()));
        }
    }
    collect::ScanOptions opts;
    std::vector<pid_t> named;  // -p
    opts.threads = a.threads;
    opts.identity = true;      // inherited: descriptions shared across processes
    opts.read.maps = false;
    opts.read.details = false;
    if (!a.pids.empty() || command) {
        // The selected processes and their descendants; their ancestors are
        // read too, to name where an inherited description came from.
        std::string bad;
        if (!parse_pids(a.pids, named, bad)) return usage("not a pid: " + bad);
        const std::vector<pid_t> roots = collect::thread_groups(named);  // a tid means its process
        report::TreeScope tree = report::subtree_scope(roots, collect::parent_pids());
        opts.pids = std::move(tree.read);
        ao.scope = std::move(tree.scope);
    }
    Snapshot snap;
    std::string why;
    if (!scan_with(a.backend, opts, snap, why)) return backend_unavailable("audit", why);
    if (command && ao.scope) ao.scope = report::command_matches(*ao.scope, snap, *command);
    // A named pid that does not exist (the service is gone) fails the run,
    // as in lsof and watch: "No findings." about nothing must not pass CI.
    const MissingPids missing = report_missing_pids("audit", named, snap);
    if (missing.all) return kExitFailure;
    ao.locked = collect::read_locked_files();
    report::Audit result = report::audit(snap, ao);
    report::drop_accepted(result, ignore, rules);

    render::Output out;
    if (a.json) {
        render::write_audit_json(out, result, snap.backend);
    } else {
        render::TableStyle style;
        style.width = terminal_width();
        style.color = use_color();
        render::write_audit_text(out, result, style);
    }
    int status = finish_output(out);
    if (status != kExitOk) return status;
    if (!missing.pids.empty()) return kExitFailure;
    if (!a.fail_on.empty() && report::fails_at(result, *report::severity_from_name(a.fail_on))) return kExitFailure;
    return kExitOk;
}

}  // namespace fdscope::cli
