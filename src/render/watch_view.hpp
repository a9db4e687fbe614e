// `fdscope watch`: NDJSON lines (docs/json.md) and the text log for people.
#pragma once
#include <string>

#include "model/sample.hpp"
#include "render/output.hpp"
#include "report/inventory.hpp"
#include "report/trend.hpp"

namespace fdscope::render {

struct WatchHeader {
    double time = 0, interval = 1, window = 10, min_rate = 30;
    std::string counting;
};

void write_header_line(Output& out, const WatchHeader& h);
void write_machine_line(Output& out, const Tick& t);
void write_sample_line(Output& out, double time, const ProcSample& s);
void write_leak_line(Output& out, double time, const report::Trend& t, const report::Drill& d);
void write_alert_line(Output& out, double time, const report::Trend& t, const report::Alert& a);

// Text: one line per event, then a summary of the processes that changed most.
void write_leak_text(Output& out, double time, const report::Trend& t, const report::Drill& d);
void write_alert_text(Output& out, double time, const report::Trend& t, const report::Alert& a);
void write_watch_summary(Output& out, const report::TrendTracker& tracker, double started, std::size_t ticks,
                         std::size_t top, std::size_t unreadable);

}  // namespace fdscope::render
