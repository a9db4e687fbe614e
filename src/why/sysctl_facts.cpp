#include "why/sysctl_facts.hpp"

#include <cstdint>
#include <fmt/format.h>

#include "procfs/parse_sysfs.hpp"
#include "sys/errno_text.hpp"
#include "sys/files.hpp"

namespace fdscope::why {

namespace {

bool read_int(const char* path, int& out, std::vector<std::string>& unreadable) {
    std::string text;
    if (int err = sys::read_all(path, text)) {
        unreadable.push_back(fmt::format("{}: {}", path, sys::errno_text(err)));
        return false;
    }
    auto v = procfs::parse_u64(text);
    if (!v || *v > INT32_MAX) {
        unreadable.push_back(fmt::format("{}: not a number", path));
        return false;
    }
    out = static_cast<int>(*v);
    return true;
}

}  // namespace

Sysctls read_sysctls(std::vector<std::string>& unreadable) {
    Sysctls s;
    bool ok = read_int("/proc/sys/fs/protected_symlinks", s.protected_symlinks, unreadable);
    ok &= read_int("/proc/sys/fs/protected_hardlinks", s.protected_hardlinks, unreadable);
    ok &= read_int("/proc/sys/fs/protected_fifos", s.protected_fifos, unreadable);
    ok &= read_int("/proc/sys/fs/protected_regular", s.protected_regular, unreadable);
    // fdscope's own network namespace's floor: /proc/sys/net shows the
    // reader's netns. The subject's (read inside its netns) is the bind
    // gatherer's to set; this is the value when they share one.
    ok &= read_int("/proc/sys/net/ipv4/ip_unprivileged_port_start", s.ip_unprivileged_port_start, unreadable);
    std::string text;
    if (int err = sys::read_all("/proc/sys/fs/file-nr", text)) {
        unreadable.push_back(fmt::format("/proc/sys/fs/file-nr: {}", sys::errno_text(err)));
        ok = false;
    } else if (auto nr = procfs::parse_file_nr(text)) {
        s.file_nr = nr->allocated;
        s.file_max = nr->max;
    } else {
        unreadable.push_back("/proc/sys/fs/file-nr: not three numbers");
        ok = false;
    }
    // fs.file-max itself, in case file-nr's third field ever differs from it.
    std::string max_text;
    if (sys::read_all("/proc/sys/fs/file-max", max_text) == 0) {
        if (auto v = procfs::parse_u64(max_text)) s.file_max = *v;
    }
    s.known = ok;
    return s;
}

}  // namespace fdscope::why
