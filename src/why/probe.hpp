// Asking the kernel itself: the operation tried for real, non-destructively,
// in the subject's context, so the static verdict (report/why) can be set
// beside what the kernel answers.
//
// probe() forks a single-threaded child that takes on as much of the
// subject as can be copied (its cgroups, user/mount/net namespaces, root and
// cwd, ids and groups, exact capability sets, rlimits, no_new_privs and
// seccomp filters, installed last) and makes one harmless attempt:
//   read / write   open O_RDONLY|O_NONBLOCK|O_NOCTTY (O_WRONLY without
//                  O_TRUNC), regular files only (directories too for read);
//   create         O_TMPFILE in the parent directory (leaves nothing);
//   mkdir          a random name beside the one asked about, then rmdir;
//   exec           execveat(AT_EXECVE_CHECK): the kernel's verdict, no exec;
//   chdir          chdir in the child;
//   everything else is not tried (a real connect is seen by the server's
//   accept, a real bind races the service, unlink/rename/link/symlink
//   change the tree, fd reads/writes move data).
// What a child cannot copy is said in not_reproduced: the Landlock domain,
// the LSM label, securebits, a seccomp supervisor (USER_NOTIF and TRACE
// filters answer ENOSYS without theirs), other threads' credentials.
//
// probe_in_target() gets the exact answer by making one thread of the
// process run the attempt itself through ptrace (see why/probe_in_target.cpp);
// it sees everything, Landlock and LSM labels included.
//
// Either never reports an errno it did not get from the kernel: when the
// context cannot be set up, ran is false and failure says why.
#pragma once
#include <string>

#include "model/why_facts.hpp"

namespace fdscope::why {

struct ProbeResult {
    bool ran = false;            // the kernel was asked
    int error = 0;               // ran, signal 0: its errno (0: allowed)
    int signal = 0;              // ran: the attempt was killed by this signal (SIGSYS: a seccomp KILL/TRAP)
    std::string how;             // "probe child as uid 65534 in pid 812's namespaces: openat(O_RDONLY|O_NONBLOCK|O_NOCTTY)"
    std::string not_reproduced;  // what the attempt did not copy, "; " between items ("" = nothing)
    std::string failure;         // !ran: why not (not probed for this operation, or the setup failed)
};

// In a child with the subject's context. For SubjectKind::Caller the child
// changes nothing; for User it takes the user's ids and groups in the
// caller's namespaces; for Process everything listed above.
ProbeResult probe(const Operation& operation, const Subject& subject);

// In one thread of the subject process (Subject::tid, else its pid), through
// ptrace. Root, SubjectKind::Process and x86_64 only. seccomp_allows: the
// static seccomp evaluation found that the attempt's syscalls (openat,
// close, mkdir and rmdir as glibc issues them, execveat, chdir, fchdir) are
// neither killed, trapped nor sent to a supervisor in that thread; without
// it nothing is tried (a KILL would kill the target, a USER_NOTIF would
// wait on its supervisor with the thread held).
ProbeResult probe_in_target(const Operation& operation, const Subject& subject, bool seccomp_allows);

}  // namespace fdscope::why
