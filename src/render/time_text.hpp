// Times and durations for people, in one place: the clock of a watch line,
// an ETA, the span and dates of a plot's title.
#pragma once
#include <string>

namespace fdscope::render {

// "1h02m", "34s", "never" (not finite or negative)
std::string format_duration(double seconds);
std::string format_clock(double unix_time);  // local HH:MM:SS
// strftime(format) of the local time; the number itself when it is no time.
std::string local_time(double unix_time, const char* format);
// "45 s", "12 min", "3.5 h": a span at the precision a title wants.
std::string span_text(double seconds);

}  // namespace fdscope::render
