#include "render/summary_view.hpp"

#include <fmt/format.h>

#include "render/escape.hpp"
#include "render/json_envelope.hpp"
#include "render/json_writer.hpp"
#include "render/numbers.hpp"
#include "report/describe.hpp"

namespace fdscope::render {
namespace {

std::string limit_text(const Limit& l) {
    if (!l.known) return "?";
    return l.soft == kUnlimited ? "unlimited" : std::to_string(l.soft);
}

void process_table(Output& out, const std::vector<report::ProcessUse>& rows, const Snapshot& snap,
                   const TableStyle& style) {
    std::vector<ColumnSpec> cols = {{"PID", true, false},   {"COMMAND", false, true}, {"USER", false, false},
                                    {"FDS", true, false},   {"LIMIT", true, false},   {"USE%", true, false},
                                    {"HEADROOM", true, false}};
    write_table(out, cols, rows.size(),
                [&](std::size_t r, std::size_t c, std::string& o) {
                    const auto& u = rows[r];
                    switch (c) {
                        case 0: o += std::to_string(u.pid); break;
                        case 1:
                            escape_for_table(u.comm, o);
                            if (u.leader_exited) o += " (leader exited)";
                            if (u.tables > 1) o += fmt::format(" ({} fd tables)", u.tables);
                            break;
                        case 2: escape_for_table(report::user_name(snap, u.uid), o); break;
                        case 3: o += std::to_string(u.fds); break;
                        case 4: o += limit_text(u.nofile); break;
                        case 5: if (u.percent > 0) o += fmt::format("{:.1f}", u.percent); break;
                        case 6: if (u.percent > 0) o += std::to_string(u.headroom); break;
                    }
                },
                style);
}

}  // namespace

void write_summary_text(Output& out, const report::Summary& s, const Snapshot& snap, const TableStyle& style,
                        double seconds) {
    auto& b = out.buffer();
    // Short lines: the summary must fit an 80x24 terminal.
    fmt::format_to(std::back_inserter(b), "Kernel handles       {} allocated, fs.file-max {} ({:.2f}%)\n",
                   s.file_nr.allocated, s.file_nr.max, s.handles_percent);
    fmt::format_to(std::back_inserter(b), "File descriptors     {} in {} {} (fs.nr_open {})\n", s.fds, s.processes,
                   noun(s.processes, "process", "processes"), s.nr_open);
    if (const auto skipped = s.skipped.vanished + s.skipped.permission)
        fmt::format_to(std::back_inserter(b), "Not readable         {} {}: {} permission denied, {} vanished\n", skipped,
                       noun(skipped, "process", "processes"), s.skipped.permission, s.skipped.vanished);
    if (s.near_limit.empty()) {
        fmt::format_to(std::back_inserter(b), "Near the limit       none at or above {:.0f}% of RLIMIT_NOFILE\n", s.near_percent);
    } else {
        // One line, so the summary stays one screen however many there are;
        // --json lists them all.
        std::string line = fmt::format("Near the limit       {} at >= {:.0f}% of their limit:", s.near_limit.size(),
                                       s.near_percent);
        const std::size_t width = style.width ? style.width : 120;
        const std::size_t n = s.near_limit.size();
        auto tail = [&](std::size_t shown) { return shown < n ? fmt::format(" +{} more", n - shown) : std::string(); };
        std::string kept = line;  // the longest prefix that fits with its tail
        std::string attempt = line;
        std::size_t shown = 0;
        for (const auto& u : s.near_limit) {
            attempt += fmt::format("{} {} {} {:.1f}%", shown ? "," : "", u.pid, escape_for_table(u.comm), u.percent);
            if (display_width(attempt) + tail(shown + 1).size() > width) break;
            kept = attempt;
            ++shown;
        }
        line = kept + tail(shown);
        b += line;
        b += '\n';
    }
    b += "\nTop processes by open fds\n";
    process_table(out, s.top, snap, style);
    fmt::format_to(std::back_inserter(out.buffer()), "\nscanned in {:.3f} s; `fdscope ls -p PID` lists a process's fds\n", seconds);
}

void write_summary_json(Output& out, const report::Summary& s, const Snapshot& snap) {
    JsonWriter j(out);
    auto procs = [&](const char* key, const std::vector<report::ProcessUse>& v) {
        j.key(key).begin_array();
        for (const auto& u : v) {
            j.begin_object();
            j.key("pid").value(u.pid);
            j.key("command").value(u.comm);
            j.key("uid").value(static_cast<std::uint64_t>(u.uid));
            j.key("user").value(report::user_name(snap, u.uid));
            j.key("fds").value(u.fds);
            j.key("limit");
            (u.nofile.known && u.nofile.soft != kUnlimited) ? j.value(u.nofile.soft) : j.null();
            j.key("limit_hard");
            (u.nofile.known && u.nofile.hard != kUnlimited) ? j.value(u.nofile.hard) : j.null();
            j.key("percent");
            (u.nofile.known && u.nofile.soft != kUnlimited) ? j.value(u.percent) : j.null();
            j.key("fd_tables").value(u.tables);
            j.key("leader_exited").value(u.leader_exited);
            j.end_object();
        }
        j.end_array();
    };
    begin_document(j, "summary", snap.backend, snap.time);
    j.key("file_nr").begin_object();
    j.key("allocated").value(s.file_nr.allocated);
    j.key("max").value(s.file_nr.max);
    j.end_object();
    j.key("nr_open").value(s.nr_open);
    j.key("fds").value(s.fds);
    j.key("processes").value(s.processes);
    j.key("skipped").begin_object();
    j.key("vanished").value(s.skipped.vanished);
    j.key("permission").value(s.skipped.permission);
    j.end_object();
    j.key("near_percent").value(s.near_percent);
    procs("near_limit", s.near_limit);
    procs("top", s.top);
    j.end_object();
    j.newline();
}

}  // namespace fdscope::render
