#include "trace/preload/report_parse.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <set>
#include <nlohmann/json.hpp>

#include "report/recording.hpp"

namespace fdscope::trace::preload {
namespace {

using nlohmann::json;

// A report's number, read only when it is an integer in range: a hostile
// 1e300, -1 or "7" is no number here.
template <typename T>
std::optional<T> integer(const json& j, const char* key) {
    if (!j.is_object()) return std::nullopt;
    auto it = j.find(key);
    if (it == j.end()) return std::nullopt;
    if (it->is_number_unsigned()) {
        const auto v = it->get<std::uint64_t>();
        if (v > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) return std::nullopt;
        return static_cast<T>(v);
    }
    if (it->is_number_integer()) {
        const auto v = it->get<std::int64_t>();
        if constexpr (std::is_unsigned_v<T>) {
            return std::nullopt;  // negative
        } else {
            if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) return std::nullopt;
            return static_cast<T>(v);
        }
    }
    return std::nullopt;
}

std::optional<int> fd_of(const json& j) {
    auto fd = integer<int>(j, "fd");
    if (!fd || *fd < 0) return std::nullopt;
    return fd;
}

// A string value; with `escaped_key` set in the object, its "\xHH" texts
// back to bytes (the writer's escaping of bytes that are not UTF-8).
std::string text(const json& j, const char* key, const char* escaped_key = nullptr) {
    if (!j.is_object()) return {};
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return {};
    const std::string& s = it->get_ref<const std::string&>();
    if (escaped_key) {
        auto e = j.find(escaped_key);
        if (e != j.end() && e->is_boolean() && e->get<bool>()) return report::unescape_bytes(s);
    }
    return s;
}

bool flag(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_boolean() && it->get<bool>();
}

Kind kind_of(const json& j) {
    const auto k = kind_from_name(text(j, "kind"));
    return k.value_or(Kind::Unknown);
}

std::optional<std::uint64_t> hex(const std::string& s) {
    if (s.size() < 3 || s.size() > 18 || s[0] != '0' || s[1] != 'x') return std::nullopt;
    std::uint64_t v = 0;
    for (std::size_t i = 2; i < s.size(); ++i) {
        const char c = s[i];
        const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0) return std::nullopt;
        v = v << 4 | static_cast<unsigned>(d);
    }
    return v;
}

std::vector<ReportFrame> frames_of(const json& j, const char* key) {
    std::vector<ReportFrame> out;
    auto it = j.find(key);
    if (it == j.end() || !it->is_array()) return out;
    for (const json& f : *it) {
        if (!f.is_object() || out.size() >= 128) break;
        ReportFrame r;
        r.module = text(f, "module");
        r.offset = integer<std::uint64_t>(f, "offset");
        if (auto pc = hex(text(f, "pc"))) r.pc = *pc;
        if (r.module.empty() || !r.offset) {
            r.module.clear();
            r.offset.reset();
        }
        out.push_back(std::move(r));
    }
    return out;
}

std::optional<ReportCall> call_of(const json& j, const char* stack_key = "stack") {
    if (!j.is_object()) return std::nullopt;
    auto tid = integer<std::int32_t>(j, "tid");
    auto ns = integer<std::uint64_t>(j, "ns");
    if (!tid || !ns) return std::nullopt;
    return ReportCall{*tid, *ns, frames_of(j, stack_key)};
}

// The groups of `key`; entries whose fields are not what the writer
// writes are counted in `bad`.
std::vector<ReportGroup> groups_of(const json& doc, const char* key, std::size_t& bad) {
    std::vector<ReportGroup> out;
    auto it = doc.find(key);
    if (it == doc.end() || !it->is_array()) {
        ++bad;
        return out;
    }
    for (const json& g : *it) {
        if (!g.is_object()) {
            ++bad;
            continue;
        }
        ReportGroup group;
        group.inherited = flag(g, "inherited");
        group.stack = frames_of(g, "stack");
        auto open = g.find("open");
        if (open == g.end() || !open->is_array()) {
            ++bad;
            continue;
        }
        for (const json& f : *open) {
            auto fd = fd_of(f);
            auto tid = integer<std::int32_t>(f, "tid");
            auto creator = integer<std::int32_t>(f, "creator_pid");
            auto ns = integer<std::uint64_t>(f, "ns");
            if (!fd || !tid || !creator || !ns) {
                ++bad;
                continue;
            }
            ReportFd r;
            r.fd = *fd;
            r.tid = *tid;
            r.creator_pid = *creator;
            r.ns = *ns;
            r.libc_op = text(f, "op");
            r.op = op_of_libc(r.libc_op).value_or(Op::Openat);
            r.kind = kind_of(f);
            r.name = text(f, "name", "name_escaped");
            r.cloexec = flag(f, "cloexec");
            group.fds.push_back(std::move(r));
        }
        if (!group.fds.empty()) out.push_back(std::move(group));
    }
    return out;
}

