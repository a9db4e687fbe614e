#include "render/account_view.hpp"

#include <fmt/format.h>

#include "render/escape.hpp"
#include "render/json_envelope.hpp"
#include "render/json_writer.hpp"
#include "render/numbers.hpp"

namespace fdscope::render {
namespace {

using report::Account;

std::string key_text(std::int64_t key) { return fmt::format("0x{:08x}", static_cast<std::uint32_t>(key)); }

void line(std::string& b, const char* label, std::uint64_t n, const std::string& what) {
    fmt::format_to(std::back_inserter(b), "  {:<14}{:>12}  {}\n", label, n, what);
}

}  // namespace

void write_account_text(Output& out, const Account& a, std::size_t top, const TableStyle& style) {
    auto& b = out.buffer();
    escape_for_table(a.verdict, b);
    b += ".\n\n";
    fmt::format_to(std::back_inserter(b), "Kernel handles  {} allocated (file-nr), fs.file-max {}, fs.nr_open {}", a.file_nr.allocated,
                   a.file_nr.max, a.nr_open);
    if (a.filp_active) fmt::format_to(std::back_inserter(b), ", filp slab {} active", *a.filp_active);
    b += "\nHeld by\n";
    line(b, "fd tables", a.held_by.fd_tables,
         fmt::format("open file descriptions reached from {} fds{}", a.fds,
                     a.unreadable_fds ? fmt::format(" ({} fds unreadable, counted as {} handles)", a.unreadable_fds,
                                                    a.unreadable_handles)
                                      : ""));
    line(b, "mappings", a.held_by.mappings,
         a.mappings_range.low == a.mappings_range.high
             ? std::string("files held only by memory mappings (mmap, then close)")
             : fmt::format("estimate, between {} and {}: {}", a.mappings_range.low, a.mappings_range.high,
                           a.mappings_derivation));
    line(b, "SysV shm", a.held_by.sysv_shm,
         fmt::format("{} attaches (one handle per shmat) + {} segment file{}", a.held_by.sysv_shm - a.shm_segment_files,
                     a.shm_segment_files, a.shm_segment_files == 1 ? "" : "s"));
    line(b, "in flight", a.held_by.in_flight, "fds sent over UNIX sockets (SCM_RIGHTS), not received yet");
    line(b, "io_uring", a.held_by.io_uring, "files registered with io_uring rings");
    line(b, "unattributed", a.held_by.unattributed, "kernel-internal, or freed lazily");
    if (a.held_by.over)
        fmt::format_to(std::back_inserter(b),
                       "  ({} more attributed than file-nr reports: it is read at another moment than the tables)\n",
                       a.held_by.over);
    fmt::format_to(std::back_inserter(b), "Backend {}: ", a.backend);
    if (a.exact) b += "exact: every handle identified by its struct file";
    else b += "not exact: ";
    for (std::size_t i = 0; i < a.inexact.size(); ++i) {
        if (i) b += "; ";
        escape_for_table(a.inexact[i], b);
    }
    b += '\n';

    if (!a.processes.empty()) {
        b += "\n";
        const std::size_t rows = std::min(top, a.processes.size());
        std::vector<ColumnSpec> cols = {{"PID", true, false},      {"COMMAND", false, true},  {"FDS", true, false},
                                        {"DESCRIPTIONS", true, false}, {"MAPPINGS", true, false}, {"SYSV_SHM", true, false},
                                        {"IN_FLIGHT", true, false}, {"IO_URING", true, false}, {"HANDLES", true, false}};
        write_table(out, cols, rows,
                    [&](std::size_t r, std::size_t c, std::string& o) {
                        const auto& p = a.processes[r];
                        switch (c) {
                            case 0: o += std::to_string(p.pid); break;
                            case 1:
                                escape_for_table(p.comm, o);
                                if (p.unreadable) o += " (unreadable)";
                                break;
                            case 2: o += std::to_string(p.fds); break;
                            case 3: o += std::to_string(p.descriptions); break;
                            case 4: o += std::to_string(p.mappings); break;
                            case 5: o += std::to_string(p.sysv_shm); break;
                            case 6: o += std::to_string(p.in_flight); break;
                            case 7: o += std::to_string(p.io_uring); break;
                            case 8: o += std::to_string(p.handles); break;
                        }
                    },
                    style);
        if (a.processes.size() > rows)
            fmt::format_to(std::back_inserter(out.buffer()), "... and {} more {} (--top N, or --json)\n",
                           a.processes.size() - rows, noun(a.processes.size() - rows, "process", "processes"));
    }
    if (!a.segments.empty()) {
        out.buffer() += "\nSysV shared memory segments\n";
        std::vector<ColumnSpec> cols = {{"KEY", false, false},    {"SHMID", true, false}, {"SIZE", true, false},
                                        {"NATTCH", true, false},  {"ATTACHES", true, false}, {"PIDS", false, true}};
        write_table(out, cols, a.segments.size(),
                    [&](std::size_t r, std::size_t c, std::string& o) {
                        const auto& s = a.segments[r];
                        switch (c) {
                            case 0: o += key_text(s.key); break;
                            case 1: o += std::to_string(s.shmid); break;
                            case 2: o += std::to_string(s.size); break;
                            case 3: o += std::to_string(s.nattch); break;
                            case 4: o += std::to_string(s.attaches); break;
                            case 5:
                                for (std::size_t i = 0; i < s.pids.size(); ++i) o += (i ? "," : "") + std::to_string(s.pids[i]);
                                break;
                        }
                    },
                    style);
    }
}

void write_account_json(Output& out, const Account& a) {
    JsonWriter j(out);
    begin_document(j, "account", a.backend);
    j.key("exact").value(a.exact);
    j.key("inexact").begin_array();
    for (const auto& why : a.inexact) j.value(why);
    j.end_array();
    j.key("verdict").value(a.verdict);
    j.key("file_nr").begin_object();
    j.key("allocated").value(a.file_nr.allocated);
    j.key("max").value(a.file_nr.max);
    j.end_object();
    j.key("nr_open").value(a.nr_open);
    j.key("filp_active");
    a.filp_active ? j.value(*a.filp_active) : j.null();
    j.key("fds").value(a.fds);
    j.key("descriptions").value(a.descriptions);
    j.key("unreadable_fds").value(a.unreadable_fds);
    j.key("unreadable_handles").value(a.unreadable_handles);
    j.key("held_by").begin_object();
    j.key("fd_tables").value(a.held_by.fd_tables);
    j.key("mappings").value(a.held_by.mappings);
    j.key("sysv_shm").value(a.held_by.sysv_shm);
    j.key("in_flight").value(a.held_by.in_flight);
    j.key("io_uring").value(a.held_by.io_uring);
    j.key("unattributed").value(a.held_by.unattributed);
    j.key("over").value(a.held_by.over);
    j.end_object();
    j.key("mappings_range").begin_object();
    j.key("low").value(a.mappings_range.low);
    j.key("estimate").value(a.mappings_range.estimate);
    j.key("high").value(a.mappings_range.high);
    j.key("derivation");
    a.mappings_derivation.empty() ? j.null() : j.value(a.mappings_derivation);
    j.end_object();
    j.key("shm_segment_files").value(a.shm_segment_files);
    j.key("processes").begin_array();
    for (const auto& p : a.processes) {
        j.newline();
        j.begin_object();
        j.key("pid").value(p.pid);
        j.key("command").value(p.comm);
        j.key("fds").value(p.fds);
        j.key("descriptions").value(p.descriptions);
        j.key("mappings").value(p.mappings);
        j.key("sysv_shm").value(p.sysv_shm);
        j.key("in_flight").value(p.in_flight);
        j.key("io_uring").value(p.io_uring);
        j.key("handles").value(p.handles);
        j.key("unreadable").value(p.unreadable);
        j.end_object();
    }
    j.end_array();
    j.key("shm_segments").begin_array();
    for (const auto& s : a.segments) {
        j.newline();
        j.begin_object();
        j.key("key").value(s.key);
        j.key("shmid").value(s.shmid);
        j.key("size").value(s.size);
        j.key("nattch").value(s.nattch);
        j.key("attaches").value(s.attaches);
        j.key("pids").begin_array();
        for (pid_t pid : s.pids) j.value(pid);
        j.end_array();
        j.end_object();
    }
    j.end_array();
    j.end_object();
    j.newline();
}

}  // namespace fdscope::render
