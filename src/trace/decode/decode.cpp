// decode() and needs_exit() for x86_64: what each fd syscall did to the
// table, from its arguments, its return value and the memory the capture
// plan names (trace.md §1 has the table of which fd lands where and which
// flag means close-on-exec).
//
// Memory that cannot be read is left out, never guessed: the fds it would
// have named are -1 (the event still says the call succeeded, `result`
// keeps its return value, and reconciliation finds the fds as "origin
// unknown"); a path that cannot be read leaves `name` empty; flags inside
// an unreadable struct (openat2's open_how, clone3's clone_args) are 0.
#include <asm/unistd_64.h>
#include <climits>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/landlock.h>
#include <linux/mount.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include "model/fd_requests.hpp"
#include "trace/decode/decode_rights.hpp"
#include "trace/decode/planned_memory.hpp"
#include "trace/decode/syscall.hpp"
#include "trace/decode/syscall_rows.hpp"

// linux/io_uring.h gained it in 6.5; older uapi headers lack it.
#ifndef IORING_SETUP_REGISTERED_FD_ONLY
#define IORING_SETUP_REGISTERED_FD_ONLY (1U << 15)
#endif

namespace fdscope::trace {
namespace {

// The kernel takes fd arguments as `int`: the low 32 bits of the register.
std::int32_t as_fd(std::uint64_t v) { return static_cast<std::int32_t>(static_cast<std::uint32_t>(v)); }

bool is_error(std::int64_t ret) { return ret < 0 && ret >= -4095; }

class Decoder {
public:
    Decoder(const SyscallCall& call, Memory& memory)
        : c_(call), mem_(call, memory), ret_(call.ret.value_or(0)), failed_(is_error(ret_)) {}

    std::vector<FdEvent> run();

private:
    const SyscallCall& c_;
    PlannedMemory mem_;
    std::int64_t ret_;
    bool failed_;
    std::vector<FdEvent> out_;

    std::uint64_t arg(unsigned i) const { return c_.args[i]; }
    std::int32_t new_fd() const { return failed_ ? -1 : static_cast<std::int32_t>(ret_); }

    FdEvent& emit(Op op, std::uint64_t flags = 0) {
        FdEvent& e = out_.emplace_back();
        e.op = op;
        e.flags = flags;
        if (failed_) e.error = static_cast<std::int32_t>(-ret_);
        else e.result = ret_;
        return e;
    }
    // A call that returns one new fd.
    FdEvent& create(Op op, Kind kind, bool cloexec, std::uint64_t flags = 0) {
        FdEvent& e = emit(op, flags);
        e.fd = new_fd();
        e.kind = kind;
        e.cloexec = cloexec;
        return e;
    }
    std::string path(unsigned i) {
        bool truncated = false;
        return mem_.string(i, truncated).value_or(std::string{});
    }

