#include "render/flag_text.hpp"

#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/close_range.h>
#include <linux/io_uring.h>
#include <linux/mount.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/userfaultfd.h>
#include <span>
#include <string_view>
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

namespace fdscope::render {
namespace {

struct Bit {
    std::uint64_t mask;
    std::string_view name;
};
#define BIT(x) Bit{static_cast<std::uint64_t>(x), #x}

// Names of the bits set, in table order; a multi-bit entry (O_SYNC,
// O_TMPFILE) comes before the single bits it contains and takes them.
void append_bits(std::string& out, std::uint64_t flags, std::span<const Bit> bits) {
    for (const Bit& b : bits) {
        if (b.mask == 0 || (flags & b.mask) != b.mask) continue;
        if (!out.empty()) out += '|';
        out += b.name;
        flags &= ~b.mask;
    }
    if (flags) {
        if (!out.empty()) out += '|';
        out += fmt::format("{:#x}", flags);
    }
}

std::string bits_text(std::uint64_t flags, std::span<const Bit> bits) {
    std::string out;
    append_bits(out, flags, bits);
    return out.empty() ? "0" : out;
}

const Bit kOpenBits[] = {
    BIT(O_TMPFILE), BIT(O_SYNC),      BIT(O_CREAT),     BIT(O_EXCL),    BIT(O_NOCTTY),   BIT(O_TRUNC),
    BIT(O_APPEND),  BIT(O_NONBLOCK),  BIT(O_DSYNC),     BIT(O_ASYNC),   BIT(O_DIRECT),   BIT(O_DIRECTORY),
    BIT(O_NOFOLLOW), BIT(O_NOATIME),  BIT(O_CLOEXEC),   BIT(O_PATH),
};

std::string open_text(std::uint64_t flags) {
    std::string out;
    if (!(flags & O_PATH)) {
        switch (flags & O_ACCMODE) {
            case O_RDONLY: out = "O_RDONLY"; break;
            case O_WRONLY: out = "O_WRONLY"; break;
            case O_RDWR: out = "O_RDWR"; break;
            default: out = "O_ACCMODE"; break;
        }
        flags &= ~std::uint64_t{O_ACCMODE};
    }
    append_bits(out, flags, kOpenBits);
    return out;
}

const Bit kPipeBits[] = {BIT(O_CLOEXEC), BIT(O_NONBLOCK), BIT(O_DIRECT), BIT(O_EXCL)};
const Bit kSockBits[] = {BIT(SOCK_NONBLOCK), BIT(SOCK_CLOEXEC)};

std::string socket_text(std::uint64_t type) {
    std::string out;
    switch (type & 0xf) {  // SOCK_TYPE_MASK
        case SOCK_STREAM: out = "SOCK_STREAM"; break;
        case SOCK_DGRAM: out = "SOCK_DGRAM"; break;
        case SOCK_RAW: out = "SOCK_RAW"; break;
        case SOCK_RDM: out = "SOCK_RDM"; break;
        case SOCK_SEQPACKET: out = "SOCK_SEQPACKET"; break;
        case SOCK_DCCP: out = "SOCK_DCCP"; break;
        case SOCK_PACKET: out = "SOCK_PACKET"; break;
        default: out = fmt::format("{:#x}", type & 0xf); break;
    }
    append_bits(out, type & ~std::uint64_t{0xf}, kSockBits);
    return out;
}

const Bit kEventfdBits[] = {BIT(EFD_SEMAPHORE), BIT(EFD_CLOEXEC), BIT(EFD_NONBLOCK)};
const Bit kTimerfdBits[] = {BIT(TFD_CLOEXEC), BIT(TFD_NONBLOCK)};
const Bit kSignalfdBits[] = {BIT(SFD_CLOEXEC), BIT(SFD_NONBLOCK)};
const Bit kEpollBits[] = {BIT(EPOLL_CLOEXEC)};
const Bit kInotifyBits[] = {BIT(IN_CLOEXEC), BIT(IN_NONBLOCK)};
const Bit kFanotifyBits[] = {
    BIT(FAN_CLASS_PRE_CONTENT), BIT(FAN_CLASS_CONTENT),  BIT(FAN_CLOEXEC),        BIT(FAN_NONBLOCK),
    BIT(FAN_UNLIMITED_QUEUE),   BIT(FAN_UNLIMITED_MARKS), BIT(FAN_ENABLE_AUDIT),  BIT(FAN_REPORT_PIDFD),
    BIT(FAN_REPORT_TID),        BIT(FAN_REPORT_FID),      BIT(FAN_REPORT_DIR_FID), BIT(FAN_REPORT_NAME),
};
const Bit kMemfdBits[] = {BIT(MFD_CLOEXEC), BIT(MFD_ALLOW_SEALING), BIT(MFD_HUGETLB)};
const Bit kCloexecNonblock[] = {BIT(O_CLOEXEC), BIT(O_NONBLOCK), BIT(UFFD_USER_MODE_ONLY)};
const Bit kPidfdBits[] = {Bit{O_NONBLOCK, "PIDFD_NONBLOCK"}, Bit{O_EXCL, "PIDFD_THREAD"}};
const Bit kPerfBits[] = {BIT(PERF_FLAG_FD_NO_GROUP), BIT(PERF_FLAG_FD_OUTPUT), BIT(PERF_FLAG_PID_CGROUP),
                         BIT(PERF_FLAG_FD_CLOEXEC)};
const Bit kIoUringBits[] = {
    BIT(IORING_SETUP_IOPOLL),        BIT(IORING_SETUP_SQPOLL),         BIT(IORING_SETUP_SQ_AFF),
    BIT(IORING_SETUP_CQSIZE),        BIT(IORING_SETUP_CLAMP),          BIT(IORING_SETUP_ATTACH_WQ),
    BIT(IORING_SETUP_R_DISABLED),    BIT(IORING_SETUP_SUBMIT_ALL),     BIT(IORING_SETUP_COOP_TASKRUN),
    BIT(IORING_SETUP_TASKRUN_FLAG),  BIT(IORING_SETUP_SQE128),         BIT(IORING_SETUP_CQE32),
    BIT(IORING_SETUP_SINGLE_ISSUER), BIT(IORING_SETUP_DEFER_TASKRUN),
#ifdef IORING_SETUP_NO_MMAP
    BIT(IORING_SETUP_NO_MMAP),
#endif
};
const Bit kFsopenBits[] = {BIT(FSOPEN_CLOEXEC)};
const Bit kFsmountBits[] = {BIT(FSMOUNT_CLOEXEC)};
const Bit kFspickBits[] = {BIT(FSPICK_CLOEXEC), BIT(FSPICK_SYMLINK_NOFOLLOW), BIT(FSPICK_NO_AUTOMOUNT),
                           BIT(FSPICK_EMPTY_PATH)};
const Bit kOpenTreeBits[] = {BIT(OPEN_TREE_CLONE), BIT(OPEN_TREE_CLOEXEC), BIT(AT_EMPTY_PATH),
                             BIT(AT_NO_AUTOMOUNT), BIT(AT_RECURSIVE),      BIT(AT_SYMLINK_NOFOLLOW)};
const Bit kSeccompBits[] = {
    BIT(SECCOMP_FILTER_FLAG_TSYNC),        BIT(SECCOMP_FILTER_FLAG_LOG),         BIT(SECCOMP_FILTER_FLAG_SPEC_ALLOW),
    BIT(SECCOMP_FILTER_FLAG_NEW_LISTENER), BIT(SECCOMP_FILTER_FLAG_TSYNC_ESRCH),
    BIT(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV),
};
const Bit kMsgBits[] = {BIT(MSG_OOB),     BIT(MSG_PEEK),       BIT(MSG_CTRUNC),       BIT(MSG_TRUNC),
                        BIT(MSG_DONTWAIT), BIT(MSG_WAITALL),   BIT(MSG_NOSIGNAL),     BIT(MSG_ERRQUEUE),
                        BIT(MSG_WAITFORONE), BIT(MSG_CMSG_CLOEXEC)};
const Bit kCloseRangeBits[] = {BIT(CLOSE_RANGE_UNSHARE), BIT(CLOSE_RANGE_CLOEXEC)};
const Bit kExecveatBits[] = {BIT(AT_EMPTY_PATH), BIT(AT_SYMLINK_NOFOLLOW)};
const Bit kCloneBits[] = {
    BIT(CLONE_VM),       BIT(CLONE_FS),           BIT(CLONE_FILES),         BIT(CLONE_SIGHAND),
    BIT(CLONE_PIDFD),    BIT(CLONE_PTRACE),       BIT(CLONE_VFORK),         BIT(CLONE_PARENT),
    BIT(CLONE_THREAD),   BIT(CLONE_NEWNS),        BIT(CLONE_SYSVSEM),       BIT(CLONE_SETTLS),
    BIT(CLONE_PARENT_SETTID), BIT(CLONE_CHILD_CLEARTID), BIT(CLONE_DETACHED), BIT(CLONE_UNTRACED),
    BIT(CLONE_CHILD_SETTID), BIT(CLONE_NEWCGROUP), BIT(CLONE_NEWUTS),       BIT(CLONE_NEWIPC),
    BIT(CLONE_NEWUSER),  BIT(CLONE_NEWPID),       BIT(CLONE_NEWNET),        BIT(CLONE_IO),
    BIT(CLONE_CLEAR_SIGHAND), BIT(CLONE_INTO_CGROUP), BIT(CLONE_NEWTIME),
};

// clone's low byte is the exit signal (clone3's flags keep it clear but
// may hold CLONE_NEWTIME, 0x80, which is no signal number).
std::string clone_text(std::uint64_t flags, bool signal_byte) {
    std::string out;
    const auto low = static_cast<int>(flags & 0xff);
    const char* sig = signal_byte && low > 0 && low < 0x80 ? sigabbrev_np(low) : nullptr;
    if (sig) flags &= ~std::uint64_t{0xff};
    append_bits(out, flags, kCloneBits);
    if (sig) {
        if (!out.empty()) out += '|';
        out += "SIG";
        out += sig;
    }
    return out.empty() ? "0" : out;
}

std::string request_text(std::uint64_t request) {
    const auto cmd = static_cast<std::uint32_t>(request);
    if (cmd == FIOCLEX) return "FIOCLEX";
    if (cmd == FIONCLEX) return "FIONCLEX";
    if (const FdIoctl* f = fd_ioctl(cmd)) return std::string(f->name);
    return fmt::format("{:#x}", cmd);
}

}  // namespace

bool has_flags(Op op) {
    switch (op) {
        case Op::Creat:
        case Op::Accept:
        case Op::Pipe:
        case Op::Dup:
        case Op::Dup2:
        case Op::Close:
        case Op::Fork:
        case Op::Vfork:
        case Op::Execve:
        case Op::Exit:
        case Op::Present:
        case Op::Reconcile:
        case Op::Lost: return false;
        default: return true;
    }
}

std::string flags_text(Op op, std::uint64_t flags) {
    if (!has_flags(op)) return "";
    switch (op) {
        case Op::Open:
        case Op::Openat:
        case Op::Openat2:
        case Op::OpenByHandleAt:
        case Op::MqOpen: return open_text(flags);
        case Op::OpenTree: return bits_text(flags, kOpenTreeBits);
        case Op::Socket:
        case Op::Socketpair: return socket_text(flags);
        case Op::Accept4: return bits_text(flags, kSockBits);
        case Op::Pipe2:
        case Op::Dup3: return bits_text(flags, kPipeBits);
        case Op::FcntlDupfd:
        case Op::FcntlDupfdCloexec: return fmt::format("{}", flags);
        case Op::FcntlSetfd: return bits_text(flags, std::array{BIT(FD_CLOEXEC)});
        case Op::Eventfd: return bits_text(flags, kEventfdBits);
        case Op::Timerfd: return bits_text(flags, kTimerfdBits);
        case Op::Signalfd: return bits_text(flags, kSignalfdBits);
        case Op::EpollCreate: return bits_text(flags, kEpollBits);
        case Op::InotifyInit: return bits_text(flags, kInotifyBits);
        case Op::FanotifyInit: return bits_text(flags, kFanotifyBits);
        case Op::MemfdCreate: return bits_text(flags, kMemfdBits);
        case Op::MemfdSecret:
        case Op::Userfaultfd: return bits_text(flags, kCloexecNonblock);
        case Op::PidfdOpen: return bits_text(flags, kPidfdBits);
        case Op::PerfEventOpen: return bits_text(flags, kPerfBits);
        case Op::IoUringSetup: return bits_text(flags, kIoUringBits);
        case Op::Bpf: {
            const FdBpfCmd* b = fd_bpf_cmd(flags);
            return b ? std::string(b->name) : fmt::format("{}", flags);
        }
        case Op::Fsopen: return bits_text(flags, kFsopenBits);
        case Op::Fsmount: return bits_text(flags, kFsmountBits);
        case Op::Fspick: return bits_text(flags, kFspickBits);
        case Op::SeccompListener: return bits_text(flags, kSeccompBits);
        case Op::RecvmsgRights: return bits_text(flags, kMsgBits);
        case Op::FdCreatingIoctl:
        case Op::IoctlCloexec: return request_text(flags);
        case Op::CloseRange: return bits_text(flags, kCloseRangeBits);
        case Op::Execveat: return bits_text(flags, kExecveatBits);
        case Op::Clone:
        case Op::ClonePidfd: return clone_text(flags, true);
        case Op::Unshare: return clone_text(flags, false);
        default: return flags ? fmt::format("{:#x}", flags) : "0";
    }
}

}  // namespace fdscope::render
