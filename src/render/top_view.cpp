#include "render/top_view.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "render/escape.hpp"
#include "render/numbers.hpp"
#include "render/time_text.hpp"

namespace fdscope::render {
namespace {

// Pads or cuts (at the end) to exactly `width` columns, never inside a
// UTF-8 sequence.
std::string fit(const std::string& s, std::size_t width) {
    std::string t = s;
    while (display_width(t) > width) {
        std::size_t cut = t.size() - 1;
        while (cut > 0 && (static_cast<unsigned char>(t[cut]) & 0xC0) == 0x80) --cut;
        t.resize(cut);
    }
    const std::size_t w = display_width(t);
    if (w < width) t.append(width - w, ' ');
    return t;
}

std::string rate_text(double per_min) {
    if (std::fabs(per_min) < 0.5) return "0";
    return fmt::format("{:+.0f}", per_min);
}

std::string eta_text(const report::Trend& t) {
    if (!t.limit || !t.verdict.eta_seconds || t.verdict.rate_per_min <= 0) return "-";
    return format_duration(*t.verdict.eta_seconds);
}

bool matches(const report::Trend& t, const std::string& filter) {
    if (filter.empty()) return true;
    return t.comm.find(filter) != std::string::npos || std::to_string(t.key.first).rfind(filter, 0) == 0;
}

LineStyle row_style(bool selected, bool suspect) {
    if (selected) return suspect ? LineStyle::SelectedSuspect : LineStyle::Selected;
    return suspect ? LineStyle::Suspect : LineStyle::Row;
}

}  // namespace

const char* top_sort_name(TopSort s) {
    switch (s) {
        case TopSort::Fds: return "fds";
        case TopSort::Rate: return "rate";
        case TopSort::Percent: return "% of limit";
    }
    return "";
}

std::vector<const report::Trend*> top_rows(const report::TrendTracker& tracker, const TopState& st) {
    std::vector<const report::Trend*> rows;
    for (const auto& [key, t] : tracker.trends())
        if (matches(t, st.filter)) rows.push_back(&t);
    auto value = [&](const report::Trend* t) {
        switch (st.sort) {
            case TopSort::Fds: return static_cast<double>(t->fds);
            case TopSort::Rate: return t->verdict.rate_per_min;
            case TopSort::Percent: return t->percent();
        }
        return 0.0;
    };
    std::stable_sort(rows.begin(), rows.end(), [&](auto* a, auto* b) {
        if (value(a) != value(b)) return value(a) > value(b);
        return a->key < b->key;
    });
    return rows;
}

std::size_t settle_selection(TopState& st, const std::vector<const report::Trend*>& rows, std::size_t visible) {
    std::size_t at = 0;
    bool found = false;
    for (std::size_t i = 0; i < rows.size() && st.selected; ++i)
        if (rows[i]->key == *st.selected) {
            at = i;
            found = true;
        }
    if (!found) st.selected = rows.empty() ? std::nullopt : std::optional(rows[std::min(at, rows.size() - 1)]->key);
    if (visible == 0) visible = 1;
    if (at < st.scroll) st.scroll = at;
    if (at >= st.scroll + visible) st.scroll = at + 1 - visible;
    // Never scrolled past a full screen: after a filter, every row that fits shows.
    st.scroll = std::min(st.scroll, rows.size() > visible ? rows.size() - visible : 0);
    return at;
}

std::string sparkline(const std::deque<report::FdSample>& history, double end, double span, std::size_t width,
                      bool unicode) {
    static const char* const kBlocks[] = {"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"};
    static const char kAscii[] = "_.-:=+*#";
    if (width == 0) return "";
    if (!(span > 0)) return std::string(width, ' ');
    std::vector<std::optional<std::uint64_t>> slot(width);
    const double start = end - span;
    for (const auto& s : history) {
        if (s.time < start || s.time > end + 1e-9) continue;
        auto i = static_cast<std::size_t>((s.time - start) / span * static_cast<double>(width));
        i = std::min(i, width - 1);
        slot[i] = std::max(slot[i].value_or(0), s.fds);
    }
    std::uint64_t lo = ~0ULL, hi = 0;
    for (const auto& v : slot)
        if (v) {
            lo = std::min(lo, *v);
            hi = std::max(hi, *v);
        }
    // A slot without a sample holds the count of the one before: the
    // count stood there (ticks drift against slot edges).
    for (std::size_t i = 1; i < width; ++i)
        if (!slot[i]) slot[i] = slot[i - 1];
    std::string out;
    for (const auto& v : slot) {
        if (!v) {
            out += ' ';
            continue;
        }
        const std::size_t level = hi == lo ? 0 : static_cast<std::size_t>((*v - lo) * 7 / (hi - lo));
        if (unicode) out += kBlocks[level];
        else out += kAscii[level];
    }
    return out;
}

namespace {

void drill_screen(const report::TrendTracker& tracker, double interval, TopState& st, int width, int height,
                  std::vector<ScreenLine>& lines) {
    const auto w = static_cast<std::size_t>(width);
    auto add = [&](const std::string& s, LineStyle style = LineStyle::Row) {
        if (lines.size() + 1 < static_cast<std::size_t>(height)) lines.push_back({fit(s, w), style});
    };
    auto it = tracker.trends().find(*st.drill);
    if (it == tracker.trends().end()) {
        add(fmt::format("pid {} has exited.", st.drill->first), LineStyle::Title);
    } else {
        const report::Trend& t = it->second;
        add(fmt::format("pid {} {}  {} fds{}", t.key.first, escape_for_table(t.comm), grouped(t.fds),
                        t.limit ? fmt::format(" of {} ({:.1f}%)", grouped(t.limit), t.percent()) : std::string(", no limit")),
            LineStyle::Title);
        std::string verdict = fmt::format("rate {}/min", rate_text(t.verdict.rate_per_min));
        if (eta_text(t) != "-") verdict += ", limit in " + eta_text(t);
        if (t.flagged_since != 0) verdict += ", LEAK: growing since " + format_clock(t.verdict.since);
        add(verdict, t.flagged_since != 0 ? LineStyle::Suspect : LineStyle::Info);
        const long long since_first = static_cast<long long>(t.fds) - static_cast<long long>(t.first_fds);
        add(fmt::format("first seen {} with {} fds: {:+} since", format_clock(t.first_seen), grouped(t.first_fds),
                        since_first), LineStyle::Info);
        const double span = std::min(120.0, std::max(interval * 10, t.history.back().time - t.history.front().time));
        add("history (" + format_duration(span) + "): " +
                sparkline(t.history, t.history.back().time, span, w > 30 ? w - 30 : 10, st.unicode),
            LineStyle::Info);
    }
    const report::Drill& d = st.drill_data;
    add("");
    if (!d.taken) {
        add("no inventory: the process is gone or its fds cannot be read", LineStyle::Info);
    } else {
        add("by kind, now:", LineStyle::ColumnHeader);
        std::string kinds;
        for (const auto& k : d.kinds) kinds += fmt::format("  {} {}", k.kind, grouped(static_cast<std::uint64_t>(k.count)));
        add(kinds.empty() ? "  (no fds)" : kinds);
        add("");
        if (d.baseline_time == 0) {
            add("first inventory taken now: changes show from the next refresh", LineStyle::ColumnHeader);
        } else {
            add("since the first inventory at " + format_clock(d.baseline_time) + ":", LineStyle::ColumnHeader);
            if (d.diff.empty()) add("  no change");
            for (const auto& g : d.diff) {
                const auto* sites = g.count > 0 ? d.sites_of(g) : nullptr;
                add("  " + escape_for_table(report::describe_group(g)) + (sites ? report::describe_sites(*sites) : ""));
            }
        }
    }
    while (lines.size() + 1 < static_cast<std::size_t>(height)) lines.push_back({fit("", w), LineStyle::Row});
    lines.push_back({fit(st.drill_help, w), LineStyle::Help});
}

}  // namespace

std::vector<ScreenLine> top_screen(const report::TrendTracker& tracker, const Tick& tick, double interval,
                                   TopState& st, int width, int height) {
    std::vector<ScreenLine> lines;
    if (width < 20 || height < 6) {
        lines.push_back({"too small", LineStyle::Title});
        return lines;
    }
    const auto w = static_cast<std::size_t>(width);
    const double pct = tick.file_max ? 100.0 * static_cast<double>(tick.file_nr) / static_cast<double>(tick.file_max) : 0;
    const std::size_t suspects = tracker.suspects();
    // Most important first: a narrow terminal cuts the end. A file-max of
    // LONG_MAX (systemd's default) is no limit worth 25 columns.
    const std::string max = tick.file_max >= (1ULL << 62) ? "no" : tick.file_max ? grouped(tick.file_max) : "?";
    lines.push_back({fit(fmt::format("fdscope top  {}  {} leak suspect{}  handles {} / {} file-max ({:.1f}%)",
                                     format_clock(tick.time), suspects, noun(suspects, "", "s"), grouped(tick.file_nr), max,
                                     pct), w),
                     suspects ? LineStyle::Suspect : LineStyle::Title});
    if (st.drill) {
        drill_screen(tracker, interval, st, width, height, lines);
        return lines;
    }
    const auto rows = top_rows(tracker, st);
    lines.push_back({fit(fmt::format("{} {}{}{}  interval {:g}s  sort: {}", rows.size(), noun(rows.size(), "process", "processes"),
                                     st.filter.empty() ? "" : fmt::format(" matching \"{}\"", escape_for_table(st.filter)),
                                     tick.unreadable ? fmt::format(" ({} not readable)", tick.unreadable) : "",
                                     interval, top_sort_name(st.sort)), w),
                     LineStyle::Info});
    // PID COMMAND FDS LIMIT %LIM RATE/m ETA HISTORY: the history takes what is left.
    const std::size_t fixed = 8 + 1 + 15 + 1 + 7 + 1 + 7 + 1 + 5 + 1 + 7 + 1 + 7 + 1;
    const std::size_t spark = w > fixed + 4 ? w - fixed : 4;
    lines.push_back({fit(fmt::format("{:>8} {:<15} {:>7} {:>7} {:>5} {:>7} {:>7} {}", "PID", "COMMAND", "FDS", "LIMIT",
                                     "%LIM", "RATE/m", "ETA", "HISTORY"), w),
                     LineStyle::ColumnHeader});
    const std::size_t visible = static_cast<std::size_t>(height) - lines.size() - 1;
    settle_selection(st, rows, visible);
    for (std::size_t i = st.scroll; i < rows.size() && i < st.scroll + visible; ++i) {
        const report::Trend& t = *rows[i];
        const bool suspect = t.flagged_since > 0;
        const std::string pid = (suspect ? "*" : "") + std::to_string(t.key.first);
        const std::string line = fmt::format(
            "{:>8} {} {:>7} {:>7} {:>5} {:>7} {:>7} {}", pid, fit_columns(escape_for_table(t.comm), 15), t.fds,
            t.limit ? std::to_string(t.limit) : "-", t.limit ? fmt::format("{:.0f}%", t.percent()) : "-",
            rate_text(t.verdict.rate_per_min), eta_text(t),
            sparkline(t.history, tick.time, interval * static_cast<double>(spark), spark, st.unicode));
        lines.push_back({fit(line, w), row_style(st.selected && *st.selected == t.key, suspect)});
    }
    while (lines.size() + 1 < static_cast<std::size_t>(height)) lines.push_back({fit("", w), LineStyle::Row});
    if (st.prompt) {
        lines.push_back({fit("filter (command or pid), Enter to apply, Esc to cancel: " + escape_for_table(*st.prompt), w),
                         LineStyle::Prompt});
    } else {
        lines.push_back({fit(st.list_help, w), LineStyle::Help});
    }
    return lines;
}

}  // namespace fdscope::render