std::optional<Report> report_of(const json& doc, std::string& why) {
    if (!doc.is_object() || integer<int>(doc, "fdscope_preload_report") != 1) {
        why = "not an fdscope preload report (version 1)";
        return std::nullopt;
    }
    Report r;
    auto pid = integer<pid_t>(doc, "pid");
    auto load = integer<std::uint64_t>(doc, "load_ns");
    auto now = integer<std::uint64_t>(doc, "now_ns");
    if (!pid || *pid <= 0 || !load || !now) {
        why = "no pid, load_ns or now_ns";
        return std::nullopt;
    }
    r.pid = *pid;
    r.ppid = integer<pid_t>(doc, "ppid").value_or(0);
    r.load_ns = *load;
    r.now_ns = *now;
    const std::string reason = text(doc, "reason");
    r.reason = reason == "signal" ? Reason::Signal : reason == "exec" ? Reason::Exec : Reason::Exit;
    r.command = text(doc, "command", "command_escaped");
    r.exe = text(doc, "exe", "exe_escaped");
    r.cloexec_mode = text(doc, "cloexec_mode");
    r.stack_mode = text(doc, "stack_mode");
    r.quarantine = integer<std::uint64_t>(doc, "quarantine").value_or(0);
    std::size_t bad = 0;
    r.leaks = groups_of(doc, "leaks", bad);
    r.stdio_open = groups_of(doc, "stdio_open", bad);
    if (auto u = doc.find("untraced_open"); u != doc.end() && u->is_array()) {
        for (const json& f : *u) {
            auto fd = fd_of(f);
            if (!fd) {
                ++bad;
                continue;
            }
            r.untraced_open.push_back({*fd, kind_of(f), text(f, "name", "name_escaped"), flag(f, "cloexec")});
        }
    }
    if (auto inc = doc.find("incidents"); inc != doc.end() && inc->is_array()) {
        for (const json& i : *inc) {
            auto fd = fd_of(i);
            auto close = call_of(i);
            auto created = i.is_object() && i.contains("created") ? call_of(i["created"]) : std::nullopt;
            const std::string type = text(i, "type");
            if (!fd || !close || !created || (type != "stale_close" && type != "ownership_violation")) {
                ++bad;
                continue;
            }
            ReportIncident x;
            x.stale_close = type == "stale_close";
            x.fd = *fd;
            x.close = std::move(*close);
            x.owner = text(i, "owner");
            x.created_libc_op = text(i["created"], "op");
            x.created_op = op_of_libc(x.created_libc_op).value_or(Op::Openat);
            x.created = std::move(*created);
            if (auto fc = i.find("first_close"); fc != i.end() && fc->is_object()) x.first_close = call_of(*fc);
            r.incidents.push_back(std::move(x));
        }
    }
    if (auto s = doc.find("summary"); s != doc.end() && s->is_object()) {
        auto c = [&](const char* k) { return integer<std::uint64_t>(*s, k).value_or(0); };
        r.summary = {c("creates"),      c("closes"),       c("overflow_fds"),         c("stacks_dropped"),
                     c("cloexec_changes"), c("stale_closes"), c("ownership_violations"), c("incidents_dropped")};
    }
    if (bad) why = fmt::format("{} entries not as the library writes them, left out", bad);
    return r;
}

}  // namespace

