// What a process is grouped by, for the group_* families: a few hundred
// stable names on any machine (systemd units), never per-process values.
#include <array>

#include "export/metrics.hpp"

namespace fdscope::exporter {
namespace {

// The v2 path from a /proc/PID/cgroup line ("0::/system.slice/ssh.service")
// or from the path alone. A whole file (v1 lines too) yields its 0:: line.
std::string_view v2_path(std::string_view cgroup) {
    for (std::size_t start = 0; start < cgroup.size();) {
        std::size_t end = cgroup.find('\n', start);
        if (end == std::string_view::npos) end = cgroup.size();
        const std::string_view line = cgroup.substr(start, end - start);
        if (line.starts_with("0::")) return line.substr(3);
        start = end + 1;
    }
    return cgroup.starts_with('/') ? cgroup.substr(0, cgroup.find('\n')) : std::string_view{};
}

bool has_suffix(std::string_view component, std::string_view suffix) {
    return component.size() > suffix.size() && component.ends_with(suffix);
}

// The innermost .service or .scope is where the process runs (a service's
// own sub-cgroups, user@.service's app scopes); the other unit types
// (.slice, .socket, .mount, ...) name it only when there is neither.
std::string_view unit_of(std::string_view path) {
    constexpr std::array<std::string_view, 2> kRunning = {".service", ".scope"};
    constexpr std::array<std::string_view, 5> kOther = {".socket", ".mount", ".swap", ".slice", ".target"};
    std::string_view running, other;
    for (std::size_t start = 0; start <= path.size();) {
        std::size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        const std::string_view part = path.substr(start, end - start);
        for (auto s : kRunning)
            if (has_suffix(part, s)) running = part;
        for (auto s : kOther)
            if (has_suffix(part, s)) other = part;
        start = end + 1;
    }
    return running.empty() ? other : running;
}

std::string_view basename_of(std::string_view exe) {
    // readlink(/proc/PID/exe) of a replaced or removed binary.
    constexpr std::string_view kDeleted = " (deleted)";
    if (exe.ends_with(kDeleted)) exe.remove_suffix(kDeleted.size());
    const std::size_t slash = exe.rfind('/');
    return slash == std::string_view::npos ? exe : exe.substr(slash + 1);
}

}  // namespace

std::string group_of(GroupBy by, std::string_view cgroup_path, std::string_view comm, std::string_view exe_path) {
    std::string_view group;
    switch (by) {
    case GroupBy::Unit: group = unit_of(v2_path(cgroup_path)); break;
    case GroupBy::Cgroup: group = v2_path(cgroup_path); break;
    case GroupBy::Exe: group = basename_of(exe_path); break;
    case GroupBy::Comm: break;
    }
    if (group.empty()) group = comm;
    return group.empty() ? std::string("unknown") : std::string(group);
}

}  // namespace fdscope::exporter
