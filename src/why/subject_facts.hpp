// Who asks: the subject whose credentials, namespaces and limits the
// checks use. The caller (fdscope itself), a fresh login of a user, or a
// running process (one of its threads: credentials are per thread).
#pragma once
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "model/why_facts.hpp"

namespace fdscope::why {

struct SubjectGather {
    std::optional<Subject> subject;      // unset: `error` says why, as the CLI prints it
    std::string error;                   // "no process 4242", "no user bob in the user database"
    std::vector<std::string> unreadable; // facts that could not be read (Facts::unreadable)
};

// fdscope itself: the process subject of its own pid, kind Caller.
SubjectGather caller_subject();

// A login of USER (a name or a number): uid, primary gid and the groups
// getgrouplist gives; no capabilities unless uid 0 (then the caller's
// bounding set, as a login root has); the initial user namespace, the
// caller's mount and network namespaces, no seccomp, root and cwd "/";
// the caller's rlimits (Limits::from_caller says so).
SubjectGather user_subject(const std::string& user);

// Process `pid`, with the credentials of thread `tid` (0: the leader, or
// a live thread when the leader has exited). Everything is read from
// /proc/PID/task/TID: status (ids, groups, capabilities, no_new_privs,
// seccomp), ns/{user,mnt,net}, uid_map/gid_map, cwd, root, cgroup,
// attr/current; rlimits with prlimit (else /proc/PID/limits); the fd
// count from the task's fd directory.
// threads_differ when another thread has other credentials or filters.
SubjectGather process_subject(pid_t pid, pid_t tid = 0);

// The inode number of the initial user namespace (PROC_USER_INIT_INO,
// include/linux/proc_ns.h): fixed since Linux 3.8.
inline constexpr std::uint64_t kInitUserNsInode = 0xEFFFFFFDu;

}  // namespace fdscope::why
