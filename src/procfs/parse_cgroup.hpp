// The cgroup texts `why` reads: /proc/PID/cgroup, and the interface files
// of one cgroup (pids.max, memory.max, memory.events, io.max, *.pressure,
// devices.list). Pure: text in, values out.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fdscope::procfs {

// One line of /proc/PID/cgroup: "hierarchy-id:controllers:path". The v2
// line is "0::/path" (no controllers).
struct CgroupMembership {
    std::uint32_t hierarchy = 0;
    std::vector<std::string> controllers;  // "cpu,cpuacct" split; "name=systemd" kept whole
    std::string path;
};
std::vector<CgroupMembership> parse_proc_cgroup(std::string_view text);

// The v2 path (hierarchy 0, no controllers), or the path of the v1 line
// listing `controller`; nullopt when there is none.
std::optional<std::string> cgroup_path_v2(const std::vector<CgroupMembership>& lines);
std::optional<std::string> cgroup_path_v1(const std::vector<CgroupMembership>& lines, std::string_view controller);

// The mount point of the v1 hierarchy whose superblock options name
// `controller` ("... - cgroup cgroup rw,devices"), or of cgroup2 for
// controller "" , from mountinfo text; only mounts of the hierarchy's root.
std::optional<std::string> cgroup_mount_point(std::string_view mountinfo, std::string_view controller);

inline constexpr std::uint64_t kCgroupMax = ~std::uint64_t{0};
// A single-value file: "max" (kCgroupMax) or a decimal number.
std::optional<std::uint64_t> parse_cgroup_value(std::string_view text);

// A flat-keyed file ("high 12\nmax 3\noom 0"): the value of `key`.
std::optional<std::uint64_t> parse_keyed_value(std::string_view text, std::string_view key);

// A PSI file ("some avg10=1.23 avg60=... total=...\nfull ..."): the
// "some" line's avg10, in percent.
std::optional<double> parse_pressure_some_avg10(std::string_view text);

// Lines of a text file, trailing blanks removed, empty lines dropped
// (devices.list, io.max).
std::vector<std::string> non_empty_lines(std::string_view text);

}  // namespace fdscope::procfs
