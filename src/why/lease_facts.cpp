#include "why/lease_facts.hpp"

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <string>

#include "procfs/parse_locks.hpp"
#include "procfs/parse_stat.hpp"
#include "procfs/parse_sysfs.hpp"
#include "sys/files.hpp"
#include "sys/proc_path.hpp"

namespace fdscope::why {
namespace {

std::string comm_of(pid_t pid) {
    std::string text;
    if (sys::read_all(("/proc/" + std::to_string(pid) + "/stat").c_str(), text) != 0) return {};
    const auto st = procfs::parse_stat(text);
    return st ? std::string(st->comm) : std::string();
}

}  // namespace

std::vector<Holder> lease_holders(std::uint64_t dev, std::uint64_t ino) {
    std::string text;
    if (sys::read_all("/proc/locks", text) != 0) return {};
    std::vector<Holder> out;
    const pid_t self = ::getpid();
    for (const auto& l : procfs::parse_locks(text)) {
        if (l.type != "LEASE" && l.type != "DELEG") continue;
        if (l.inode != ino || makedev(l.major, l.minor) != dev || l.pid == self) continue;
        Holder h;
        h.pid = l.pid;
        h.command = comm_of(l.pid);
        h.note = l.access == "WRITE" ? "write lease" : l.access == "READ" ? "read lease" : std::string(l.access) + " lease";
        out.push_back(std::move(h));
    }
    return out;
}

std::uint64_t lease_break_seconds() {
    std::string text;
    if (sys::read_all("/proc/sys/fs/lease-break-time", text) != 0) return 45;
    return procfs::parse_u64(text).value_or(45);
}

}  // namespace fdscope::why
