// The credentials of one task, from /proc/PID/task/TID/status: what the
// kernel checks a syscall of that thread against (creds are per thread).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fdscope::procfs {

struct Creds {
    char state = '?';            // "State:" letter (R, S, Z, ...)
    pid_t tgid = 0, pid = 0;
    uid_t ruid = 0, euid = 0, suid = 0, fsuid = 0;
    gid_t rgid = 0, egid = 0, sgid = 0, fsgid = 0;
    std::vector<gid_t> groups;
    std::uint64_t cap_inheritable = 0, cap_permitted = 0, cap_effective = 0;
    std::uint64_t cap_bounding = 0, cap_ambient = 0;
    bool no_new_privs = false;
    int seccomp_mode = 0;
    std::uint32_t seccomp_filters = 0;

    // Same credentials and filter count (what makes one thread's answer
    // another's); state and ids are not compared.
    bool same_creds(const Creds& o) const;
};

// nullopt unless the Uid, Gid, Tgid and Pid lines are there and well
// formed (a truncated read); the other fields keep their defaults when
// missing (older kernels print no CapAmb, Seccomp_filters, ...).
std::optional<Creds> parse_creds(std::string_view status);

}  // namespace fdscope::procfs
