#include "render/plot_svg.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <iterator>
#include <limits>

#include "render/escape.hpp"
#include "render/numbers.hpp"
#include "render/time_text.hpp"

namespace fdscope::render {
namespace {

// Layout in px. The left margin holds tick labels like "1,000,000".
constexpr double kTitleY = 26, kTop = 44, kLeft = 76, kBottom = 52, kGap = 16, kRow = 18;
// Generous advance of a 12 px sans-serif glyph (DejaVu is wide; bold more
// so): only to decide where to cut a name, so it errs on the short side.
constexpr double kCharWidth = 7.2, kBoldCharWidth = 8.0;
// Longer series are cut to min and max per pixel column: a day at 1 s is
// 86,400 points per process, far more than there are columns.
constexpr std::size_t kThinAbove = 2000;
constexpr int kMaxTicks = 100;
constexpr const char* kClipId = "fdscope-plot-area";

// Tableau 10 without its red, which is kept for leak suspects.
constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
                                    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
constexpr std::size_t kColours = std::size(kPalette);
constexpr const char* kLeakReds[] = {"#d62728", "#8b0000", "#ff6f61"};
constexpr std::size_t kReds = std::size(kLeakReds);
// When the colours run out the next round is dashed, so no two series look alike.
constexpr const char* kDashes[] = {"", "7 3", "2 2", "9 3 2 3"};

struct Stroke {
    const char* colour;
    double width;
    const char* dash;
};

Stroke stroke_for(bool leak, std::size_t rank) {
    if (leak) return {kLeakReds[rank % kReds], 3.0, kDashes[(rank / kReds) % std::size(kDashes)]};
    return {kPalette[rank % kColours], 1.5, kDashes[(rank / kColours) % std::size(kDashes)]};
}

// Leak suspects and the others are numbered apart: each group has its colours.
std::vector<Stroke> assign_strokes(const std::vector<PlotSeries>& series) {
    std::vector<Stroke> out;
    std::size_t leaks = 0, others = 0;
    for (const auto& s : series) out.push_back(stroke_for(s.leak, s.leak ? leaks++ : others++));
    return out;
}

// escape_for_table leaves valid UTF-8 without control characters; of that,
// XML 1.0 still forbids U+FFFE and U+FFFF.
std::string safe_text(std::string_view bytes) {
    const std::string in = escape_for_table(bytes);
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '\xef' && i + 2 < in.size() && in[i + 1] == '\xbf' && (in[i + 2] == '\xbe' || in[i + 2] == '\xbf')) {
            out += in[i + 2] == '\xbe' ? "\\xef\\xbf\\xbe" : "\\xef\\xbf\\xbf";
            i += 2;
        } else {
            out += in[i];
        }
    }
    return out;
}

