#include "why/cgroup_facts.hpp"

#include <fcntl.h>
#include <linux/bpf.h>
#include <unistd.h>

#include "procfs/parse_cgroup.hpp"
#include "procfs/parse_mountinfo.hpp"
#include "sys/bpf_prog_query.hpp"
#include "sys/errno_text.hpp"
#include "sys/proc_io.hpp"
#include "sys/unique_fd.hpp"

namespace fdscope::why {
namespace {

bool read_text(const std::string& path, std::string& text) {
    return sys::read_file_at(AT_FDCWD, path.c_str(), text, sys::ReadMode::Stream) == 0;
}

// The mount point (in our namespace) of the v1 hierarchy with the devices
// controller, or of cgroup2. A v1 hierarchy is known by its files: the
// superblock options naming the controller are not in parse_mountinfo.
std::string mount_point(const std::vector<Mount>& mounts, bool v2) {
    for (const auto& m : mounts) {
        if (v2 && m.fstype == "cgroup2" && m.root == "/") return m.mount_point;
        if (!v2 && m.fstype == "cgroup" && m.root == "/" && ::access((m.mount_point + "/devices.list").c_str(), F_OK) == 0)
            return m.mount_point;
    }
    return {};
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
    std::string text;
    if (!read_text(self + "/cgroup", text)) {
        unreadable.push_back(self + "/cgroup: unreadable");
        return out;
    }
    const auto lines = procfs::parse_proc_cgroup(text);
    std::vector<Mount> mounts;
    if (read_text("/proc/self/mountinfo", text)) mounts = procfs::parse_mountinfo(text);

    if (auto v2 = procfs::cgroup_path_v2(lines)) {
        out.path = *v2;
        out.known = true;
        const std::string mp = mount_point(mounts, true);
        if (mp.empty())
            unreadable.push_back("cgroup2 is not mounted in fdscope's mount namespace");
        else
            read_v2(mp + *v2, out, unreadable);
    }
    if (auto v1 = procfs::cgroup_path_v1(lines, "devices")) {
        if (out.path.empty()) out.path = *v1;
        out.known = true;
        const std::string mp = mount_point(mounts, false);
        if (mp.empty()) {
            unreadable.push_back("the v1 devices controller is not mounted in fdscope's mount namespace");
        } else if (read_text(mp + *v1 + "/devices.list", text)) {
            out.devices_list = procfs::non_empty_lines(text);
        } else {
            unreadable.push_back(mp + *v1 + "/devices.list: unreadable");
        }
    }
    return out;
}

}  // namespace fdscope::why
