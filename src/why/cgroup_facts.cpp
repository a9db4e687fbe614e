#include "why/cgroup_facts.hpp"

#include <fcntl.h>
#include <linux/bpf.h>
#include <unistd.h>

#include "procfs/parse_cgroup.hpp"
#include "sys/bpf_prog_query.hpp"
#include "sys/errno_text.hpp"
#include "sys/proc_io.hpp"
#include "sys/unique_fd.hpp"

namespace fdscope::why {
namespace {

bool read_text(const std::string& path, std::string& text) {
    return sys::read_file_at(AT_FDCWD, path.c_str(), text, sys::ReadMode::Stream) == 0;
}

// v1 memory.limit_in_bytes says "no limit" with PAGE_COUNTER_MAX pages in
// bytes (9223372036854771712 on x86_64): anything that large is no limit.
std::optional<std::uint64_t> v1_limit(std::optional<std::uint64_t> v) {
    if (v && *v >= (std::uint64_t{1} << 62)) return procfs::kCgroupMax;
    return v;
}

void read_v2(const std::string& dir, CgroupFacts& out, std::vector<std::string>& unreadable) {
    std::string text;
    if (read_text(dir + "/pids.max", text)) out.pids_max = procfs::parse_cgroup_value(text);
    if (read_text(dir + "/pids.current", text)) out.pids_current = procfs::parse_cgroup_value(text);
    if (read_text(dir + "/memory.high", text)) out.memory_high = procfs::parse_cgroup_value(text);
    if (read_text(dir + "/memory.max", text)) out.memory_max = procfs::parse_cgroup_value(text);
    if (read_text(dir + "/memory.events", text)) {
        out.memory_high_events = procfs::parse_keyed_value(text, "high").value_or(0);
        out.memory_max_events = procfs::parse_keyed_value(text, "max").value_or(0);
    }
    if (read_text(dir + "/io.max", text)) {
        std::string joined;
        for (const auto& l : procfs::non_empty_lines(text)) joined += (joined.empty() ? "" : "; ") + l;
        out.io_max = joined;
    }
    if (read_text(dir + "/memory.pressure", text)) out.memory_pressure_avg10 = procfs::parse_pressure_some_avg10(text);
    if (read_text(dir + "/io.pressure", text)) out.io_pressure_avg10 = procfs::parse_pressure_some_avg10(text);

    sys::UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        unreadable.push_back("cgroup " + dir + ": " + sys::errno_text(errno));
        return;
    }
    std::uint32_t count = 0;
    // Effective: a program on an ancestor applies here too.
    if (int err = sys::cgroup_prog_count(fd.get(), BPF_CGROUP_DEVICE, true, count))
        unreadable.push_back("device programs of cgroup " + dir + ": BPF_PROG_QUERY: " + sys::errno_text(err));
    else
        out.device_bpf = count > 0;
}

}  // namespace

CgroupFacts read_cgroup_facts(pid_t pid, std::vector<std::string>& unreadable) {
    CgroupFacts out;
    const std::string self = pid > 0 ? "/proc/" + std::to_string(pid) : "/proc/self";
    std::string text, mountinfo;
    if (!read_text(self + "/cgroup", text)) {
        unreadable.push_back(self + "/cgroup: unreadable");
        return out;
    }
    const auto lines = procfs::parse_proc_cgroup(text);
    if (!read_text("/proc/self/mountinfo", mountinfo)) unreadable.push_back("/proc/self/mountinfo: unreadable");
    // A v1 controller's directory of the subject, when that hierarchy is mounted here.
    auto v1_dir = [&](std::string_view controller) -> std::optional<std::string> {
        auto path = procfs::cgroup_path_v1(lines, controller);
        if (!path) return std::nullopt;
        auto mp = procfs::cgroup_mount_point(mountinfo, controller);
        if (!mp) {
            unreadable.push_back("the v1 " + std::string(controller) + " controller is not mounted in fdscope's mount namespace");
            return std::nullopt;
        }
        if (out.path.empty()) out.path = *path;
        out.known = true;
        return *mp + (*path == "/" ? "" : *path);
    };

    if (auto v2 = procfs::cgroup_path_v2(lines)) {
        out.path = *v2;
        out.known = true;
        if (auto mp = procfs::cgroup_mount_point(mountinfo, ""))
            read_v2(*mp + (*v2 == "/" ? "" : *v2), out, unreadable);
        else
            unreadable.push_back("cgroup2 is not mounted in fdscope's mount namespace");
    }
    if (auto dir = v1_dir("devices")) {
        if (read_text(*dir + "/devices.list", text)) {
            out.devices_v1 = true;
            out.devices_list = procfs::non_empty_lines(text);
            out.devices_path = procfs::cgroup_path_v1(lines, "devices").value_or("/");
            out.devices_dir = *dir;
        } else {
            unreadable.push_back(*dir + "/devices.list: unreadable");
        }
    }
    // Hybrid machines keep pids and memory on v1: the v2 files were absent.
    if (!out.pids_max)
        if (auto dir = v1_dir("pids")) {
            if (read_text(*dir + "/pids.max", text)) out.pids_max = procfs::parse_cgroup_value(text);
            if (read_text(*dir + "/pids.current", text)) out.pids_current = procfs::parse_cgroup_value(text);
        }
    if (!out.memory_max)
        if (auto dir = v1_dir("memory")) {
            if (read_text(*dir + "/memory.limit_in_bytes", text)) out.memory_max = v1_limit(procfs::parse_cgroup_value(text));
            if (read_text(*dir + "/memory.failcnt", text)) out.memory_max_events = procfs::parse_cgroup_value(text).value_or(0);
        }
    return out;
}

}  // namespace fdscope::why
