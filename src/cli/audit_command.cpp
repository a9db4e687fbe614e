// `fdscope audit`: fd hazards with CI exit codes.
#include <charconv>
#include <cstdio>
#include <fmt/format.h>
#include <fnmatch.h>
#include <fstream>
#include <regex>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "cli/backend_option.hpp"
#include "cli/commands.hpp"
#include "cli/exit_status.hpp"
#include "cli/missing_pids.hpp"
#include "cli/terminal.hpp"
#include "collect/scan.hpp"
#include "render/audit_view.hpp"
#include "report/audit.hpp"

namespace fdscope::cli {

void add_audit(CLI::App& app, AuditArgs& a) {
    auto* cmd = app.add_subcommand("audit", "fd hazards: descriptors that crossed an exec, stdio reused, deleted files, "
                                            "limits; exit 1 with --fail-on");
    cmd->add_option("-p,--pid", a.pids,
                    "only these processes and their descendants (exit status 1 when one does not exist)")
        ->option_text("PID[,PID...]");
    cmd->add_option("-c,--command", a.command, "only processes whose command (comm) matches this regex")
        ->option_text("REGEX");
    cmd->add_option("--fail-on", a.fail_on, "exit 1 when a finding at or above this severity remains")
        ->check(CLI::IsMember({"low", "medium", "high"}))
        ->option_text("low|medium|high");
    cmd->add_option("--ignore", a.ignore, "leave out these kinds (inherited,no-cloexec,stdio,deleted,near-limit)")
        ->option_text("KIND[,KIND...]");
    cmd->add_option("--suppress", a.suppress, "a file of accepted findings: one rule a line, KIND COMMAND [PATTERN]")
        ->option_text("FILE");
    cmd->add_flag("--strict", a.strict, "also report fds without O_CLOEXEC in processes that have children (low)");
    cmd->add_option("--deleted-min", a.deleted_min, "deleted files above this many bytes are medium (default 1 MiB)")
        ->option_text("BYTES");
    cmd->add_flag("--json", a.json, "one JSON document (schema 1, docs/json.md)");
    cmd->add_option("--threads", a.threads, "scan threads (default: one per core)")->option_text("N");
    add_backend_option(*cmd, a.backend);
}

namespace {

int usage(const std::string& msg) {
    std::fprintf(stderr, "fdscope audit: %s\n", msg.c_str());
    return kExitUsage;
}

// One accepted finding: KIND COMMAND [PATTERN]; COMMAND and PATTERN are
// shell globs ("*" for any); a PATTERN of ":PORT" matches a socket's port,
// any other the finding's name.
struct Rule {
    std::string kind, command, pattern;
};

bool parse_rules(const std::string& path, std::vector<Rule>& rules, std::string& err) {
    std::ifstream in(path);
    if (!in) {
        err = "cannot read " + path;
        return false;
    }
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        std::istringstream words(line);
        Rule r;
        if (!(words >> r.kind)) continue;
        if (!(words >> r.command)) {
            err = fmt::format("{}:{}: a rule is KIND COMMAND [PATTERN]", path, n);
            return false;
        }
        words >> r.pattern;
        bool known = false;
        for (auto k : report::kFindingKinds) known = known || k == r.kind;
        if (!known) {
            err = fmt::format("{}:{}: unknown kind {}", path, n, r.kind);
            return false;
        }
        rules.push_back(std::move(r));
    }
    return true;
}

bool suppressed(const report::Finding& f, const std::vector<Rule>& rules) {
    for (const Rule& r : rules) {
        if (r.kind != f.kind) continue;
        if (fnmatch(r.command.c_str(), f.command.c_str(), 0) != 0) continue;
        if (r.pattern.empty()) return true;
        if (r.pattern.front() == ':') {
            if (f.port && r.pattern.substr(1) == std::to_string(f.port)) return true;
            continue;
        }
        if (fnmatch(r.pattern.c_str(), f.name.c_str(), 0) == 0) return true;
    }
    return false;
}

}  // namespace

int run_audit(const AuditArgs& a) {
    report::AuditOptions ao;
    ao.strict = a.strict;
    if (a.deleted_min) ao.deleted_medium = a.deleted_min;
    std::unordered_set<std::string> ignore;
    for (const auto& k : split_list(a.ignore)) {
        bool known = false;
        for (auto kind : report::kFindingKinds) known = known || kind == k;
        if (!known) return usage("unknown kind for --ignore: " + k);
        ignore.insert(k);
    }
    std::vector<Rule> rules;
    if (!a.suppress.empty()) {
        std::string err;
        if (!parse_rules(a.suppress, rules, err)) return usage(err);
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
        const auto up = collect::parent_pids();
        std::unordered_set<pid_t> scope;
        auto under = [&](pid_t pid, const std::unordered_set<pid_t>& tops) {
            for (int depth = 0; pid > 0 && depth < 4096; ++depth) {
                if (tops.count(pid)) return true;
                auto it = up.find(pid);
                if (it == up.end()) return false;
                pid = it->second;
            }
            return false;
        };
        std::unordered_set<pid_t> tops(roots.begin(), roots.end());
        for (const auto& [pid, ppid] : up)
            if (roots.empty() || under(pid, tops)) scope.insert(pid);
        std::unordered_set<pid_t> read(scope);
        for (pid_t pid : scope)
            for (auto it = up.find(pid); it != up.end() && it->second > 1 && read.insert(it->second).second;
                 it = up.find(it->second)) {
            }
        opts.pids = std::vector<pid_t>(read.begin(), read.end());
        ao.scope = std::vector<pid_t>(scope.begin(), scope.end());
    }
    Snapshot snap;
    std::string why;
    if (!scan_with(a.backend, opts, snap, why)) return backend_unavailable("audit", why);
    if (command && ao.scope) {
        // -c: of the scope, the processes whose command matches.
        std::unordered_set<pid_t> scope(ao.scope->begin(), ao.scope->end());
        std::vector<pid_t> kept;
        for (const auto& p : snap.processes)
            if (scope.count(p.pid) && std::regex_search(p.comm, *command)) kept.push_back(p.pid);
        ao.scope = kept;
    }
    // A named pid that does not exist (the service is gone) fails the run,
    // as in lsof and watch: "No findings." about nothing must not pass CI.
    const MissingPids missing = report_missing_pids("audit", named, snap);
    if (missing.all) return kExitFailure;
    ao.locked = collect::read_locked_files();
    report::Audit result = report::audit(snap, ao);
    std::erase_if(result.findings, [&](const report::Finding& f) { return ignore.count(f.kind) || suppressed(f, rules); });

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
    if (!a.fail_on.empty()) {
        const auto level = *report::severity_from_name(a.fail_on);
        for (const auto& f : result.findings)
            if (f.severity >= level) return kExitFailure;
    }
    return kExitOk;
}

}  // namespace fdscope::cli