    void open(Op op, unsigned path_arg, std::uint64_t flags) {
        const Kind kind = (flags & O_DIRECTORY) ? Kind::Dir : Kind::File;
        create(op, kind, flags & O_CLOEXEC, flags).name = path(path_arg);
    }
    void pair(Op op, Kind kind, unsigned array_arg, std::uint64_t flags, bool cloexec);
    void dup(Op op, std::int32_t target, bool cloexec, std::uint64_t flags);
    void fcntl();
    void ioctl();
    void clone_pidfd(std::uint64_t flags, std::optional<std::int32_t> pidfd);
    void clone3();
    void io_uring_setup();
};

Kind socket_kind(std::uint64_t domain, std::uint64_t type_arg, std::uint64_t protocol) {
    const auto type = static_cast<int>(type_arg & 0xf);  // SOCK_TYPE_MASK
    const auto proto = static_cast<int>(protocol);
    switch (static_cast<int>(domain)) {
        case AF_UNIX: return Kind::Unix;
        case AF_NETLINK: return Kind::Netlink;
        case AF_PACKET: return Kind::Packet;
        case AF_INET:
        case AF_INET6: {
            const bool v6 = domain == AF_INET6;
            if (type == SOCK_STREAM && (proto == 0 || proto == IPPROTO_TCP)) return v6 ? Kind::Tcp6 : Kind::Tcp;
            if (type == SOCK_DGRAM && (proto == 0 || proto == IPPROTO_UDP)) return v6 ? Kind::Udp6 : Kind::Udp;
            if (type == SOCK_RAW) return v6 ? Kind::Raw6 : Kind::Raw;
            return Kind::Socket;
        }
        default: return Kind::Socket;
    }
}

void Decoder::pair(Op op, Kind kind, unsigned array_arg, std::uint64_t flags, bool cloexec) {
    FdEvent& e = emit(op, flags);
    e.kind = kind;
    e.cloexec = cloexec;
    if (failed_) return;
    if (auto fds = mem_.fixed<std::array<std::int32_t, 2>>(array_arg)) {
        e.fd = (*fds)[0];
        e.fd2 = (*fds)[1];
    }
}

void Decoder::dup(Op op, std::int32_t target, bool cloexec, std::uint64_t flags) {
    FdEvent& e = emit(op, flags);
    e.fd = as_fd(arg(0));
    e.fd2 = failed_ ? target : static_cast<std::int32_t>(ret_);
    e.cloexec = cloexec;
}

void Decoder::fcntl() {
    switch (static_cast<int>(arg(1))) {
        case F_DUPFD: return dup(Op::FcntlDupfd, -1, false, arg(2));
        case F_DUPFD_CLOEXEC: return dup(Op::FcntlDupfdCloexec, -1, true, arg(2));
        case F_SETFD: {
            FdEvent& e = emit(Op::FcntlSetfd, arg(2));
            e.fd = as_fd(arg(0));
            e.cloexec = arg(2) & FD_CLOEXEC;
            return;
        }
        default: return;
    }
}

void Decoder::ioctl() {
    const auto request = static_cast<std::uint32_t>(arg(1));
    if (request == FIOCLEX || request == FIONCLEX) {
        FdEvent& e = emit(Op::IoctlCloexec, request);
        e.fd = as_fd(arg(0));
        e.cloexec = request == FIOCLEX;
        return;
    }
    const FdIoctl* f = fd_ioctl(request);
    if (!f) return;
    bool cloexec = true;
    if (f->cloexec == IoctlCloexec::ArgOpenFlags) cloexec = arg(2) & O_CLOEXEC;
    if (f->cloexec == IoctlCloexec::ArgStructU32) {
        const auto words = mem_.fixed<std::array<std::uint32_t, 2>>(2);
        cloexec = words && ((*words)[f->flags_offset / 4] & f->flags_cloexec);
    }
    create(Op::FdCreatingIoctl, f->kind, cloexec, request).fd2 = as_fd(arg(0));
}

void Decoder::clone_pidfd(std::uint64_t flags, std::optional<std::int32_t> pidfd) {
    emit(Op::Clone, flags);
    if (failed_ || !(flags & CLONE_PIDFD)) return;
    FdEvent& p = emit(Op::ClonePidfd, flags);
    p.fd = pidfd.value_or(-1);
    p.kind = Kind::Pidfd;
    p.cloexec = true;
}

void Decoder::clone3() {
    std::uint64_t flags = 0;
    std::optional<std::int32_t> pidfd;
    if (auto head = mem_.at<std::array<std::uint64_t, 2>>(arg(0))) {  // clone_args.flags, .pidfd
        flags = (*head)[0];
        if (!failed_ && (flags & CLONE_PIDFD)) {
            mem_.allow((*head)[1], sizeof(std::int32_t));
            pidfd = mem_.at<std::int32_t>((*head)[1]);
        }
    }
    clone_pidfd(flags, pidfd);
}

void Decoder::io_uring_setup() {
    // struct io_uring_params: sq_entries, cq_entries, flags.
    const auto params = mem_.fixed<std::array<std::uint32_t, 3>>(1);
    const std::uint32_t flags = params ? (*params)[2] : 0;
    if (!failed_ && params && (flags & IORING_SETUP_REGISTERED_FD_ONLY)) return;  // a ring index, no fd
    FdEvent& e = create(Op::IoUringSetup, Kind::IoUring, true, flags);
    if (!params) e.fd = -1;  // cannot tell an fd from a registered ring index
}

std::vector<FdEvent> Decoder::run() {
    if (!c_.ret) {
        // Only a close restarted without its exit stop arrives without a
        // return value: the kernel released the fd whatever close returned.
        if (c_.nr != __NR_close && c_.nr != __NR_close_range) return {};
    }
    // The child's side of fork, vfork and clone returns 0: its parent's
    // call is the event.
    const bool spawn = c_.nr == __NR_fork || c_.nr == __NR_vfork || c_.nr == __NR_clone || c_.nr == __NR_clone3;
    if (spawn && c_.ret && *c_.ret == 0) return {};

    switch (c_.nr) {
        case __NR_open: open(Op::Open, 0, arg(1)); break;
        case __NR_openat: open(Op::Openat, 1, arg(2)); break;
        case __NR_openat2: open(Op::Openat2, 1, mem_.fixed<std::uint64_t>(2).value_or(0)); break;
        case __NR_creat: create(Op::Creat, Kind::File, false).name = path(0); break;
        case __NR_open_by_handle_at: create(Op::OpenByHandleAt, Kind::File, arg(2) & O_CLOEXEC, arg(2)); break;
        case __NR_open_tree:
            create(Op::OpenTree, Kind::Unknown, arg(2) & OPEN_TREE_CLOEXEC, arg(2)).name = path(1);
            break;
        case __NR_mq_open: create(Op::MqOpen, Kind::File, true, arg(1)).name = path(0); break;
        case __NR_socket:
            create(Op::Socket, socket_kind(arg(0), arg(1), arg(2)), arg(1) & SOCK_CLOEXEC, arg(1));
            break;
        case __NR_socketpair:
            pair(Op::Socketpair, socket_kind(arg(0), arg(1), arg(2)), 3, arg(1), arg(1) & SOCK_CLOEXEC);
            break;
        case __NR_accept: create(Op::Accept, Kind::Socket, false).fd2 = as_fd(arg(0)); break;
        case __NR_accept4:
            create(Op::Accept4, Kind::Socket, arg(3) & SOCK_CLOEXEC, arg(3)).fd2 = as_fd(arg(0));
            break;
        case __NR_pipe: pair(Op::Pipe, Kind::Pipe, 0, 0, false); break;
        case __NR_pipe2: pair(Op::Pipe2, Kind::Pipe, 0, arg(1), arg(1) & O_CLOEXEC); break;
        case __NR_dup: dup(Op::Dup, -1, false, 0); break;
        case __NR_dup2: dup(Op::Dup2, as_fd(arg(1)), false, 0); break;
        case __NR_dup3: dup(Op::Dup3, as_fd(arg(1)), arg(2) & O_CLOEXEC, arg(2)); break;
        case __NR_fcntl: fcntl(); break;
        case __NR_eventfd: create(Op::Eventfd, Kind::Eventfd, false); break;
        case __NR_eventfd2: create(Op::Eventfd, Kind::Eventfd, arg(1) & EFD_CLOEXEC, arg(1)); break;
        case __NR_signalfd:
            if (as_fd(arg(0)) == -1) create(Op::Signalfd, Kind::Signalfd, false);
            break;
        case __NR_signalfd4:
            if (as_fd(arg(0)) == -1) create(Op::Signalfd, Kind::Signalfd, arg(3) & SFD_CLOEXEC, arg(3));
            break;
        case __NR_timerfd_create: create(Op::Timerfd, Kind::Timerfd, arg(1) & TFD_CLOEXEC, arg(1)); break;
        case __NR_epoll_create: create(Op::EpollCreate, Kind::Epoll, false); break;
        case __NR_epoll_create1: create(Op::EpollCreate, Kind::Epoll, arg(0) & EPOLL_CLOEXEC, arg(0)); break;
        case __NR_inotify_init: create(Op::InotifyInit, Kind::Inotify, false); break;
        case __NR_inotify_init1: create(Op::InotifyInit, Kind::Inotify, arg(0) & IN_CLOEXEC, arg(0)); break;
        case __NR_fanotify_init: create(Op::FanotifyInit, Kind::Fanotify, arg(0) & FAN_CLOEXEC, arg(0)); break;
        case __NR_memfd_create: {
            bool truncated = false;
            auto name = mem_.string(0, truncated);
            create(Op::MemfdCreate, Kind::Memfd, arg(1) & MFD_CLOEXEC, arg(1)).name =
                name ? "memfd:" + *name : std::string{};
            break;
        }
        case __NR_memfd_secret: create(Op::MemfdSecret, Kind::Anon, arg(0) & O_CLOEXEC, arg(0)); break;
        case __NR_pidfd_open: create(Op::PidfdOpen, Kind::Pidfd, true, arg(1)); break;
        case __NR_pidfd_getfd: create(Op::PidfdGetfd, Kind::Unknown, true, arg(2)); break;
        case __NR_userfaultfd: create(Op::Userfaultfd, Kind::Userfaultfd, arg(0) & O_CLOEXEC, arg(0)); break;
        case __NR_perf_event_open:
            create(Op::PerfEventOpen, Kind::PerfEvent, arg(4) & PERF_FLAG_FD_CLOEXEC, arg(4));
            break;
        case __NR_io_uring_setup: io_uring_setup(); break;
        case __NR_bpf:
            if (const FdBpfCmd* b = fd_bpf_cmd(arg(0))) create(Op::Bpf, b->kind, true, arg(0));
            break;
        case __NR_fsopen: create(Op::Fsopen, Kind::Anon, arg(1) & FSOPEN_CLOEXEC, arg(1)).name = path(0); break;
        case __NR_fsmount: create(Op::Fsmount, Kind::Unknown, arg(1) & FSMOUNT_CLOEXEC, arg(1)); break;
        case __NR_fspick: create(Op::Fspick, Kind::Anon, arg(2) & FSPICK_CLOEXEC, arg(2)).name = path(1); break;
        case __NR_landlock_create_ruleset:
            if (!(arg(2) & LANDLOCK_CREATE_RULESET_VERSION))
                create(Op::LandlockCreateRuleset, Kind::Anon, true, arg(2));
            break;
        case __NR_seccomp:
            if (arg(0) == SECCOMP_SET_MODE_FILTER && (arg(1) & SECCOMP_FILTER_FLAG_NEW_LISTENER))
                create(Op::SeccompListener, Kind::Anon, true, arg(1));
            break;
        case __NR_recvmsg:
        case __NR_recvmmsg:
            if (!failed_) decode_rights(c_, ret_, mem_, out_);
            break;
        case __NR_ioctl: ioctl(); break;
        case __NR_close: emit(Op::Close).fd = as_fd(arg(0)); break;
        case __NR_close_range: {
            FdEvent& e = emit(Op::CloseRange, arg(2));
            e.fd = arg(0) > INT_MAX ? INT_MAX : static_cast<std::int32_t>(arg(0));
            e.fd2 = static_cast<std::uint32_t>(arg(1)) > INT_MAX ? -1 : static_cast<std::int32_t>(arg(1));
            e.cloexec = arg(2) & CLOSE_RANGE_CLOEXEC;
            break;
        }
        case __NR_fork: emit(Op::Fork); break;
        case __NR_vfork: emit(Op::Vfork); break;
        case __NR_clone: {
            std::optional<std::int32_t> pidfd;
            if (!failed_ && (arg(0) & CLONE_PIDFD)) pidfd = mem_.fixed<std::int32_t>(2);
            clone_pidfd(arg(0), pidfd);
            break;
        }
        case __NR_clone3: clone3(); break;
        case __NR_unshare:
            if (arg(0) & CLONE_FILES) emit(Op::Unshare, arg(0));
            break;
        case __NR_execve: emit(Op::Execve).name = path(0); break;
        case __NR_execveat: emit(Op::Execveat, arg(4)).name = path(1); break;
        default: break;
    }
    return std::move(out_);
}

}  // namespace

std::vector<FdEvent> decode(const SyscallCall& call, Memory& memory) {
    if (!syscall_row(call.abi, call.nr)) return {};
    return Decoder(call, memory).run();
}

bool needs_exit(const SyscallCall& c, bool fd_known_open) {
    if (!syscall_row(c.abi, c.nr)) return false;
    const auto& a = c.args;
    switch (c.nr) {
        case __NR_close: return !fd_known_open;
        case __NR_close_range: {
            const bool plain = static_cast<std::uint32_t>(a[0]) <= static_cast<std::uint32_t>(a[1]) &&
                               (a[2] & ~std::uint64_t{CLOSE_RANGE_CLOEXEC}) == 0;
            return !(plain && fd_known_open);
        }
        case __NR_fcntl: {
            const auto cmd = static_cast<int>(a[1]);
            return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC || cmd == F_SETFD;
        }
        case __NR_ioctl: {
            const auto request = static_cast<std::uint32_t>(a[1]);
            return request == FIOCLEX || request == FIONCLEX || fd_ioctl(request) != nullptr;
        }
        case __NR_signalfd:
        case __NR_signalfd4: return as_fd(a[0]) == -1;
        case __NR_unshare: return (a[0] & CLONE_FILES) != 0;
        case __NR_bpf: return fd_bpf_cmd(a[0]) != nullptr;
        case __NR_seccomp: return a[0] == SECCOMP_SET_MODE_FILTER && (a[1] & SECCOMP_FILTER_FLAG_NEW_LISTENER);
        case __NR_landlock_create_ruleset: return !(a[2] & LANDLOCK_CREATE_RULESET_VERSION);
        default: return true;
    }
}

}  // namespace fdscope::trace
