// The entry points of the layer rules, one group per part of the kernel.
// evaluate() (report/why/evaluate) calls them in the kernel's order for
// the operation and adds up the verdict. Each returns its checks in the
// order the kernel makes them; all are pure functions of the Facts.
#pragma once
#include <vector>

#include "report/why/check.hpp"

namespace fdscope::report::why {

// ---- the path walk and the object (path_rules.cpp and the files it uses:
// walk_rules, permission (mode/acl/capability), attribute, mount,
// sticky/protected, filesystem, busy for ETXTBSY and EBUSY).
// Open, Mkdir, Rmdir, Unlink, Rename, Link, Symlink, Exec, Chdir,
// BindUnix (filename_create + EADDRINUSE of an existing path) and
// ConnectUnix (write permission on the socket inode, ECONNREFUSED with no
// listener). Other operations: no checks.
std::vector<Check> path_operation_checks(const Facts& facts);

// ---- the process around the syscall (process_rules and the files it uses).
// seccomp: every syscall variant of the operation, per architecture.
std::vector<Check> seccomp_checks(const Facts& facts);
// limit: EMFILE/ENFILE before an open's walk; EAGAIN (RLIMIT_NPROC, pids.max) for exec.
std::vector<Check> limit_checks(const Facts& facts);
// space and quota of the filesystem an operation creates on (create, mkdir,
// symlink, link, bind unix). Writes: fd_checks.
std::vector<Check> space_checks(const Facts& facts);
// cgroup: the device controller for an open of a device node. The I/O
// notes for read/write come with fd_checks.
std::vector<Check> cgroup_checks(const Facts& facts);
// lsm: SELinux/AppArmor when active; Landlock, the BPF LSM and fanotify
// permission listeners as Unknown when they may apply.
std::vector<Check> lsm_checks(const Facts& facts);
// Op::BindInet: address, port floor and capability, who holds the address.
std::vector<Check> inet_bind_checks(const Facts& facts);
// Op::Read / Op::Write on an existing fd: the fd layer, then the file-level
// layers for its file (mount, quota, space, RLIMIT_FSIZE, cgroup notes).
std::vector<Check> fd_checks(const Facts& facts);

}  // namespace fdscope::report::why