std::optional<Op> op_of_libc(std::string_view n) {
    struct Row {
        std::string_view name;
        Op op;
    };
    static constexpr Row kRows[] = {
        {"open", Op::Open},           {"open64", Op::Open},         {"openat", Op::Openat},
        {"openat64", Op::Openat},     {"creat", Op::Creat},         {"creat64", Op::Creat},
        {"fopen", Op::Openat},        {"fopen64", Op::Openat},      {"freopen", Op::Openat},
        {"fdopen", Op::Openat},       {"opendir", Op::Openat},      {"fdopendir", Op::Openat},
        {"socket", Op::Socket},       {"socketpair", Op::Socketpair}, {"accept", Op::Accept},
        {"accept4", Op::Accept4},     {"pipe", Op::Pipe},           {"pipe2", Op::Pipe2},
        {"dup", Op::Dup},             {"dup2", Op::Dup2},           {"dup3", Op::Dup3},
        {"fcntl_dupfd", Op::FcntlDupfd}, {"fcntl_dupfd_cloexec", Op::FcntlDupfdCloexec},
        {"eventfd", Op::Eventfd},     {"signalfd", Op::Signalfd},   {"timerfd_create", Op::Timerfd},
        {"epoll_create", Op::EpollCreate}, {"epoll_create1", Op::EpollCreate},
        {"inotify_init", Op::InotifyInit}, {"inotify_init1", Op::InotifyInit},
        {"fanotify_init", Op::FanotifyInit}, {"memfd_create", Op::MemfdCreate},
        {"pidfd_open", Op::PidfdOpen}, {"recvmsg", Op::RecvmsgRights}, {"recvmmsg", Op::RecvmsgRights},
        {"popen", Op::Pipe2},
    };
    for (const Row& r : kRows)
        if (r.name == n) return r.op;
    return std::nullopt;
}

std::vector<Report> parse_reports(std::string_view text_in, std::string_view source, std::vector<std::string>& notes) {
    std::vector<Report> out;
    std::size_t line_no = 0;
    while (!text_in.empty()) {
        const std::size_t nl = text_in.find('\n');
        const std::string_view line = text_in.substr(0, nl);
        text_in.remove_prefix(nl == std::string_view::npos ? text_in.size() : nl + 1);
        ++line_no;
        if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
        const json doc = json::parse(line, nullptr, false);
        if (doc.is_discarded()) {
            notes.push_back(fmt::format("report {} line {}: not JSON (cut short, or not the library's): left out", source, line_no));
            continue;
        }
        std::string why;
        auto r = report_of(doc, why);
        if (!why.empty())
            notes.push_back(fmt::format("report {} line {}: {}", source, line_no, why) + (r ? "" : ": left out"));
        if (r) out.push_back(std::move(*r));
    }
    return out;
}

// --- reports to events -----------------------------------------------------------

namespace {

StackId intern(const std::vector<ReportFrame>& frames, StackTable& stacks, const FrameMaker& make) {
    if (frames.empty()) return kNoStack;
    std::vector<RawFrame> raw;
    raw.reserve(frames.size());
    for (const ReportFrame& f : frames) raw.push_back(make(f));
    return stacks.intern(raw);
}

}  // namespace

