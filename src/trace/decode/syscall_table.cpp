// The x86_64 fd syscalls: names, the ops each can make and what decoding
// reads. Numbers come from the kernel's <asm/unistd_64.h>. i386 and x32 are
// recognised (abi_from_audit_arch) but have no table: their structs
// (msghdr, cmsghdr) and socketcall multiplexing differ, and no engine
// traces them yet, so syscall_info() says nullopt for them.
#include <algorithm>
#include <asm/unistd.h>  // __X32_SYSCALL_BIT
#include <asm/unistd_64.h>
#include <linux/audit.h>
#include <vector>

#include "trace/decode/syscall.hpp"
#include "trace/decode/syscall_rows.hpp"

namespace fdscope::trace {
namespace {

constexpr std::uint16_t kPath = kPathCapture;
constexpr Capture kPathArg0[] = {{CaptureKind::String, 0, kPath, false}};
constexpr Capture kPathArg1[] = {{CaptureKind::String, 1, kPath, false}};
constexpr Capture kName0[] = {{CaptureKind::String, 0, kNameCapture, false}};
constexpr Capture kOpenat2[] = {{CaptureKind::String, 1, kPath, false}, {CaptureKind::Bytes, 2, 8, false}};
constexpr Capture kIntPair0[] = {{CaptureKind::Bytes, 0, 8, false}};
constexpr Capture kIntPair3[] = {{CaptureKind::Bytes, 3, 8, false}};
constexpr Capture kCloneParentTid[] = {{CaptureKind::Bytes, 2, 4, false}};
constexpr Capture kClone3[] = {{CaptureKind::Clone3Pidfd, 0, 16, false}};
constexpr Capture kIoUringParams[] = {{CaptureKind::Bytes, 1, 12, false}};
constexpr Capture kIoctlArg[] = {{CaptureKind::Bytes, 2, 8, false}};
constexpr Capture kMsg[] = {{CaptureKind::MsgControl, 1, kControlCapture, false}};
constexpr Capture kMmsg[] = {{CaptureKind::MmsgControl, 1, kControlCapture, false}};
constexpr Capture kExecve[] = {{CaptureKind::String, 0, kPath, true}};
constexpr Capture kExecveat[] = {{CaptureKind::String, 1, kPath, true}};

using O = Op;
// Sorted by number once, for the binary search and traced_syscalls().
const std::vector<SyscallRow>& rows() {
    static const std::vector<SyscallRow> table = [] {
        std::vector<SyscallRow> t = {
            {__NR_open, "open", {O::Open}, kPathArg0},
            {__NR_close, "close", {O::Close}, {}, false},
            {__NR_ioctl, "ioctl", {O::IoctlCloexec, O::FdCreatingIoctl}, kIoctlArg},
            {__NR_pipe, "pipe", {O::Pipe}, kIntPair0},
            {__NR_dup, "dup", {O::Dup}, {}},
            {__NR_dup2, "dup2", {O::Dup2}, {}},
            {__NR_socket, "socket", {O::Socket}, {}},
            {__NR_accept, "accept", {O::Accept}, {}},
            {__NR_recvmsg, "recvmsg", {O::RecvmsgRights}, kMsg},
            {__NR_socketpair, "socketpair", {O::Socketpair}, kIntPair3},
            {__NR_clone, "clone", {O::Clone, O::ClonePidfd}, kCloneParentTid},
            {__NR_fork, "fork", {O::Fork}, {}},
            {__NR_vfork, "vfork", {O::Vfork}, {}},
            {__NR_execve, "execve", {O::Execve}, kExecve},
            {__NR_fcntl, "fcntl", {O::FcntlDupfd, O::FcntlDupfdCloexec, O::FcntlSetfd}, {}},
            {__NR_creat, "creat", {O::Creat}, kPathArg0},
            {__NR_epoll_create, "epoll_create", {O::EpollCreate}, {}},
            {__NR_mq_open, "mq_open", {O::MqOpen}, kName0},
            {__NR_inotify_init, "inotify_init", {O::InotifyInit}, {}},
            {__NR_openat, "openat", {O::Openat}, kPathArg1},
            {__NR_unshare, "unshare", {O::Unshare}, {}},
            {__NR_signalfd, "signalfd", {O::Signalfd}, {}},
            {__NR_timerfd_create, "timerfd_create", {O::Timerfd}, {}},
            {__NR_eventfd, "eventfd", {O::Eventfd}, {}},
            {__NR_accept4, "accept4", {O::Accept4}, {}},
            {__NR_signalfd4, "signalfd4", {O::Signalfd}, {}},
            {__NR_eventfd2, "eventfd2", {O::Eventfd}, {}},
            {__NR_epoll_create1, "epoll_create1", {O::EpollCreate}, {}},
            {__NR_dup3, "dup3", {O::Dup3}, {}},
            {__NR_pipe2, "pipe2", {O::Pipe2}, kIntPair0},
            {__NR_inotify_init1, "inotify_init1", {O::InotifyInit}, {}},
            {__NR_perf_event_open, "perf_event_open", {O::PerfEventOpen}, {}},
            {__NR_recvmmsg, "recvmmsg", {O::RecvmsgRights}, kMmsg},
            {__NR_fanotify_init, "fanotify_init", {O::FanotifyInit}, {}},
            {__NR_open_by_handle_at, "open_by_handle_at", {O::OpenByHandleAt}, {}},
            {__NR_seccomp, "seccomp", {O::SeccompListener}, {}},
            {__NR_memfd_create, "memfd_create", {O::MemfdCreate}, kName0},
            {__NR_bpf, "bpf", {O::Bpf}, {}},
            {__NR_execveat, "execveat", {O::Execveat}, kExecveat},
            {__NR_userfaultfd, "userfaultfd", {O::Userfaultfd}, {}},
            {__NR_io_uring_setup, "io_uring_setup", {O::IoUringSetup}, kIoUringParams},
            {__NR_open_tree, "open_tree", {O::OpenTree}, kPathArg1},
            {__NR_fsopen, "fsopen", {O::Fsopen}, kName0},
            {__NR_fsmount, "fsmount", {O::Fsmount}, {}},
            {__NR_fspick, "fspick", {O::Fspick}, kPathArg1},
            {__NR_pidfd_open, "pidfd_open", {O::PidfdOpen}, {}},
            {__NR_clone3, "clone3", {O::Clone, O::ClonePidfd}, kClone3},
            {__NR_close_range, "close_range", {O::CloseRange}, {}, false},
            {__NR_openat2, "openat2", {O::Openat2}, kOpenat2},
            {__NR_pidfd_getfd, "pidfd_getfd", {O::PidfdGetfd}, {}},
            {__NR_landlock_create_ruleset, "landlock_create_ruleset", {O::LandlockCreateRuleset}, {}},
            {__NR_memfd_secret, "memfd_secret", {O::MemfdSecret}, {}},
        };
        std::sort(t.begin(), t.end(), [](const SyscallRow& a, const SyscallRow& b) { return a.nr < b.nr; });
        return t;
    }();
    return table;
}

const std::vector<long>& numbers() {
    static const std::vector<long> n = [] {
        std::vector<long> v;
        for (const auto& r : rows()) v.push_back(r.nr);
        return v;
    }();
    return n;
}

}  // namespace

const SyscallRow* syscall_row(Abi abi, long nr) {
    if (abi != Abi::X86_64) return nullptr;
    const auto& t = rows();
    auto it = std::lower_bound(t.begin(), t.end(), nr, [](const SyscallRow& r, long n) { return r.nr < n; });
    return it != t.end() && it->nr == nr ? &*it : nullptr;
}

std::optional<Abi> abi_from_audit_arch(std::uint32_t audit_arch, long nr) {
    if (audit_arch == AUDIT_ARCH_I386) return Abi::I386;
    if (audit_arch != AUDIT_ARCH_X86_64) return std::nullopt;
    return (nr >= 0 && (static_cast<unsigned long>(nr) & __X32_SYSCALL_BIT)) ? Abi::X32 : Abi::X86_64;
}

std::optional<SyscallInfo> syscall_info(Abi abi, long nr) {
    const SyscallRow* r = syscall_row(abi, nr);
    if (!r) return std::nullopt;
    return SyscallInfo{r->name, std::vector<Op>(r->ops.begin(), r->ops.end()), r->exit_needed};
}

std::string_view syscall_name(Abi abi, long nr) {
    const SyscallRow* r = syscall_row(abi, nr);
    return r ? r->name : std::string_view{};
}

std::span<const long> traced_syscalls(Abi abi) {
    if (abi != Abi::X86_64) return {};
    return numbers();
}

std::span<const Capture> capture_plan(Abi abi, long nr) {
    const SyscallRow* r = syscall_row(abi, nr);
    return r ? r->captures : std::span<const Capture>{};
}

}  // namespace fdscope::trace
