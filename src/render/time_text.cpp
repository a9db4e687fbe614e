#include "render/time_text.hpp"

#include <cmath>
#include <cstdint>
#include <ctime>
#include <fmt/format.h>

namespace fdscope::render {

std::string format_duration(double s) {
    if (!std::isfinite(s) || s < 0) return "never";
    const auto v = static_cast<std::uint64_t>(s + 0.5);
    if (v < 60) return fmt::format("{}s", v);
    if (v < 3600) return fmt::format("{}m{:02}s", v / 60, v % 60);
    if (v < 86400) return fmt::format("{}h{:02}m", v / 3600, v % 3600 / 60);
    return fmt::format("{}d{:02}h", v / 86400, v % 86400 / 3600);
}

std::string format_clock(double unix_time) {
    const auto t = static_cast<std::time_t>(unix_time);
    std::tm tm{};
    localtime_r(&t, &tm);
    return fmt::format("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string local_time(double t, const char* format) {
    if (!(std::fabs(t) < 1e15)) return fmt::format("{}", t);  // time_t cannot hold it
    const std::time_t s = static_cast<std::time_t>(std::floor(t));
    std::tm tm{};
    char buf[64];
    if (!::localtime_r(&s, &tm) || std::strftime(buf, sizeof buf, format, &tm) == 0) return fmt::format("{}", t);
    return buf;
}

std::string span_text(double seconds) {
    if (seconds < 120) return fmt::format("{:.0f} s", seconds);
    if (seconds < 7200) return fmt::format("{:.0f} min", seconds / 60);
    return fmt::format("{:.1f} h", seconds / 3600);
}

}  // namespace fdscope::render
