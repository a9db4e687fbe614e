// One fd lifecycle event, as every trace engine (BPF, ptrace, preload)
// produces it and every trace report consumes it. Plain data: the engines
// normalise what their syscall saw into these fields, the reports never
// look at raw syscall arguments again.
//
// Time is CLOCK_MONOTONIC in nanoseconds: the BPF engine's
// bpf_ktime_get_ns() is that clock, ptrace and the preload library read it
// with clock_gettime(), so events of all three engines (and of every CPU)
// sort on one axis; REALTIME would jump with NTP steps and settimeofday in
// the middle of a trace. Wall-clock times for display are the trace
// start's REALTIME plus the monotonic delta.
//
// The fd table is its own identity (FdTableId), not the pid: threads share
// one table, clone(CLONE_FILES) shares it between processes,
// unshare(CLONE_FILES) and an exec of a sharer split it, fork copies it.
// Engines map the kernel's `struct files_struct *` (BPF) or the clone
// flags they saw (ptrace, preload) to an opaque number; 0 means "unknown".
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/kind.hpp"

namespace fdscope {

using FdTableId = std::uint64_t;
// Index into a StackTable (model/stack.hpp); 0 is "no stack captured".
using StackId = std::uint32_t;
inline constexpr StackId kNoStack = 0;

// One value per fd syscall class of trace.md §1, plus the events an engine
// makes without a syscall of the traced task (Present, Lost).
//
// How fd and fd2 are filled, per group:
//  - creators: fd = the new fd; fd2 = the second new fd of pipe/pipe2/
//    socketpair (the write end, sv[1]), the listening socket of accept and
//    accept4, -1 otherwise;
//  - dup family: fd = the source (oldfd), fd2 = the new fd (the dup2/dup3
//    target, or what dup and F_DUPFD returned);
//  - close: fd; close_range: fd = first, fd2 = last (inclusive);
//  - recvmsg_rights: fd = the fd received, fd2 = the socket it came over;
//    `flags` = the recvmsg flags argument, with MSG_CTRUNC added when the
//    kernel truncated the control data (fds were dropped);
//  - FdCreatingIoctl: fd = the new fd, fd2 = the fd the ioctl ran on,
//    `flags` = the request;
//  - clone_pidfd: the pidfd clone/clone3 wrote (CLONE_PIDFD), right after
//    its Clone event, in the caller's table; `result` is the child's tid;
//  - failed calls: fields that come from arguments stay (close's fd, dup's
//    source, the dup2/dup3 target, accept's listening socket, the path in
//    `name`), the new fd(s) are -1;
//  - F_SETFD, FIOCLEX/FIONCLEX: fd, and `cloexec` is the new value;
//  - fork/vfork/clone: `result` is the child's tid, `new_table` the child's
//    table (== table when CLONE_FILES shared it);
//  - execve/execveat, unshare: `new_table` is the table after the call
//    (differs from `table` when a shared table was split).
enum class Op : std::uint8_t {
    // open family
    Open, Openat, Openat2, Creat, OpenByHandleAt, OpenTree, MqOpen,
    // sockets
    Socket, Socketpair, Accept, Accept4,
    // pipes
    Pipe, Pipe2,
    // duplicates
    Dup, Dup2, Dup3, FcntlDupfd, FcntlDupfdCloexec,
    // anonymous-inode and special creators
    Eventfd, Timerfd, Signalfd, EpollCreate, InotifyInit, FanotifyInit, MemfdCreate,
    MemfdSecret, PidfdOpen, PidfdGetfd, ClonePidfd, Userfaultfd, PerfEventOpen, IoUringSetup, Bpf,
    Fsopen, Fsmount, Fspick, LandlockCreateRuleset, SeccompListener,
    // fds that arrive inside memory or from a request: one event per fd
    // received over SCM_RIGHTS; ioctls that return an fd (KVM_CREATE_VM,
    // NS_GET_USERNS, TIOCGPTPEER, ...), `flags` holding the request
    RecvmsgRights, FdCreatingIoctl,
    // closers and re-flaggers
    Close, CloseRange, FcntlSetfd, IoctlCloexec,
    // process and table lifecycle
    Fork, Vfork, Clone, Unshare, Execve, Execveat, Exit,
    // no syscall of the task: an fd found open by reconciliation with the
    // kernel (at attach, after lost events) whose creation was not seen
    Present,
    // no syscall either: the engine read the kernel's fd table of `table`
    // (at start, at each exec, after lost events, at a task's exit while
    // its table still holds the fds). `result` Present events follow, one
    // per open fd, with kind, name and cloexec as the kernel has them: the
    // whole table, so an fd the ledger thinks open and the list lacks was
    // closed unseen (io_uring, a close the engine lost), and a listed fd it
    // does not know was created unseen ("origin unknown").
    Reconcile,
    // events the engine dropped (ring buffer full); `result` says how many
    Lost,
};
inline constexpr int kOpCount = static_cast<int>(Op::Lost) + 1;

// What an op does to the fd table, for the ledger and for filters.
enum class OpClass : std::uint8_t { Create, Duplicate, Close, Reflag, Process, Meta };

struct FdEvent {
    std::uint64_t time_ns = 0;  // CLOCK_MONOTONIC, see above
    std::int32_t pid = 0;       // thread-group id
    std::int32_t tid = 0;
    FdTableId table = 0;        // the table the op ran against
    FdTableId new_table = 0;    // fork/clone/exec/unshare: the table after (see Op)
    Op op = Op::Close;
    std::int32_t fd = -1;
    std::int32_t fd2 = -1;
    std::uint64_t flags = 0;    // the syscall's own flags argument, raw (O_*, SOCK_*, CLONE_*, ...)
    bool cloexec = false;       // creators and dups: the new fd(s) got FD_CLOEXEC; reflag: new value
    std::int64_t result = 0;    // the syscall's return value when it succeeded
    std::int32_t error = 0;     // errno when it failed, 0 on success
    Kind kind = Kind::Unknown;  // of the created fd(s)
    std::string name;           // path, address or description of the created fd; exec's file
    StackId stack = kNoStack;   // user stack at the call
};

// The JSON/text spelling: the syscall's name ("openat", "accept4"), with
// the command for the fcntl and ioctl rows ("fcntl_dupfd_cloexec",
// "ioctl_cloexec"); "present" and "lost" for the two non-syscall events.
std::string_view op_name(Op op);
std::optional<Op> op_from_name(std::string_view name);
OpClass op_class(Op op);

inline bool succeeded(const FdEvent& e) { return e.error == 0; }
// pipe, pipe2 and socketpair create fd and fd2.
inline bool creates_two(Op op) { return op == Op::Pipe || op == Op::Pipe2 || op == Op::Socketpair; }

}  // namespace fdscope