Conversion convert_reports(std::vector<Report> reports, const Launch& launch, StackTable& stacks,
                           const FrameMaker& make_frame) {
    Conversion c;
    // One image's reports: a dump on the signal and the exit report of the
    // same image have the same load time; the latest says the most.
    std::stable_sort(reports.begin(), reports.end(), [](const Report& a, const Report& b) {
        return std::tie(a.pid, a.load_ns, a.now_ns) < std::tie(b.pid, b.load_ns, b.now_ns);
    });
    std::vector<Report> images;
    for (Report& r : reports) {
        if (!images.empty() && images.back().pid == r.pid && images.back().load_ns == r.load_ns) images.back() = std::move(r);
        else images.push_back(std::move(r));
    }
    // Processes: the images of one pid chained by exec reports; a pid whose
    // earlier image ended otherwise was used again by another process.
    std::vector<std::vector<Report*>> procs;
    for (Report& r : images) {
        if (!procs.empty() && procs.back().front()->pid == r.pid && procs.back().back()->reason == Reason::Exec)
            procs.back().push_back(&r);
        else
            procs.push_back({&r});
    }
    std::set<pid_t> traced;
    for (const auto& p : procs) traced.insert(p.front()->pid);

    std::set<int> launch_fds;
    for (const FdEvent& e : launch.inherited) launch_fds.insert(e.fd);

    FdTableId next_table = 1;
    ReportSummary total;
    for (const auto& images_of : procs) {
        const Report& first = *images_of.front();
        const Report& last = *images_of.back();
        const pid_t pid = first.pid;
        const FdTableId table = next_table++;
        std::vector<FdEvent> ev;
        std::set<std::int32_t> tids;

        // The kernel's table when it started: the fds fdscope passed at
        // launch that it still held without the library having made them.
        {
            std::vector<FdEvent> present;
            for (const FdEvent& e : launch.inherited) {
                const bool untraced = std::any_of(last.untraced_open.begin(), last.untraced_open.end(),
                                                  [&](const UntracedFd& u) { return u.fd == e.fd; });
                if (!untraced) continue;
                FdEvent p = e;
                p.pid = p.tid = pid;
                p.table = table;
                p.time_ns = first.load_ns;
                present.push_back(std::move(p));
            }
            FdEvent rec;
            rec.op = Op::Reconcile;
            rec.pid = rec.tid = pid;
            rec.table = table;
            rec.time_ns = first.load_ns;
            rec.result = static_cast<std::int64_t>(present.size());
            ev.push_back(rec);
            for (FdEvent& p : present) ev.push_back(std::move(p));
        }

        for (std::size_t k = 0; k < images_of.size(); ++k) {
            const Report& img = *images_of[k];
            std::vector<FdEvent> body;
            auto add_groups = [&](const std::vector<ReportGroup>& groups) {
                for (const ReportGroup& g : groups) {
                    const StackId stack = intern(g.stack, stacks, make_frame);
                    for (const ReportFd& f : g.fds) {
                        FdEvent e;
                        e.time_ns = f.ns;
                        // An inherited fd is its creator's (the ledger and the
                        // report say "inherited from" then): pid of the maker.
                        e.pid = g.inherited && f.creator_pid > 0 ? f.creator_pid : pid;
                        e.tid = f.tid > 0 ? f.tid : pid;
                        e.table = table;
                        e.op = f.op;
                        const bool dup = op_class(f.op) == OpClass::Duplicate;
                        e.fd = dup ? -1 : f.fd;
                        e.fd2 = dup ? f.fd : -1;
                        e.result = f.fd;
                        e.cloexec = f.cloexec;
                        e.kind = f.kind;
                        e.name = f.name;
                        e.stack = stack;
                        body.push_back(std::move(e));
                    }
                }
            };
            add_groups(img.leaks);
            add_groups(img.stdio_open);
            for (const ReportIncident& x : img.incidents) {
                const StackId close_stack = intern(x.close.stack, stacks, make_frame);
                const StackId created_stack = intern(x.created.stack, stacks, make_frame);
                if (!x.stale_close) {
                    c.violations.push_back({pid, x.fd, x.close.tid, x.owner, close_stack, created_stack});
                    continue;
                }
                if (!x.first_close) {
                    c.notes.push_back(fmt::format("pid {}: a close of fd {} hit its quarantine placeholder (tid {}); "
                                                  "the report lacks the first close", pid, x.fd, x.close.tid));
                    continue;
                }
                // The incarnation both closes were aimed at, its close, and the
                // second close, which the quarantine turned into EBADF: the
                // ledger's double close.
                FdEvent made;
                made.time_ns = x.created.ns;
                made.pid = pid;
                made.tid = x.created.tid;
                made.table = table;
                made.op = x.created_op;
                const bool dup = op_class(x.created_op) == OpClass::Duplicate;
                made.fd = dup ? -1 : x.fd;
                made.fd2 = dup ? x.fd : -1;
                made.result = x.fd;
                made.stack = created_stack;
                FdEvent first_close;
                first_close.time_ns = x.first_close->ns;
                first_close.pid = pid;
                first_close.tid = x.first_close->tid;
                first_close.table = table;
                first_close.op = Op::Close;
                first_close.fd = x.fd;
                first_close.stack = intern(x.first_close->stack, stacks, make_frame);
                FdEvent second = first_close;
                second.time_ns = x.close.ns;
                second.tid = x.close.tid;
                second.stack = close_stack;
                second.error = EBADF;
                second.result = -EBADF;
                body.push_back(std::move(made));
                body.push_back(std::move(first_close));
                body.push_back(std::move(second));
            }
            std::stable_sort(body.begin(), body.end(),
                             [](const FdEvent& a, const FdEvent& b) { return a.time_ns < b.time_ns; });
            for (FdEvent& e : body) {
                tids.insert(e.tid);
                ev.push_back(std::move(e));
            }
            if (img.reason == Reason::Exec && k + 1 < images_of.size()) {
                FdEvent x;
                x.op = Op::Execve;
                x.pid = x.tid = pid;
                x.table = x.new_table = table;
                x.time_ns = img.now_ns;
                x.name = images_of[k + 1]->exe;
                tids.insert(pid);
                ev.push_back(std::move(x));
            }
            const ReportSummary& s = img.summary;
            total.creates += s.creates;
            total.closes += s.closes;
            total.overflow_fds += s.overflow_fds;
            total.stacks_dropped += s.stacks_dropped;
            total.cloexec_changes += s.cloexec_changes;
            total.incidents_dropped += s.incidents_dropped;
        }

        // The kernel's table at the last report: every open fd.
        std::vector<FdEvent> present;
        auto add_present = [&](int fd, Kind kind, const std::string& name, bool cloexec) {
            FdEvent p;
            p.op = Op::Present;
            p.pid = p.tid = pid;
            p.table = table;
            p.time_ns = last.now_ns;
            p.fd = fd;
            p.result = fd;
            p.kind = kind;
            p.name = name;
            p.cloexec = cloexec;
            present.push_back(std::move(p));
        };
        for (const auto* list : {&last.leaks, &last.stdio_open})
            for (const ReportGroup& g : *list)
                for (const ReportFd& f : g.fds) add_present(f.fd, f.kind, f.name, f.cloexec);
        for (const UntracedFd& u : last.untraced_open) add_present(u.fd, u.kind, u.name, u.cloexec);
        std::sort(present.begin(), present.end(), [](const FdEvent& a, const FdEvent& b) { return a.fd < b.fd; });
        present.erase(std::unique(present.begin(), present.end(), [](const FdEvent& a, const FdEvent& b) { return a.fd == b.fd; }),
                      present.end());
        FdEvent rec;
        rec.op = Op::Reconcile;
        rec.pid = rec.tid = pid;
        rec.table = table;
        rec.time_ns = last.now_ns;
        rec.result = static_cast<std::int64_t>(present.size());
        ev.push_back(rec);
        for (FdEvent& p : present) ev.push_back(std::move(p));

        // Its end: every thread the events named exits, the process last.
        const auto reaped = launch.reaped.find(pid);
        const std::uint64_t end = reaped != launch.reaped.end() ? std::max(reaped->second.end_ns, last.now_ns) : last.now_ns;
        tids.erase(pid);
        for (std::int32_t tid : tids) {
            FdEvent x;
            x.op = Op::Exit;
            x.pid = pid;
            x.tid = tid;
            x.table = table;
            x.time_ns = end;
            ev.push_back(x);
        }
        FdEvent x;
        x.op = Op::Exit;
        x.pid = x.tid = pid;
        x.table = table;
        x.time_ns = end;
        ev.push_back(x);
        for (FdEvent& e : ev) c.events.push_back(std::move(e));

        ProcessRecord p;
        p.pid = pid;
        p.parent = pid == launch.root || !traced.contains(first.ppid) ? 0 : first.ppid;
        p.command = last.command;
        p.exe = last.exe;
        p.start_ns = first.load_ns;
        p.end_ns = end;
        p.exited = true;
        p.wait_status = reaped != launch.reaped.end() ? reaped->second.wait_status : -1;
        c.processes.push_back(std::move(p));
    }

    // Processes fdscope waited for that wrote nothing.
    for (const auto& [pid, r] : launch.reaped) {
        if (traced.contains(pid)) continue;
        ProcessRecord p;
        p.pid = pid;
        p.start_ns = launch.start_ns;
        p.end_ns = r.end_ns;
        p.exited = true;
        p.wait_status = r.wait_status;
        c.processes.push_back(std::move(p));
        c.notes.push_back(fmt::format(
            "pid {}{} wrote no report: libfdscope-preload.so was not loaded in it (a static binary, a setuid "
            "program, or one that cleared LD_PRELOAD) or it was killed before it could write; its fds were not traced",
            pid, pid == launch.root ? " (the command)" : ""));
    }
    std::sort(c.processes.begin(), c.processes.end(), [](const ProcessRecord& a, const ProcessRecord& b) {
        return std::tie(a.start_ns, a.pid) < std::tie(b.start_ns, b.pid);
    });
    if (!procs.empty())
        c.notes.push_back(fmt::format(
            "preload: the library's reports at exit give the fds still open with their creation stacks ({} {}; it "
            "saw {} fds made and {} closed); balanced calls leave no event, so the syscall counts are of the open fds only",
            images.size(), images.size() == 1 ? "report" : "reports", total.creates, total.closes));
    if (total.overflow_fds)
        c.notes.push_back(fmt::format("preload: {} fds above the library's table were not recorded (origin unknown)", total.overflow_fds));
    if (total.stacks_dropped)
        c.notes.push_back(fmt::format("preload: {} fds kept no stack (the library's stack arena was full)", total.stacks_dropped));
    if (total.incidents_dropped)
        c.notes.push_back(fmt::format("preload: {} incidents past the library's ring were counted, not kept", total.incidents_dropped));
    if (total.cloexec_changes)
        c.notes.push_back(fmt::format("preload: FDSCOPE_CLOEXEC changed the flags of {} fds", total.cloexec_changes));
    return c;
}

}  // namespace fdscope::trace::preload
