// `fdscope plot`: fd counts over time of a recorded watch, as one
// self-contained SVG document (no scripts, fonts, images or style sheets
// from elsewhere, so it can be mailed or attached to a ticket as is).
// Pure: series in, document out.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fdscope::render {

struct PlotPoint {
    double time = 0;  // Unix seconds
    std::uint64_t fds = 0;
};

// One process: a pid names one only together with its start time.
struct PlotSeries {
    std::int64_t pid = 0;
    double start = 0;
    std::string command;               // bytes, as recorded
    std::vector<PlotPoint> points;     // in time order
    bool leak = false;                 // flagged by a "leak" line
    std::optional<double> rate_per_min;  // of the last leak verdict

    std::uint64_t peak() const;
};

struct PlotOptions {
    unsigned width = 960, height = 540;
    std::string title = "open fds per process";
    // The time shown as 0 on the x axis; none: the earliest point.
    std::optional<double> time_origin;
};

// Series are drawn and listed in the order given; leak suspects are drawn
// last, so they stay on top.
std::string plot_svg(const std::vector<PlotSeries>& series, const PlotOptions& options);

// Text for an XML text node or attribute value, whatever the bytes: they go
// through escape_for_table (no control characters, valid UTF-8 only), then
// the five XML specials become entities and U+FFFE/U+FFFF (valid UTF-8, not
// XML 1.0 characters) become \xHH text.
std::string xml_text(std::string_view bytes);

}  // namespace fdscope::render
