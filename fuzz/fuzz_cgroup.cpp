// Feeds arbitrary bytes to every cgroup text parser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "procfs/parse_cgroup.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace fdscope::procfs;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto lines = parse_proc_cgroup(text);
    volatile std::uint64_t sink = lines.size();
    if (auto p = cgroup_path_v2(lines)) sink = sink + p->size();
    if (auto p = cgroup_path_v1(lines, "devices")) sink = sink + p->size();
    if (auto v = parse_cgroup_value(text)) sink = sink + *v;
    if (auto v = parse_keyed_value(text, "high")) sink = sink + *v;
    if (auto v = parse_pressure_some_avg10(text)) sink = sink + static_cast<std::uint64_t>(*v);
    sink = sink + non_empty_lines(text).size();
    if (auto m = cgroup_mount_point(text, "devices")) sink = sink + m->size();
    if (auto m = cgroup_mount_point(text, "")) sink = sink + m->size();
    (void)sink;
    return 0;
}
