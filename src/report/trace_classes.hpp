// `fdscope trace -e CLASS[,...]`: which events the live log prints. The
// bookkeeping always sees everything; this only filters what is shown.
//
//  open    every creator that is not a socket, pipe, dup or passed fd:
//          open/openat/openat2/creat/open_by_handle_at/open_tree/mq_open,
//          the anonymous-inode creators (eventfd, memfd, pidfd, bpf, ...),
//          fd-returning ioctls and clone's pidfd
//  socket  socket, socketpair, accept, accept4
//  pipe    pipe, pipe2
//  dup     dup, dup2, dup3, fcntl F_DUPFD/F_DUPFD_CLOEXEC
//  close   close, close_range, and the close-on-exec changes (fcntl
//          F_SETFD, ioctl FIOCLEX/FIONCLEX)
//  exec    the process and table lifecycle: fork, vfork, clone, unshare,
//          execve, execveat, exit
//  pass    fds arriving from another process: SCM_RIGHTS, pidfd_getfd
//  all     everything, with the reconciliation events (present, reconcile)
// Lost events belong to every class: a log that dropped events says so.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "model/event.hpp"

namespace fdscope::report {

enum class EventClass : std::uint8_t { Open, Socket, Pipe, Dup, Close, Exec, Pass, All };

std::optional<EventClass> event_class_from_name(std::string_view name);
std::string_view event_class_name(EventClass c);
bool in_class(Op op, EventClass c);

}  // namespace fdscope::report
