// `fdscope ls`: the inventory.
#include <algorithm>
#include <cstdio>
#include <fmt/format.h>

#include "cli/backend_option.hpp"
#include "cli/commands.hpp"
#include "cli/exit_status.hpp"
#include "cli/missing_pids.hpp"
#include "cli/origin_symbols.hpp"
#include "cli/shared_options.hpp"
#include "cli/terminal.hpp"
#include "collect/inet_names.hpp"
#include "collect/phase_timer.hpp"
#include "collect/scan.hpp"
#include "collect/users.hpp"
#include "render/escape.hpp"
#include "render/ls_view.hpp"
#include "report/ls.hpp"

namespace fdscope::cli {

void add_ls(CLI::App& cmd, LsArgs& a) {
    cmd.add_option("-p,--pid", a.pids, "only these processes (exit status 1 when one does not exist)")
        ->option_text("PID[,PID...]");
    cmd.add_option("-c,--command", a.command, "only processes whose command (comm) matches this regex")
        ->option_text("REGEX");
    cmd.add_option("-u,--user", a.user, "only processes of this user (name or uid)")->option_text("USER");
    cmd.add_option("-t,--type", a.kinds, "only files of these kinds (file,dir,pipe,tcp,unix,eventfd,...)")
        ->option_text("KIND[,KIND...]");
    cmd.add_option("--assoc", a.assocs,
                   "only these associations: fd,cwd,rtd,exe,mem,shm, or ^NAME to leave one out (default: all)")
        ->option_text("ASSOC[,ASSOC...]");
    auto* inet = cmd.add_option("-i,--inet", a.inet,
                                "Internet sockets; optional lsof-style [46][tcp|udp|raw][@host][:port], e.g. -i :8080, "
                                "-i tcp@[::1]:ssh");
    inet->expected(0, 1);
    inet->allow_extra_args(false);
    inet->option_text("[SPEC]");
    cmd.add_option("--path", a.path, "only names starting with this prefix")->option_text("PREFIX");
    cmd.add_flag("--deleted", a.deleted, "only deleted-but-open files");
    cmd.add_flag("--no-cloexec", a.no_cloexec, "only fds without O_CLOEXEC (they survive execve)");
    cmd.add_flag("--origin", a.origin,
                 "where each fd was created, for processes running libfdscope-preload.so (adds the origin column)");
    cmd.add_option("-o,--output", a.columns, "columns, comma separated (--list-columns)")->option_text("COLUMNS");
    add_json_flag(cmd, a.out.json);
    cmd.add_flag("--ndjson", a.out.ndjson, "one JSON object per line per file");
    cmd.add_flag("--csv", a.out.csv, "CSV with a header row");
    cmd.add_flag("--no-header", a.out.no_header, "table without its header line");
    cmd.add_flag_callback(
        "--list-columns",
        [] {
            for (const auto& c : render::ls_all_columns()) std::printf("%s\n", c.c_str());
            throw CLI::Success();
        },
        "print the column names for -o and exit");
    add_scan_options(cmd, a.threads, a.backend);
    cmd.callback([&a, inet] { a.inet_given = inet->count() > 0; });
}

namespace {

int usage(const std::string& msg) {
    std::fprintf(stderr, "fdscope ls: %s\n", msg.c_str());
    return kExitUsage;
}

// Which associations to read: cwd/rtd/exe and the maps only when the
// filters let one of them through (they are files and directories, never
// sockets, and have no O_CLOEXEC).
bool kinds_allow_assocs(const LsArgs& a, const report::LsFilter& f) {
    if (a.inet_given || a.no_cloexec) return false;
    if (f.kinds.empty()) return true;
    return std::any_of(f.kinds.begin(), f.kinds.end(), [](Kind k) {
        return k == Kind::File || k == Kind::Dir || k == Kind::Memfd || k == Kind::Chr || k == Kind::Unknown;
    });
}

// -t takes kinds; an association's name there gets a pointer to --assoc.
std::string kind_error(const std::string& name) {
    std::string err;
    if (report::parse_assoc_list({name}, err))
        return "-t " + name + ": " + name + " is an association, not a kind of file (--assoc " + name + ")";
    return "unknown kind: " + name + " (see fdscope(1) for the list)";
}

// Host and service names of -i, looked up as lsof does; false with `err`.
bool resolve_inet_names(report::InetFilter& f, std::string& err) {
    if (f.host_is_name) {
        std::string why;
        for (const auto& text : collect::host_addresses(f.host, f.family, why))
            if (auto a = report::parse_ip(text)) f.addresses.push_back(*a);
        if (f.addresses.empty()) {
            err = "cannot resolve host '" + f.host + "': " + why;
            return false;
        }
    }
    if (!f.service.empty()) {
        for (const char* proto : {"tcp", "udp"})
            if (f.protocol.empty() || f.protocol == proto)
                if (int port = collect::service_port(f.service, proto); port >= 0) f.service_ports.push_back({proto, port});
        if (f.service_ports.empty()) {
            err = "unknown service '" + f.service + "'" + (f.protocol.empty() ? "" : " for " + f.protocol) +
                  " (not in /etc/services)";
            return false;
        }
    }
    return true;
}

}  // namespace

int run_ls(const LsArgs& a) {
    report::LsFilter filter;
    collect::ScanOptions opts;
    opts.threads = a.threads;
    if (!a.pids.empty()) {
        std::vector<pid_t> pids;
        std::string bad;
        if (!parse_pids(a.pids, pids, bad)) return usage("not a pid: " + bad);
        opts.pids = pids;
    }
    if (!a.command.empty()) {
        try {
            filter.command.emplace(a.command, std::regex::extended);
        } catch (const std::regex_error& e) {
            return usage("bad regex for -c: " + std::string(e.what()));
        }
    }
    if (!a.user.empty()) {
        filter.uid = collect::lookup_user(a.user);
        if (!filter.uid) return usage("no such user: " + a.user);
    }
    for (const auto& k : split_list(a.kinds)) {
        auto kind = kind_from_name(k);
        if (!kind) return usage(kind_error(k));
        filter.kinds.push_back(*kind);
    }
    if (!a.assocs.empty()) {
        std::string err;
        auto set = report::parse_assoc_list(split_list(a.assocs), err);
        if (!set) return usage("--assoc: " + err);
        filter.assocs = *set;
    }
    if (a.inet_given) {
        std::string err;
        filter.inet = report::parse_inet_filter(a.inet.empty() ? "" : a.inet.front(), err);
        if (!filter.inet || !resolve_inet_names(*filter.inet, err)) return usage("-i: " + err);
    }
    filter.path_prefix = a.path;
    filter.deleted_only = a.deleted;
    filter.no_cloexec = a.no_cloexec;
    int formats = int(a.out.json) + int(a.out.ndjson) + int(a.out.csv);
    if (formats > 1) return usage("choose one of --json, --ndjson, --csv");
    std::vector<std::string> columns = split_list(a.columns);
    if (columns.empty() && !a.columns.empty()) return usage("-o: no column given (--list-columns)");
    std::transform(columns.begin(), columns.end(), columns.begin(), [](std::string s) {
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
        return s;
    });
    if (auto bad = render::ls_unknown_column(columns); !bad.empty())
        return usage("unknown column: " + bad + " (--list-columns)");

    bool structured = a.out.json || a.out.ndjson;
    auto chosen = [&](const char* c) { return std::find(columns.begin(), columns.end(), c) != columns.end(); };
    opts.endpoints = structured || chosen("endpoints");
    // Description ids cost about log2(n) kcmp calls per distinct description
    // (there is no cheaper way to tell n descriptions apart through procfs),
    // so they are computed only when shown: JSON, NDJSON, or -o desc.
    opts.identity = structured || chosen("desc");
    // fdinfo's per-kind details: shown in JSON and the detail column; eventfd
    // ids also pair eventfd endpoints. (Free with procfs; BPF reads fdinfo for them.)
    opts.read.details = structured || chosen("detail") || chosen("endpoints");
    opts.read.list_refused = true;  // a process whose fdinfo is refused: its fds by number at least, as lsof
    using report::assoc_bit;
    const bool assocs_possible = kinds_allow_assocs(a, filter);
    const report::AssocSet links = assoc_bit(Assoc::Cwd) | assoc_bit(Assoc::Rtd) | assoc_bit(Assoc::Exe);
    const report::AssocSet maps = assoc_bit(Assoc::Mem) | assoc_bit(Assoc::Shm);
    opts.read.assocs = assocs_possible && (filter.assocs & links);
    opts.read.maps = assocs_possible && (filter.assocs & maps);
    if (filter.command || filter.uid) {
        opts.read.keep = [&filter](const Process& p) { return report::process_matches(filter, p); };
    }
    Snapshot snap;
    std::string why;
    if (!scan_with(a.backend, opts, snap, why)) return backend_unavailable("ls", why);
    collect::PhaseTimer timer;
    collect::resolve_users(snap);
    // The pids that exist are still listed; one that does not is not a
    // process that vanished during the scan.
    const MissingPids missing = report_missing_pids("ls", opts.pids.value_or(std::vector<pid_t>{}), snap);
    if (missing.all) return kExitFailure;  // nothing to show, as lsof
    for (pid_t pid : missing.pids) snap.notes.push_back(fmt::format("no process {}", pid));
    snap.skipped_processes.vanished -= std::min<std::uint64_t>(snap.skipped_processes.vanished, missing.pids.size());
    report::LsReport rep(snap, filter);
    timer.mark("report");
    // The preload tables are read only when something shows them (--origin,
    // or origin among the -o columns, in any format): plain ls stays as fast
    // as without the library.
    std::vector<std::string> origin_notes;
    if (a.origin || chosen("origin")) {
        rep.set_origins(read_symbolized_origins(snap, origin_notes));
        timer.mark("origins");
    }

    if (a.out.json) snap.notes.insert(snap.notes.end(), origin_notes.begin(), origin_notes.end());
    render::Output out;
    if (a.out.json) render::write_ls_json(out, rep, snap.backend);
    else if (a.out.ndjson) render::write_ls_ndjson(out, rep);
    else {
        if (columns.empty()) {
            columns = render::ls_default_columns(rep);
            if (a.origin) columns.insert(columns.end() - 1, "origin");  // before the name, the widest
        }
        if (a.out.csv) render::write_ls_csv(out, rep, columns);
        else {
            render::TableStyle style;
            style.width = terminal_width();
            style.color = use_color();
            style.header = !a.out.no_header;
            render::write_ls_table(out, rep, columns, style);
        }
    }
    int status = finish_output(out);
    timer.mark("render");
    if (!a.out.json) {
        // A JSON document carries these in "notes"; other outputs have them on stderr.
        for (const auto& gap : rep.read_gaps())
            std::fprintf(stderr, "fdscope: %s\n", render::escape_for_table(gap).c_str());
        for (const auto& note : origin_notes)
            std::fprintf(stderr, "fdscope: %s\n", render::escape_for_table(note).c_str());
        if (!snap.ids_exact) std::fprintf(stderr, "fdscope: kcmp not permitted; description ids are approximate\n");
    }
    if (status == kExitOk && !missing.pids.empty()) status = kExitFailure;
    return status;
}

}  // namespace fdscope::cli