std::string entities(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string px(double v) { return fmt::format("{:.1f}", v); }

// Tick labels stay narrow enough for the left margin: 999,999 then 1M, 1.5G.
std::string count_label(double v) {
    if (v < 1e6) return grouped(static_cast<std::uint64_t>(std::llround(v)));
    static constexpr const char* kSuffix[] = {"M", "G", "T", "P", "E", "Z"};
    std::size_t k = 0;
    for (v /= 1e6; v >= 1000 && k + 1 < std::size(kSuffix); v /= 1000) ++k;
    return fmt::format("{:.4g}{}", v, kSuffix[k]);
}

std::string rate_label(double rate) {
    const char* sign = rate < 0 ? "-" : "+";
    const double a = std::fabs(rate);
    if (a < 10) return fmt::format("{}{:.1f}", sign, a);
    if (a < 1e15) return sign + grouped(static_cast<std::uint64_t>(std::llround(a)));
    return fmt::format("{}{:.3g}", sign, a);
}

// 1, 2 or 5 times a power of ten, at least `raw`.
double nice_step(double raw) {
    if (!(raw > 0) || !std::isfinite(raw)) return 1;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double n = raw / mag;
    return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * mag;
}

struct Axis {
    double max = 1;   // in axis units
    double step = 1;
    double unit = 1;  // seconds per axis unit (time)
    int decimals = 0;
    std::string label;
};

// Long recordings count in minutes or hours, so tick labels stay short.
Axis time_axis(double span, double length) {
    Axis a;
    if (!std::isfinite(span) || span < 1e-3) span = 1;  // one point, or all at one time
    const char* unit = "s";
    if (span >= 36000) a.unit = 3600, unit = "h";
    else if (span >= 600) a.unit = 60, unit = "min";
    a.max = span / a.unit;
    a.step = nice_step(a.max / std::max(2.0, length / 100));
    a.decimals = a.step >= 1 ? 0 : std::min(6, static_cast<int>(std::ceil(-std::log10(a.step) - 1e-9)));
    a.label = fmt::format("time ({})", unit);
    return a;
}

// Starts at 0, so a flat series at 40 fds does not look like it swings.
Axis count_axis(std::uint64_t peak, double length) {
    Axis a;
    const double top = std::max(static_cast<double>(peak), 1.0);
    a.step = std::max(1.0, nice_step(top / std::max(2.0, length / 50)));
    a.max = std::ceil(top / a.step) * a.step;
    a.label = "open fds";
    return a;
}

struct Area {
    double left, top, right, bottom;
    double width() const { return right - left; }
    double height() const { return bottom - top; }
};

struct Frame {
    Area area;
    double t0;
    Axis x, y;
    double x_of(double t) const {
        const double at = area.left + (t - t0) / x.unit / x.max * area.width();
        return std::clamp(at, -1e6, 1e6);  // a far-off time stays printable; the clip hides it
    }
    double y_of(double fds) const { return area.bottom - fds / y.max * area.height(); }
};

// A narrow chart gives the legend what the plot can spare, down to 60 px.
double legend_width(double width) {
    const double most = std::max(60.0, width - kLeft - kGap - 60);
    return std::clamp(width * 0.3, std::min(150.0, most), most);
}

Frame make_frame(const std::vector<PlotSeries>& series, const PlotOptions& o, double width, double height,
                 double first, double last) {
    Frame f;
    f.area = {kLeft, kTop, width - legend_width(width) - kGap, height - kBottom};
    f.t0 = o.time_origin.value_or(first);
    f.x = time_axis(last - f.t0, f.area.width());
    std::uint64_t peak = 0;
    for (const auto& s : series) peak = std::max(peak, s.peak());
    f.y = count_axis(peak, f.area.height());
    return f;
}

// Min and max of each pixel column, in time order: a one-sample spike
// survives, and the line still joins the columns in the order it happened.
std::vector<PlotPoint> thin(const std::vector<PlotPoint>& pts, const Frame& f) {
    if (pts.size() <= kThinAbove) return pts;
    auto column = [&](const PlotPoint& p) { return static_cast<long long>(std::floor(f.x_of(p.time))); };
    std::vector<PlotPoint> out;
    for (std::size_t i = 0; i < pts.size();) {
        const long long col = column(pts[i]);
        std::size_t lo = i, hi = i, j = i;
        for (; j < pts.size() && column(pts[j]) == col; ++j) {
            if (pts[j].fds < pts[lo].fds) lo = j;
            if (pts[j].fds > pts[hi].fds) hi = j;
        }
        out.push_back(pts[std::min(lo, hi)]);
        if (lo != hi) out.push_back(pts[std::max(lo, hi)]);
        i = j;
    }
    return out;
}

void open_svg(std::string& out, unsigned width, unsigned height, const std::string& title) {
    // About 11 px per 16 px bold glyph: a long title is cut in the middle, not at the edges.
    const auto shown = entities(truncate_middle(safe_text(title), static_cast<std::size_t>(width / 11)));
    fmt::format_to(std::back_inserter(out),
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
                   "font-family=\"sans-serif\" font-size=\"12\">\n"
                   "<title>{2}</title>\n"
                   "<rect width=\"{0}\" height=\"{1}\" fill=\"#ffffff\"/>\n"
                   "<text class=\"title\" x=\"{3}\" y=\"{4}\" text-anchor=\"middle\" font-size=\"16\" "
                   "font-weight=\"bold\">{5}</text>\n",
                   width, height, xml_text(title), px(width / 2.0), px(kTitleY), shown);
}

template <class Label>
void ticks(const Axis& a, Label&& at) {
    for (int i = 0; i <= kMaxTicks; ++i) {
        const double v = i * a.step;
        if (v > a.max * (1 + 1e-9)) break;
        at(v);
    }
}

void draw_axes(std::string& out, const Frame& f) {
    auto o = std::back_inserter(out);
    const Area& a = f.area;
    out += "<g class=\"grid\" stroke=\"#e6e6e6\">\n";
    ticks(f.y, [&](double v) {
        fmt::format_to(o, "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\"/>\n", px(a.left), px(f.y_of(v)), px(a.right));
    });
    ticks(f.x, [&](double v) {
        fmt::format_to(o, "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\n", px(f.x_of(f.t0 + v * f.x.unit)),
                       px(a.top), px(a.bottom));
    });
    out += "</g>\n<g class=\"axes\" fill=\"#333333\" stroke=\"none\">\n";
    ticks(f.y, [&](double v) {
        fmt::format_to(o, "<text class=\"y-tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", px(a.left - 6),
                       px(f.y_of(v) + 4), count_label(v));
    });
    ticks(f.x, [&](double v) {
        fmt::format_to(o, "<text class=\"x-tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{:.{}f}</text>\n",
                       px(f.x_of(f.t0 + v * f.x.unit)), px(a.bottom + 18), v, f.x.decimals);
    });
    fmt::format_to(o,
                   "<path d=\"M{0},{1}V{2}H{3}\" fill=\"none\" stroke=\"#333333\"/>\n"
                   "<text class=\"x-label\" x=\"{4}\" y=\"{5}\" text-anchor=\"middle\">{6}</text>\n"
                   "<text class=\"y-label\" transform=\"rotate(-90)\" x=\"{7}\" y=\"16\" "
                   "text-anchor=\"middle\">{8}</text>\n</g>\n",
                   px(a.left), px(a.top), px(a.bottom), px(a.right), px((a.left + a.right) / 2), px(a.bottom + 42),
                   f.x.label, px(-(a.top + a.bottom) / 2), f.y.label);
    // Thick strokes at 0 fds or at the peak would be cut in half by a tight clip.
    fmt::format_to(o, "<defs><clipPath id=\"{}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath></defs>\n",
                   kClipId, px(a.left - 4), px(a.top - 4), px(a.width() + 8), px(a.height() + 8));
}

std::string leak_detail(const PlotSeries& s) {
    return s.rate_per_min ? "leak " + rate_label(*s.rate_per_min) + " fds/min" : "leak";
}

std::string leak_suffix(const PlotSeries& s) { return s.leak ? " \u2014 " + leak_detail(s) : ""; }

std::string points_attr(const std::vector<PlotPoint>& pts, const Frame& f) {
    std::string out;
    out.reserve(pts.size() * 12);
    for (const auto& p : pts) {
        if (!out.empty()) out += ' ';
        fmt::format_to(std::back_inserter(out), "{:.1f},{:.1f}", f.x_of(p.time), f.y_of(static_cast<double>(p.fds)));
    }
    return out;
}

// One sample, or every sample on one spot, draws no visible line: mark it.
bool degenerate(const std::vector<PlotPoint>& pts, const Frame& f) {
    for (const auto& p : pts)
        if (std::fabs(f.x_of(p.time) - f.x_of(pts[0].time)) >= 0.5 ||
            std::fabs(f.y_of(static_cast<double>(p.fds)) - f.y_of(static_cast<double>(pts[0].fds))) >= 0.5)
            return false;
    return true;
}

void draw_series(std::string& out, const Frame& f, const PlotSeries& s, const Stroke& st) {
    auto o = std::back_inserter(out);
    const std::string cmd = xml_text(s.command);
    fmt::format_to(o, "<g class=\"series\" data-pid=\"{}\" data-start=\"{}\" data-command=\"{}\" data-leak=\"{}\"",
                   s.pid, s.start, cmd, s.leak ? "true" : "false");
    if (s.rate_per_min) fmt::format_to(o, " data-rate-per-min=\"{}\"", *s.rate_per_min);
    fmt::format_to(o, " clip-path=\"url(#{})\">\n<title>{} {}: peak {} fds{}</title>\n", kClipId, s.pid, cmd,
                   grouped(s.peak()), entities(leak_suffix(s)));
    if (s.points.empty()) {
        out += "</g>\n";
        return;
    }
    const auto pts = thin(s.points, f);
    fmt::format_to(o, "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" stroke-linejoin=\"round\"", st.colour,
                   st.width);
    if (*st.dash) fmt::format_to(o, " stroke-dasharray=\"{}\"", st.dash);
    fmt::format_to(o, " points=\"{}\"/>\n", points_attr(pts, f));
    if (degenerate(pts, f))
        fmt::format_to(o, "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\"/>\n", px(f.x_of(pts[0].time)),
                       px(f.y_of(static_cast<double>(pts[0].fds))), st.width + 1.5, st.colour);
    out += "</g>\n";
}

// A leak suspect's entry takes two lines, the rate on the second, so the
// command keeps the whole width.
double entry_height(const PlotSeries& s) { return s.leak ? 2 * kRow - 2 : kRow; }

std::string legend_name(const PlotSeries& s, double width) {
    const std::string pid = std::to_string(s.pid);
    const double room = (width - 30) / (s.leak ? kBoldCharWidth : kCharWidth) - static_cast<double>(pid.size() + 1);
    return entities(pid + " " + truncate_middle(safe_text(s.command), static_cast<std::size_t>(std::max(4.0, room))));
}

void legend_entry(std::string& out, const PlotSeries& s, const Stroke& st, double x, double y, double width) {
    auto o = std::back_inserter(out);
    fmt::format_to(o, "<g class=\"legend-entry\" data-pid=\"{}\" data-leak=\"{}\">", s.pid, s.leak ? "true" : "false");
    fmt::format_to(o, "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"", px(x), px(y),
                   px(x + 22), px(y), st.colour, st.width);
    if (*st.dash) fmt::format_to(o, " stroke-dasharray=\"{}\"", st.dash);
    const std::string name = legend_name(s, width);
    if (!s.leak) {
        fmt::format_to(o, "/><text x=\"{}\" y=\"{}\">{}</text></g>\n", px(x + 28), px(y + 4), name);
        return;
    }
    // One text element, so the entry reads as one line to a screen reader or a search.
    fmt::format_to(o,
                   "/><text x=\"{0}\" y=\"{1}\" fill=\"#b00000\" font-weight=\"bold\"><tspan>{2} </tspan>"
                   "<tspan x=\"{0}\" dy=\"{3}\" font-weight=\"normal\">{4}</tspan></text></g>\n",
                   px(x + 28), px(y + 4), name, kRow - 2, leak_detail(s));
}

// As many entries as fit beside the plot; the rest are counted, not listed
// (--top 100 on a short chart).
void draw_legend(std::string& out, const std::vector<PlotSeries>& series, const std::vector<Stroke>& strokes,
                 const Area& beside, double x, double width) {
    out += "<g class=\"legend\">\n";
    double used = 0;
    std::size_t i = 0;
    for (; i < series.size(); ++i) {
        const double h = entry_height(series[i]);
        const bool more = i + 1 < series.size();  // then a row must stay free for "… and N more"
        if (used + h + (more ? kRow : 0) > beside.height()) break;
        legend_entry(out, series[i], strokes[i], x, beside.top + 9 + used, width);
        used += h;
    }
    if (i < series.size())
        fmt::format_to(std::back_inserter(out), "<text x=\"{}\" y=\"{}\" fill=\"#555555\">\u2026 and {} more</text>\n",
                       px(x), px(beside.top + 13 + used), series.size() - i);
    out += "</g>\n";
}

void draw_note(std::string& out, unsigned width, unsigned height, std::string_view note) {
    fmt::format_to(std::back_inserter(out),
                   "<text class=\"note\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#555555\">{}</text>\n",
                   px(width / 2.0), px(height / 2.0), note);
}

}  // namespace

