// kcmp(2): whether two tasks share a kernel object, and an order on them.
#pragma once
#include <sys/types.h>

namespace fdscope::sys {

enum class KcmpResult { Equal, Less, Greater, Unknown, Denied };

// KCMP_FILE on (a, fa) and (b, fb): Unknown when an fd closed or a task
// exited since it was read; Denied when not permitted (ptrace rules) or kcmp
// is not built in.
KcmpResult kcmp_files(pid_t a, int fa, pid_t b, int fb);

// KCMP_FILES: whether two tasks share one fd table (threads do, unless one
// called unshare(CLONE_FILES)).
KcmpResult kcmp_fd_tables(pid_t a, pid_t b);

}  // namespace fdscope::sys
