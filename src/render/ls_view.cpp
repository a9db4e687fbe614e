#include "render/ls_view.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <sys/sysmacros.h>

#include "render/blocks.hpp"
#include "render/escape.hpp"
#include "render/json_envelope.hpp"
#include "render/json_writer.hpp"
#include "render/origin_text.hpp"
#include "report/describe.hpp"

namespace fdscope::render {
namespace {

using report::LsReport;
using report::Row;

struct Column {
    const char* name;
    const char* header;
    bool right;
    bool flexible;
    const char* help;
    void (*cell)(const LsReport&, const Row&, std::string&);
};

void put(std::string& out, std::string_view raw) { escape_for_table(raw, out); }

std::string user_of(const LsReport& r, uid_t uid) { return report::user_name(r.snapshot(), uid); }

std::string endpoints_text(const LsReport& r, const Row& row) {
    std::string s;
    for (const auto& e : r.endpoints(row)) {
        if (!s.empty()) s += ' ';
        s += fmt::format("{},{},{}{}", e.pid, e.command, e.assoc, e.mode == Mode::None ? "" : mode_name(e.mode));
    }
    return s;
}

const Column kColumns[] = {
    {"command", "COMMAND", false, false, "command name (comm)",
     [](const LsReport&, const Row& w, std::string& o) { put(o, w.process->comm); }},
    {"pid", "PID", true, false, "process id",
     [](const LsReport&, const Row& w, std::string& o) { o += std::to_string(w.process->pid); }},
    {"tid", "TID", true, false, "task whose fd table was read",
     [](const LsReport& r, const Row& w, std::string& o) { o += std::to_string(r.tid(w)); }},
    {"user", "USER", false, false, "owner of the process",
     [](const LsReport& r, const Row& w, std::string& o) { put(o, user_of(r, w.process->uid)); }},
    {"uid", "UID", true, false, "uid of the process",
     [](const LsReport&, const Row& w, std::string& o) { o += std::to_string(w.process->uid); }},
    {"fd", "FD", true, false, "fd number, or cwd/rtd/exe/mem/shm",
     [](const LsReport&, const Row& w, std::string& o) { o += LsReport::assoc(*w.file); }},
    {"kind", "KIND", false, false, "file, dir, pipe, tcp, unix, eventfd, ...",
     [](const LsReport&, const Row& w, std::string& o) { o += kind_name(w.file->kind); }},
    {"mode", "MODE", false, false, "access mode r/w/rw, - for none (O_PATH)",
     [](const LsReport&, const Row& w, std::string& o) {
         if (report::mode_known(*w.file)) o += mode_name(w.file->mode);
     }},
    {"cloexec", "CLOEXEC", false, false, "close-on-exec set (yes/no)",
     [](const LsReport&, const Row& w, std::string& o) {
         if (w.file->assoc == Assoc::Fd && w.file->has_pos) o += w.file->cloexec ? "yes" : "no";
     }},
    {"flags", "FLAGS", true, false, "open flags (octal, as in fdinfo)",
     [](const LsReport&, const Row& w, std::string& o) {
         if (w.file->has_pos) o += fmt::format("0{:o}", w.file->flags);
     }},
    {"pos", "POS", true, false, "file position (mappings: offset)",
     [](const LsReport&, const Row& w, std::string& o) {
         if (w.file->has_pos || w.file->range) o += std::to_string(w.file->pos);
     }},
    {"desc", "DESC", true, false, "open file description id (same id: same struct file)",
     [](const LsReport&, const Row& w, std::string& o) {
         if (w.file->description != kNoDescription) o += std::to_string(w.file->description);
     }},
    {"mntid", "MNTID", true, false, "mount id",
     [](const LsReport&, const Row& w, std::string& o) {
         if (w.file->mnt_id >= 0) o += std::to_string(w.file->mnt_id);
     }},
    {"dev", "DEV", false, false, "device major:minor",
     [](const LsReport&, const Row& w, std::string& o) { o += report::dev_text(w.file->dev); }},
    {"inode", "INODE", true, false, "inode number",
     [](const LsReport&, const Row& w, std::string& o) { o += std::to_string(w.file->inode); }},
    {"size", "SIZE", true, false, "size of regular files",
     [](const LsReport&, const Row& w, std::string& o) {
         if (w.file->kind == Kind::File && w.file->assoc != Assoc::Mem && w.file->assoc != Assoc::Shm &&
             !w.file->not_stated)
             o += std::to_string(w.file->size);
     }},
    {"deleted", "DEL", false, false, "deleted but open",
     [](const LsReport&, const Row& w, std::string& o) { o += w.file->deleted ? "yes" : "no"; }},
    {"state", "STATE", false, false, "socket state",
     [](const LsReport& r, const Row& w, std::string& o) {
         if (auto s = r.socket(*w.file)) o += s->state;
     }},
    {"local", "LOCAL", false, true, "socket local address",
     [](const LsReport& r, const Row& w, std::string& o) {
         if (auto s = r.socket(*w.file)) put(o, s->local);
     }},
    {"remote", "REMOTE", false, true, "socket remote address",
     [](const LsReport& r, const Row& w, std::string& o) {
         if (auto s = r.socket(*w.file)) put(o, s->remote);
     }},
    {"netns", "NETNS", true, false, "network namespace of the socket",
     [](const LsReport& r, const Row& w, std::string& o) {
         if (auto s = r.socket(*w.file)) o += std::to_string(s->netns);
     }},
    {"endpoints", "ENDPOINTS", false, true, "other holders: PID,COMMAND,FDmode",
     [](const LsReport& r, const Row& w, std::string& o) { put(o, endpoints_text(r, w)); }},
    {"detail", "DETAIL", false, true, "fdinfo extras (eventfd count, epoll targets, ...)",
     [](const LsReport&, const Row& w, std::string& o) {
         if (w.file->detail) put(o, report::detail_text(*w.file->detail));
     }},
    {"origin", "ORIGIN", false, true, "creation site from libfdscope-preload.so's table (ls --origin)",
     [](const LsReport& r, const Row& w, std::string& o) {
         if (const Origin* origin = r.origin(w)) origin_cell(*r.origins_of(*w.process), *origin, o);
     }},
    {"name", "NAME", false, true, "path, or socket addresses and state",
     [](const LsReport& r, const Row& w, std::string& o) { put(o, report::display_name(*w.file, r.socket(*w.file))); }},
};

const Column* find_column(const std::string& name) {
    for (const auto& c : kColumns)
        if (name == c.name) return &c;
    return nullptr;
}

std::vector<const Column*> resolve(const std::vector<std::string>& names) {
    std::vector<const Column*> cols;
    for (const auto& n : names)
        if (auto c = find_column(n)) cols.push_back(c);
    return cols;
}

std::vector<ColumnSpec> specs(const std::vector<const Column*>& cols) {
    std::vector<ColumnSpec> s;
    for (auto c : cols) s.push_back(ColumnSpec{c->header, c->right, c->flexible});
    return s;
}

CellFn cells(const LsReport& r, const std::vector<const Column*>& cols) {
    return [&r, cols](std::size_t row, std::size_t col, std::string& out) { cols[col]->cell(r, r.rows()[row], out); };
}

// "major:minor" without a heap string: this runs once per entry.
std::string_view dev_chars(std::uint64_t dev, char (&buf)[48]) {
    auto end = fmt::format_to_n(buf, sizeof buf, "{}:{}", major(dev), minor(dev)).out;
    return std::string_view(buf, static_cast<std::size_t>(end - buf));
}

// Per-block cache of the last process's user name: rows come grouped by
// process, and the lookup makes a string.
struct UserCache {
    const Process* process = nullptr;
    std::string name;
    std::string_view of(const LsReport& r, const Process& p) {
        if (process != &p) {
            process = &p;
            name = user_of(r, p.uid);
        }
        return name;
    }
};

void write_entry(JsonWriter& j, const LsReport& r, const Row& w, UserCache& users) {
    const OpenFile& f = *w.file;
    const Process& p = *w.process;
    const bool is_fd = f.assoc == Assoc::Fd;
    char dev[48];
    j.begin_object();
    j.key("pid").value(p.pid);
    j.key("tid").value(r.tid(w));
    j.key("command").value(p.comm);
    j.key("uid").value(static_cast<std::uint64_t>(p.uid));
    j.key("user").value(users.of(r, p));
    j.key("assoc").value(LsReport::assoc(f));
    j.key("fd");
    is_fd ? j.value(f.fd) : j.null();
    j.key("kind").value(kind_name(f.kind));
    j.key("mode");
    report::mode_known(f) ? j.value(mode_name(f.mode)) : j.null();
    j.key("flags");
    f.has_pos ? j.value(f.flags) : j.null();
    j.key("cloexec");
    is_fd && f.has_pos ? j.value(f.cloexec) : j.null();
    j.key("pos");
    (f.has_pos || f.range) ? j.value(f.pos) : j.null();
    j.key("mnt_id");
    f.mnt_id >= 0 ? j.value(f.mnt_id) : j.null();
    j.key("dev").value(dev_chars(f.dev, dev));
    j.key("inode").value(f.inode);
    j.key("name");
    std::string made_up;
    bool escaped = j.string_value(name_of(f, made_up));
    if (escaped) j.key("name_escaped").value(true);
    j.key("deleted").value(f.deleted);
    j.key("description");
    f.description != kNoDescription ? j.value(f.description) : j.null();
    // Mappings come from maps, which has no size: say nothing rather than 0.
    if (f.kind == Kind::File && f.assoc != Assoc::Mem && f.assoc != Assoc::Shm) {
        j.key("size");
        f.not_stated ? j.null() : j.value(f.size);
    }
    if ((f.kind == Kind::Chr || f.kind == Kind::Blk) && f.detail) j.key("rdev").value(dev_chars(f.detail->rdev, dev));
    if (f.range) {
        j.key("range").begin_object();
        j.key("start").value(fmt::format("0x{:x}", f.range->start));
        j.key("end").value(fmt::format("0x{:x}", f.range->end));
        j.key("offset").value(f.range->offset);
        j.key("perms").value(std::string_view(f.range->perms, 4));
        j.end_object();
    }
    if (is_socket(f.kind)) {
        const SocketInfo* s = r.socket(f);
        j.key("state");
        s ? j.value(s->state) : j.null();
        j.key("local");
        s ? j.value(s->local) : j.null();
        j.key("remote");
        s ? j.value(s->remote) : j.null();
        j.key("netns");
        s ? j.value(s->netns) : j.null();
        if (s && s->listening) {
            j.key("backlog").value(s->wqueue);
            j.key("accept_queue").value(s->rqueue);
        }
        if (s && s->peer_inode) j.key("peer_inode").value(s->peer_inode);
        if (s && (f.kind == Kind::Netlink || f.kind == Kind::Packet || f.kind == Kind::Raw || f.kind == Kind::Raw6))
            j.key("protocol").value(s->protocol);
    }
    if (r.has_endpoints(f)) {
        j.key("endpoints").begin_array();
        for (const auto& e : r.endpoints(w)) {
            j.begin_object();
            j.key("pid").value(e.pid);
            j.key("command").value(e.command);
            j.key("assoc").value(e.assoc);
            j.key("mode").value(mode_name(e.mode));
            j.end_object();
        }
        j.end_array();
    }
    if (r.origins_read() && is_fd) write_origin_json(j, r.origins_of(p), r.origin(w));
    if (f.detail) {
        const FdDetail& d = *f.detail;
        j.key("detail").begin_object();
        if (d.eventfd_count >= 0) j.key("eventfd_count").value(d.eventfd_count);
        if (d.eventfd_id >= 0) j.key("eventfd_id").value(d.eventfd_id);
        if (!d.epoll_targets.empty()) {
            j.key("epoll_targets").begin_array();
            for (const auto& t : d.epoll_targets) {
                j.begin_object();
                j.key("fd").value(t.tfd);
                j.key("events").value(t.events);
                j.key("inode").value(t.inode);
                j.end_object();
            }
            j.end_array();
        }
        if (!d.inotify_watches.empty()) {
            j.key("inotify_watches").begin_array();
            for (const auto& w2 : d.inotify_watches) {
                j.begin_object();
                j.key("wd").value(w2.wd);
                j.key("inode").value(w2.inode);
                j.key("mask").value(w2.mask);
                j.end_object();
            }
            j.end_array();
        }
        if (d.signalfd_mask != -1) {
            j.key("signalfd_mask").value(d.signalfd_mask);
            j.key("signals").value(report::signal_names(static_cast<std::uint64_t>(d.signalfd_mask)));
        }
        if (d.timerfd_clockid >= 0) {
            j.key("timerfd_clockid").value(d.timerfd_clockid);
            j.key("timerfd_clock").value(report::clock_name(d.timerfd_clockid));
        }
        if (d.pidfd_pid >= -1) j.key("pidfd_pid").value(d.pidfd_pid);
        if (d.scm_fds > 0) j.key("scm_fds").value(d.scm_fds);
        if (d.io_uring_files > 0) j.key("io_uring_files").value(d.io_uring_files);
        j.end_object();
    }
    j.end_object();
}

}  // namespace

std::vector<std::string> ls_default_columns(const LsReport& r) {
    std::vector<std::string> cols = {"command", "pid", "user", "fd", "kind", "mode", "cloexec", "name"};
    // Show the task only when it says something: an exited leader or a
    // thread with a table of its own.
    bool threads = std::any_of(r.rows().begin(), r.rows().end(),
                               [&](const Row& w) { return r.tid(w) != w.process->pid; });
    if (threads) cols.insert(cols.begin() + 2, "tid");
    return cols;
}

std::vector<std::string> ls_all_columns() {
    std::vector<std::string> names;
    for (const auto& c : kColumns) names.emplace_back(c.name);
    return names;
}

std::string ls_unknown_column(const std::vector<std::string>& names) {
    for (const auto& n : names)
        if (!find_column(n)) return n;
    return {};
}

// endpoints() builds its index on first use: build it before the cells are
// made on several threads.
static void prepare(const LsReport& r, const std::vector<const Column*>& cols) {
    for (const Column* c : cols)
        if (std::string_view(c->name) == "endpoints") r.prepare_endpoints();
}

void write_ls_table(Output& out, const LsReport& r, const std::vector<std::string>& names, const TableStyle& style) {
    auto cols = resolve(names);
    prepare(r, cols);
    write_table(out, specs(cols), r.rows().size(), cells(r, cols), style);
}

namespace {

// Rows [begin, end) as JSON entries: array elements (",\n{...}") or NDJSON
// lines ("{...}\n").
void render_entries(const LsReport& r, std::size_t begin, std::size_t end, bool ndjson, std::string& text) {
    Output mem(Output::kMemory);
    mem.buffer().swap(text);  // reuse the capacity of the previous block
    JsonWriter j(mem);
    UserCache users;
    if (!ndjson) j.continue_array(begin == 0);
    for (std::size_t i = begin; i < end; ++i) {
        if (!ndjson) j.newline();
        write_entry(j, r, r.rows()[i], users);
        if (ndjson) j.newline();
    }
    mem.buffer().swap(text);
}

// The entries of every row, in order. JSON text is most of the cost of a
// large --json run: blocks of rows are rendered on every core.
void write_entries(Output& out, const LsReport& r, bool ndjson) {
    r.prepare_endpoints();  // endpoints() must only read from here on
    render_blocks(out, r.rows().size(), 2048,
                  [&](std::size_t begin, std::size_t end, std::string& text) { render_entries(r, begin, end, ndjson, text); });
}

}  // namespace

void write_ls_csv(Output& out, const LsReport& r, const std::vector<std::string>& names) {
    auto cols = resolve(names);
    prepare(r, cols);
    write_csv(out, specs(cols), r.rows().size(), cells(r, cols));
}

void write_ls_json(Output& out, const LsReport& r, const std::string& backend) {
    const Snapshot& s = r.snapshot();
    JsonWriter j(out);
    begin_document(j, "ls", backend, s.time);
    j.key("ids_exact").value(s.ids_exact);
    j.key("skipped").begin_object();
    j.key("vanished").value(s.skipped_processes.vanished);
    j.key("permission").value(s.skipped_processes.permission);
    j.key("fds_vanished").value(s.skipped_fds.vanished);
    j.key("fds_permission").value(s.skipped_fds.permission);
    j.end_object();
    j.key("notes").begin_array();
    for (const auto& n : s.notes) j.value(n);
    for (const auto& n : r.read_gaps()) j.value(n);
    j.end_array();
    j.key("files").begin_array();
    write_entries(out, r, false);
    if (!r.rows().empty()) j.mark_not_empty();
    j.end_array();
    j.end_object();
    j.newline();
}

void write_ls_ndjson(Output& out, const LsReport& r) { write_entries(out, r, true); }

}  // namespace fdscope::render
