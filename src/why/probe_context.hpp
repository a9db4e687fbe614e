// The subject's context as the probe child takes it on. Built in the parent
// (reading /proc, opening the fds, translating ids), entered in the forked
// child with system calls only: the parent may have threads, so the child
// neither allocates nor takes locks.
#pragma once
#include <linux/filter.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/why_facts.hpp"
#include "sys/capability_sets.hpp"
#include "sys/unique_fd.hpp"

namespace fdscope::why {

// The steps of entering, in order; a failed one is reported by name.
enum class ContextStep {
    None, Cgroup, Setns, Root, Cwd, Rlimit, Groups, Gids, KeepCaps, Uids, RaiseCaps, Fsgid, Fsuid,
    Bounding, Capabilities, Ambient, NoNewPrivs, FdTable, Seccomp,
};
const char* context_step_name(ContextStep step);

struct ChildContext {
    bool change_process = false;     // cgroups, namespaces, root and cwd (SubjectKind::Process)
    bool change_credentials = false; // ids, groups, capabilities, limits, no_new_privs, seccomp
    sys::UniqueFd pidfd, root, cwd;
    int setns_flags = 0;             // CLONE_NEW* to join (the ones that differ from ours)
    std::vector<std::string> cgroup_procs;  // cgroup.procs files the child writes "0" to
    std::string cwd_path;            // SubjectKind::User: the directory to start in ("" = stay)
    uid_t ruid = 0, euid = 0, suid = 0, fsuid = 0;  // as ids of the namespace joined
    gid_t rgid = 0, egid = 0, sgid = 0, fsgid = 0;
    std::vector<gid_t> groups;       // as gids of the caller's namespace
    bool groups_before_setns = false; // joining a user namespace: groups are set before the setns
    sys::CapabilitySets caps;
    std::uint64_t bounding = 0, ambient = 0;
    bool set_limits = false;
    std::uint64_t nofile_soft = 0, nofile_hard = 0, fsize_soft = 0, nproc_soft = 0;
    std::uint64_t fd_fill = 0;       // at its RLIMIT_NOFILE: an open's attempt holds fds 0..fd_fill-1 first
    bool no_new_privs = false;
    int seccomp_mode = 0;            // 1 strict, 2 the filters below
    std::vector<std::vector<sock_filter>> filters;  // oldest first
    std::string not_reproduced;      // what could not be copied, found while preparing
};

// Fills `out` for the subject: "" on success, else why the probe cannot be
// set up (then nothing may be tried).
std::string prepare_context(const Subject& subject, ChildContext& out);

// In the child, in three parts with the attempt's own preparations between
// them: its place (cgroups, namespaces, root, cwd; the groups too when a
// user namespace is joined) while still root, then its credentials
// (limits, groups, ids, capabilities, no_new_privs), then
// its seccomp filters, last. Each returns ContextStep::None, or the step
// that failed with its errno in `error`. A failed cgroup join is not fatal:
// `cgroup_failures` counts them (probed files are never devices, the one
// thing a cgroup decides for an open).
ContextStep enter_place(const ChildContext& context, int& error, int& cgroup_failures);
ContextStep enter_credentials(const ChildContext& context, int& error);
ContextStep enter_seccomp(const ChildContext& context, int& error);
// Before an open, after the credentials (their RLIMIT_NOFILE): copies of
// one eventfd in every free number below the subject's lowest free fd, so
// that an open meets EMFILE where the subject's would.
ContextStep fill_fd_table(const ChildContext& context, int& error);

// Maps a host id to the id it has inside a user namespace (its uid_map or
// gid_map lines); false when it is not mapped there.
bool id_inside(std::uint32_t host, const std::vector<IdMapExtent>& map, std::uint32_t& inside);

}  // namespace fdscope::why
