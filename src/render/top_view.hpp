// `fdscope top`'s screen as lines of text with a style each: pure, so the
// layout (80x24 and up, sorting, filtering, the drill-down) is tested
// without a terminal. cli/top_command.cpp draws the lines with ncurses.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/sample.hpp"
#include "report/inventory.hpp"
#include "report/trend.hpp"

namespace fdscope::render {

enum class TopSort { Fds, Rate, Percent };
const char* top_sort_name(TopSort s);

enum class LineStyle { Title, Info, ColumnHeader, Row, Selected, Suspect, SelectedSuspect, Help, Prompt };

struct ScreenLine {
    std::string text;  // UTF-8, at most `width` columns
    LineStyle style = LineStyle::Row;
};

struct TopState {
    TopSort sort = TopSort::Fds;
    std::string filter;                 // substring of the command, or a pid prefix
    std::optional<std::string> prompt;  // typing a filter
    std::optional<report::ProcKey> selected;
    std::size_t scroll = 0;
    std::optional<report::ProcKey> drill;  // showing this process
    report::Drill drill_data;
    bool unicode = true;                // block characters for sparklines
    // The bottom line of each screen: tui/keys makes them from its key
    // table (a test keeps these defaults equal to what it makes).
    std::string list_help = "q quit  Up/Down select  Enter drill down  / filter  n fds  r rate  p % of limit";
    std::string drill_help = "Esc/q back  (refreshes every sample)";
};

// The rows shown, in order (filtered and sorted).
std::vector<const report::Trend*> top_rows(const report::TrendTracker& tracker, const TopState& st);

// Keeps the selection on a shown row and in view; returns its index.
std::size_t settle_selection(TopState& st, const std::vector<const report::Trend*>& rows, std::size_t visible);

std::vector<ScreenLine> top_screen(const report::TrendTracker& tracker, const Tick& tick, double interval,
                                   TopState& st, int width, int height);

// The history as `width` characters: the max of each time slot, scaled
// between the lowest and highest value shown.
std::string sparkline(const std::deque<report::FdSample>& history, double end, double span, std::size_t width,
                      bool unicode);

}  // namespace fdscope::render
