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

#include "report/recording.hpp"

namespace fdscope::render {

using report::PlotPoint;
using report::PlotSeries;

struct PlotOptions {
    unsigned width = 960, height = 540;
    std::string title = "open fds per process";
    // The time shown as 0 on the x axis; none: the earliest point.
    std::optional<double> time_origin;
};

// Series are drawn and listed in the order given; leak suspects are drawn
// last, so they stay on top.
std::string plot_svg(const std::vector<PlotSeries>& series, const PlotOptions& options);

// "open fds per process, 2026-11-22 10:00:01 to 10:05:00 CET (5 min)": the
// title of a chart from `first` to `last` (Unix seconds), in local time.
std::string default_plot_title(double first, double last);

// Text for an XML text node or attribute value, whatever the bytes: they go
// through escape_for_table (no control characters, valid UTF-8 only), then
// the five XML specials become entities and U+FFFE/U+FFFF (valid UTF-8, not
// XML 1.0 characters) become \xHH text.
std::string xml_text(std::string_view bytes);

}  // namespace fdscope::render
