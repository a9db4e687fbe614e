#include "render/watch_view.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <iterator>

#include "render/escape.hpp"
#include "render/json_envelope.hpp"
#include "render/json_writer.hpp"
#include "render/numbers.hpp"
#include "render/table.hpp"
#include "render/time_text.hpp"
#include "report/watch_summary.hpp"

namespace fdscope::render {
namespace {

// To `places` decimals. Dividing by the power of ten (not multiplying by a
// step like 0.001) gives the double nearest the decimal, which prints short.
double round_to(double v, int places) {
    const double scale = std::pow(10.0, places);
    return std::round(v * scale) / scale;
}

// "command", and "command_escaped": true when invalid UTF-8 bytes had to
// be written as the text \xHH (fdscope plot decodes them back).
void command_keys(JsonWriter& j, const std::string& comm) {
    if (j.key("command").string_value(comm)) j.key("command_escaped").value(true);
}

void limit_value(JsonWriter& j, std::uint64_t limit) {
    limit ? j.value(limit) : j.null();
}

// {"type":TYPE,"time":...,"pid":...,"start":...,"command":... (left open)
void begin_event(JsonWriter& j, const char* type, double time, const report::Trend& t) {
    j.begin_object();
    j.key("type").value(type);
    j.key("time").value(round_to(time, 3));
    j.key("pid").value(static_cast<std::int64_t>(t.key.first));
    j.key("start").value(round_to(t.start, 2));
    command_keys(j, t.comm);
}

// The growing groups of a drill-down; "sites" per group when the process
// runs libfdscope-preload.so (null when it does not).
void groups_value(JsonWriter& j, const report::Drill& d, std::size_t max) {
    const std::vector<report::FdGroup>& groups = d.diff;
    j.begin_array();
    for (std::size_t i = 0; i < groups.size() && i < max; ++i) {
        if (groups[i].count <= 0) break;  // largest growth first: the rest shrank
        j.begin_object();
        j.key("count").value(groups[i].count);
        j.key("kind").value(groups[i].kind);
        j.key("name").value(groups[i].name);
        j.key("sites");
        if (!d.origins) {
            j.null();
        } else {
            j.begin_array();
            if (const auto* sites = d.sites_of(groups[i]))
                for (const report::SiteCount& sc : *sites) {
                    j.begin_object();
                    j.key("count").value(sc.count);
                    j.key("site").value(sc.site);
                    j.end_object();
                }
            j.end_array();
        }
        j.end_object();
    }
    j.end_array();
}

}  // namespace

void write_header_line(Output& out, const WatchHeader& h) {
    JsonWriter j(out);
    begin_stream_header(j);
    j.key("interval").value(h.interval);
    j.key("window").value(h.window);
    j.key("min_rate").value(h.min_rate);
    j.key("counting").value(h.counting);
    j.key("time").value(round_to(h.time, 3));
    j.end_object();
    j.newline();
}

void write_machine_line(Output& out, const Tick& t) {
    JsonWriter j(out);
    j.begin_object();
    j.key("type").value("machine");
    j.key("time").value(round_to(t.time, 3));
    // Not readable (fdscope out of descriptors, no /proc/sys): null, not 0.
    j.key("file_nr");
    t.file_max ? j.value(t.file_nr) : j.null();
    j.key("file_max");
    t.file_max ? j.value(t.file_max) : j.null();
    j.key("processes").value(static_cast<std::uint64_t>(t.procs.size()));
    j.key("unreadable").value(static_cast<std::uint64_t>(t.unreadable));
    j.end_object();
    j.newline();
}

void write_sample_line(Output& out, double time, const ProcSample& s) {
    JsonWriter j(out);
    j.begin_object();
    j.key("type").value("sample");
    j.key("time").value(round_to(time, 3));
    j.key("pid").value(static_cast<std::int64_t>(s.pid));
    j.key("start").value(round_to(s.start, 2));
    command_keys(j, s.comm);
    j.key("fds").value(s.fds);
    j.key("limit");
    limit_value(j, s.limit);
    j.end_object();
    j.newline();
}

void write_leak_line(Output& out, double time, const report::Trend& t, const report::Drill& d) {
    JsonWriter j(out);
    begin_event(j, "leak", time, t);
    j.key("fds").value(t.fds);
    j.key("limit");
    limit_value(j, t.limit);
    j.key("rate_per_min").value(round_to(t.verdict.rate_per_min, 1));
    j.key("eta_seconds");
    t.verdict.eta_seconds ? j.value(round_to(*t.verdict.eta_seconds, 1)) : j.null();
    j.key("since").value(round_to(t.verdict.since, 3));
    j.key("baseline");
    d.taken && d.baseline_time != 0 ? j.value(round_to(d.baseline_time, 3)) : j.null();
    j.key("new");
    if (d.taken && d.baseline_time != 0) groups_value(j, d, 10);
    else j.null();
    j.end_object();
    j.newline();
}

void write_alert_line(Output& out, double time, const report::Trend& t, const report::Alert& a) {
    JsonWriter j(out);
    begin_event(j, "alert", time, t);
    j.key("alert").value(a.kind);
    j.key("value").value(round_to(a.value, 1));
    j.key("threshold").value(a.threshold);
    j.end_object();
    j.newline();
}

void write_leak_text(Output& out, double time, const report::Trend& t, const report::Drill& d) {
    auto& b = out.buffer();
    fmt::format_to(std::back_inserter(b), "{}  LEAK   pid {} {}: {} fds, +{}/min", format_clock(time), t.key.first,
                   escape_for_table(t.comm), grouped(t.fds), grouped(static_cast<std::uint64_t>(std::max(0.0, t.verdict.rate_per_min))));
    if (t.limit && t.verdict.eta_seconds)
        fmt::format_to(std::back_inserter(b), ", limit {} in {}", grouped(t.limit), format_duration(*t.verdict.eta_seconds));
    else if (!t.limit)
        b += ", no fd limit";
    fmt::format_to(std::back_inserter(b), ", growing since {}\n", format_clock(t.verdict.since));
    if (d.taken && d.baseline_time != 0) {
        std::size_t shown = 0;
        for (const auto& g : d.diff) {
            if (g.count <= 0 || shown == 5) break;
            const auto* sites = d.sites_of(g);
            // A site is frame text, escaped already (render/origin_text).
            fmt::format_to(std::back_inserter(b), "          {}{} (since {})\n", escape_for_table(report::describe_group(g)),
                           sites ? report::describe_sites(*sites) : "", format_clock(d.baseline_time));
            ++shown;
        }
    }
    out.flush();
}

void write_alert_text(Output& out, double time, const report::Trend& t, const report::Alert& a) {
    auto& b = out.buffer();
    if (a.kind == "rate")
        fmt::format_to(std::back_inserter(b), "{}  ALERT  pid {} {}: growing {:.0f} fds/min (--alert-rate {:g})\n",
                       format_clock(time), t.key.first, escape_for_table(t.comm), a.value, a.threshold);
    else
        fmt::format_to(std::back_inserter(b), "{}  ALERT  pid {} {}: {} of {} fds, {:.1f}% of its limit (--alert-percent {:g})\n",
                       format_clock(time), t.key.first, escape_for_table(t.comm), grouped(t.fds), grouped(t.limit), a.value,
                       a.threshold);
    out.flush();
}

void write_watch_summary(Output& out, const report::TrendTracker& tracker, double started, std::size_t ticks,
                         std::size_t top, std::size_t unreadable) {
    const std::vector<const report::Trend*> rows = report::rank_by_change(tracker);
    auto& b = out.buffer();
    const std::size_t suspects = tracker.suspects();
    fmt::format_to(std::back_inserter(b), "\n{} {} since {}, {} {}, {} leak {}\n", ticks, noun(ticks, "tick", "ticks"),
                   format_clock(started), rows.size(), noun(rows.size(), "process", "processes"), suspects,
                   noun(suspects, "suspect", "suspects"));
    if (unreadable)
        fmt::format_to(std::back_inserter(b), "{} {} could not be counted (/proc/PID/fd cannot be listed: permission)\n",
                       unreadable, noun(unreadable, "process", "processes"));
    static const std::vector<ColumnSpec> columns = {{"PID", true},    {"COMMAND"},       {"FIRST", true},
                                                    {"FDS", true},    {"CHANGE", true},  {"RATE/MIN", true},
                                                    {"LIMIT", true},  {"VERDICT"}};
    write_table(out, columns, std::min(rows.size(), top), [&](std::size_t r, std::size_t c, std::string& cell) {
        const report::Trend& t = *rows[r];
        switch (c) {
            case 0: cell = std::to_string(t.key.first); break;
            // Cut here to the 16 columns a command gets whatever the terminal.
            case 1: cell = fit_columns(escape_for_table(t.comm), 16); break;
            case 2: cell = std::to_string(t.first_fds); break;
            case 3: cell = std::to_string(t.fds); break;
            case 4: cell = fmt::format("{:+}", report::fd_change(t)); break;
            case 5: cell = fmt::format("{:.0f}", t.verdict.rate_per_min); break;
            case 6: cell = t.limit ? grouped(t.limit) : "-"; break;
            default: cell = t.flagged_since != 0 ? "LEAK since " + format_clock(t.verdict.since) : ""; break;
        }
    }, TableStyle{});
    out.flush();
}

}  // namespace fdscope::render