std::string xml_text(std::string_view bytes) { return entities(safe_text(bytes)); }

std::string plot_svg(const std::vector<PlotSeries>& series, const PlotOptions& options) {
    // Clamped so the plot area keeps a positive size whatever the caller asks.
    const unsigned width = std::clamp(options.width, 200u, 20000u), height = std::clamp(options.height, 150u, 20000u);
    std::string out;
    open_svg(out, width, height, options.title);
    double first = std::numeric_limits<double>::infinity(), last = -first;
    for (const auto& s : series)
        for (const auto& p : s.points) first = std::min(first, p.time), last = std::max(last, p.time);
    if (first > last) {
        draw_note(out, width, height, "no samples");
        out += "</svg>\n";
        return out;
    }
    const Frame f = make_frame(series, options, width, height, first, last);
    draw_axes(out, f);
    const auto strokes = assign_strokes(series);
    for (bool leaks : {false, true})
        for (std::size_t i = 0; i < series.size(); ++i)
            if (series[i].leak == leaks) draw_series(out, f, series[i], strokes[i]);
    draw_legend(out, series, strokes, f.area, f.area.right + kGap, width - f.area.right - kGap);
    out += "</svg>\n";
    return out;
}

std::string default_plot_title(double first, double last) {
    const bool same_day = local_time(first, "%F") == local_time(last, "%F");
    return fmt::format("open fds per process, {} to {} ({})", local_time(first, "%F %T"),
                       local_time(last, same_day ? "%T %Z" : "%F %T %Z"), span_text(last - first));
}

}  // namespace fdscope::render
