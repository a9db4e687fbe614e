// What `why read|write -p PID --fd N` needs of that fd: its open flags and
// mount (fdinfo), what it names (readlink), the inode behind it (fstat of a
// pidfd_getfd copy, never read or seeked: the copy shares the offset), and
// for a pipe or socket whether the other end is still there (a pipe with
// no reader left gives EPIPE, a socket whose peer closed too, an
// unconnected one ENOTCONN or EDESTADDRREQ).
#pragma once
#include <string>
#include <vector>

#include "model/why_facts.hpp"

namespace fdscope::why {

// Fd `fd` of subject.pid; what could not be read goes to `unreadable`.
// exists is false when the process has no such fd.
FdFacts read_fd_facts(const Subject& subject, int fd, std::vector<std::string>& unreadable);

}  // namespace fdscope::why
