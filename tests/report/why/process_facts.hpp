// Hand-built Facts for the process-rule tests (seccomp, limit, space,
// cgroup, lsm, inet bind, fd): an ordinary user's process and the pieces
// the rules read.
#pragma once
#include <sys/stat.h>

#include <cerrno>
#include <optional>
#include <string>

#include "model/why_facts.hpp"
#include "report/why/check.hpp"

namespace fdscope::report::why::testing {

using namespace fdscope::why;

// pid 4242 (app), uid/gid 1001, no capabilities, initial namespaces.
inline Facts user_process(Op op) {
    Facts f;
    f.operation.op = op;
    Subject& s = f.subject;
    s.kind = SubjectKind::Process;
    s.pid = s.tid = 4242;
    s.command = "app";
    s.user_name = "app";
    s.ruid = s.euid = s.suid = s.fsuid = 1001;
    s.rgid = s.egid = s.sgid = s.fsgid = 1001;
    s.groups = {1001};
    s.limits.known = true;
    s.fd_count = 10;
    s.user_ns = 4026531837;
    s.net_ns = 4026531840;
    s.cgroup = "/system.slice/app.service";
    f.sysctls.known = true;
    f.sysctls.file_nr = 2912;
    f.sysctls.file_max = 9223372036854775807ULL;
    f.lsm.active = {"lockdown", "capability", "landlock", "bpf"};
    return f;
}

inline Inode dir_inode(std::int32_t mount_id, std::uint32_t perm = 0755, uid_t uid = 0, gid_t gid = 0) {
    Inode i;
    i.mode = S_IFDIR | perm;
    i.uid = uid;
    i.gid = gid;
    i.mount_id = mount_id;
    return i;
}

// A complete walk to `path` whose last name is absent (ENOENT) in a
// directory on `mount_id`.
inline Walk absent_walk(const std::string& path, std::int32_t mount_id) {
    Walk w;
    w.path = path;
    w.complete = true;
    w.parent = dir_inode(mount_id, 01777);
    w.parent_path = path.substr(0, path.rfind('/'));
    Step last;
    last.path = path;
    last.name = path.substr(path.rfind('/') + 1);
    last.dir = w.parent;
    last.lookup_error = ENOENT;
    last.last = true;
    w.steps.push_back(last);
    return w;
}

inline MountFacts ext4_mount(std::int32_t id, const std::string& point) {
    MountFacts m;
    m.id = id;
    m.mount_point = point;
    m.fstype = "ext4";
    m.source = "/dev/loop0";
    m.space_known = true;
    m.block_size = 4096;
    m.blocks = 10000;
    m.blocks_free = m.blocks_avail = 5000;
    m.files = 2048;
    m.files_free = m.files_avail = 1000;
    return m;
}

inline Holder holder(pid_t pid, std::string command, int fd, std::string note = {}) {
    Holder h;
    h.pid = pid;
    h.command = std::move(command);
    h.fd = fd;
    h.note = std::move(note);
    return h;
}

// A copy of the first check of `layer` in `checks` (the checks are
// often a temporary), or none.
inline std::optional<Check> find_layer(const std::vector<Check>& checks, Layer layer) {
    for (const auto& c : checks)
        if (c.layer == layer) return c;
    return std::nullopt;
}

}  // namespace fdscope::report::why::testing
