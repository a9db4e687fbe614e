// /proc/PID/stat and /proc/PID/task/TID/stat.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fdscope::procfs {

struct StatInfo {
    std::int32_t pid = 0;
    std::string comm;          // between the first '(' and the LAST ')': comm may hold ')' and spaces
    char state = '?';
    std::int32_t ppid = 0;
    std::uint32_t flags = 0;        // field 9, PF_* (PF_KTHREAD: a kernel thread)
    std::uint64_t utime = 0, stime = 0;  // fields 14, 15, clock ticks
    std::uint32_t num_threads = 0;  // field 20
    std::uint64_t start_time = 0;   // field 22, clock ticks since boot
    std::uint64_t rss_pages = 0;    // field 24 (0 when the line stops before it)
};

// nullopt when the text is not a stat line.
std::optional<StatInfo> parse_stat(std::string_view text);

}  // namespace fdscope::procfs
