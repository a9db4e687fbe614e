// The syscall decoder on hand-built calls and memory: one kernel rule per test.
#include "trace/decode/syscall.hpp"

#include <algorithm>
#include <asm/unistd_64.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/bpf.h>
#include <linux/close_range.h>
#include <linux/kvm.h>
#include <linux/landlock.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <string>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>
#include <vector>

#include "trace/decode/captured_memory.hpp"

namespace fdscope::trace {
namespace {

constexpr std::uint64_t kPath = 0x10000;
constexpr std::uint64_t kArray = 0x20000;
constexpr std::uint64_t kStruct = 0x30000;
constexpr std::uint64_t kControl = 0x40000;
constexpr std::uint64_t kPidfd = 0x50000;

std::uint64_t u(long long v) { return static_cast<std::uint64_t>(v); }

SyscallCall call(long nr, std::array<std::uint64_t, 6> args, std::optional<std::int64_t> ret) {
    SyscallCall c;
    c.nr = nr;
    c.args = args;
    c.ret = ret;
    return c;
}

template <class T>
void put(CapturedMemory& m, std::uint64_t addr, const T& v) {
    m.add(addr, std::as_bytes(std::span(&v, 1)));
}

std::vector<FdEvent> decode_with(const SyscallCall& c, CapturedMemory& m) { return decode(c, m); }
std::vector<FdEvent> decode_bare(const SyscallCall& c) {
    CapturedMemory none;
    return decode(c, none);
}

FdEvent one(const SyscallCall& c, Memory& m) {
    auto ev = decode(c, m);
    EXPECT_EQ(ev.size(), 1u) << syscall_name(c.abi, c.nr);
    return ev.empty() ? FdEvent{} : ev.front();
}
FdEvent one(const SyscallCall& c) {
    CapturedMemory none;
    return one(c, none);
}

// --- the tables ---

TEST(SyscallTable, TracesEverySyscallTheIssueNames) {
    const char* names[] = {
        "open", "openat", "openat2", "creat", "socket", "socketpair", "accept", "accept4", "pipe", "pipe2",
        "dup", "dup2", "dup3", "fcntl", "eventfd", "eventfd2", "signalfd", "signalfd4", "timerfd_create",
        "epoll_create", "epoll_create1", "inotify_init", "inotify_init1", "fanotify_init", "memfd_create",
        "memfd_secret", "userfaultfd", "perf_event_open", "bpf", "io_uring_setup", "pidfd_open",
        "pidfd_getfd", "clone", "clone3", "open_by_handle_at", "open_tree", "fsopen", "fsmount", "fspick",
        "mq_open", "recvmsg", "recvmmsg", "seccomp", "landlock_create_ruleset", "close", "close_range",
        "ioctl", "fork", "vfork", "execve", "execveat", "unshare"};
    const auto traced = traced_syscalls(Abi::X86_64);
    for (const char* name : names) {
        const bool found = std::any_of(traced.begin(), traced.end(),
                                       [&](long nr) { return syscall_name(Abi::X86_64, nr) == name; });
        EXPECT_TRUE(found) << name;
    }
    EXPECT_EQ(traced.size(), std::size(names));
}

TEST(SyscallTable, NumbersAreTheKernelsAscending) {
    EXPECT_EQ(syscall_name(Abi::X86_64, __NR_openat), "openat");
    EXPECT_EQ(syscall_name(Abi::X86_64, __NR_close_range), "close_range");
    EXPECT_EQ(syscall_name(Abi::X86_64, __NR_getpid), "");
    const auto traced = traced_syscalls(Abi::X86_64);
    EXPECT_TRUE(std::is_sorted(traced.begin(), traced.end()));
    EXPECT_EQ(std::adjacent_find(traced.begin(), traced.end()), traced.end());
}

TEST(SyscallTable, InfoNamesOpsAndExit) {
    auto info = syscall_info(Abi::X86_64, __NR_fcntl);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->name, "fcntl");
    EXPECT_EQ(info->ops, (std::vector<Op>{Op::FcntlDupfd, Op::FcntlDupfdCloexec, Op::FcntlSetfd}));
    EXPECT_TRUE(info->exit_needed);
    EXPECT_FALSE(syscall_info(Abi::X86_64, __NR_close)->exit_needed);
    EXPECT_FALSE(syscall_info(Abi::X86_64, __NR_getpid));
    EXPECT_FALSE(syscall_info(Abi::X86_64, __NR_exit_group));
}

TEST(SyscallTable, OtherAbisAreRecognisedButNotDecoded) {
    EXPECT_EQ(abi_from_audit_arch(AUDIT_ARCH_X86_64, __NR_openat), Abi::X86_64);
    EXPECT_EQ(abi_from_audit_arch(AUDIT_ARCH_X86_64, 0x40000000 | 257), Abi::X32);
    EXPECT_EQ(abi_from_audit_arch(AUDIT_ARCH_I386, 5), Abi::I386);
    EXPECT_FALSE(abi_from_audit_arch(AUDIT_ARCH_AARCH64, 56));
    EXPECT_FALSE(syscall_info(Abi::I386, 5));
    EXPECT_TRUE(traced_syscalls(Abi::I386).empty());
    auto c = call(__NR_openat, {u(AT_FDCWD), kPath, O_RDONLY}, 3);
    c.abi = Abi::I386;
    EXPECT_TRUE(decode_bare(c).empty());
}

TEST(SyscallTable, CapturePlans) {
    auto plan = capture_plan(Abi::X86_64, __NR_openat);
    ASSERT_EQ(plan.size(), 1u);
    EXPECT_EQ(plan[0].kind, CaptureKind::String);
    EXPECT_EQ(plan[0].arg, 1);
    EXPECT_FALSE(plan[0].at_entry);
    plan = capture_plan(Abi::X86_64, __NR_pipe2);
    ASSERT_EQ(plan.size(), 1u);
    EXPECT_EQ(plan[0].kind, CaptureKind::Bytes);
    EXPECT_EQ(plan[0].size, 8);
    plan = capture_plan(Abi::X86_64, __NR_execve);
    ASSERT_EQ(plan.size(), 1u);
    EXPECT_TRUE(plan[0].at_entry);
    EXPECT_EQ(capture_plan(Abi::X86_64, __NR_recvmsg)[0].kind, CaptureKind::MsgControl);
    EXPECT_EQ(capture_plan(Abi::X86_64, __NR_recvmmsg)[0].kind, CaptureKind::MmsgControl);
    EXPECT_EQ(capture_plan(Abi::X86_64, __NR_clone3)[0].kind, CaptureKind::Clone3Pidfd);
    EXPECT_TRUE(capture_plan(Abi::X86_64, __NR_close).empty());
    EXPECT_TRUE(capture_plan(Abi::X86_64, __NR_getpid).empty());
}

// --- opens ---

TEST(Decode, OpenatNamesThePathAsPassed) {
    CapturedMemory m;
    m.add_string(kPath, "/var/log/app.log");
    auto e = one(call(__NR_openat, {u(AT_FDCWD), kPath, O_WRONLY | O_APPEND}, 7), m);
    EXPECT_EQ(e.op, Op::Openat);
    EXPECT_EQ(e.fd, 7);
    EXPECT_EQ(e.fd2, -1);
    EXPECT_EQ(e.result, 7);
    EXPECT_EQ(e.error, 0);
    EXPECT_EQ(e.flags, u(O_WRONLY | O_APPEND));
    EXPECT_FALSE(e.cloexec);
    EXPECT_EQ(e.kind, Kind::File);
    EXPECT_EQ(e.name, "/var/log/app.log");

    m.add_string(kPath, "rel/dir");
    e = one(call(__NR_openat, {3, kPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC}, 4), m);
    EXPECT_EQ(e.kind, Kind::Dir);
    EXPECT_TRUE(e.cloexec);
    EXPECT_EQ(e.name, "rel/dir");
}

TEST(Decode, FailedOpenKeepsThePathWithoutAnFd) {
    CapturedMemory m;
    m.add_string(kPath, "/nope");
    auto e = one(call(__NR_open, {kPath, O_RDONLY}, -ENOENT), m);
    EXPECT_EQ(e.op, Op::Open);
    EXPECT_EQ(e.fd, -1);
    EXPECT_EQ(e.error, ENOENT);
    EXPECT_EQ(e.result, 0);
    EXPECT_EQ(e.name, "/nope");
}

TEST(Decode, UnreadablePathLeavesTheNameEmpty) {
    auto e = one(call(__NR_open, {kPath, O_RDONLY | O_CLOEXEC}, 5));
    EXPECT_EQ(e.fd, 5);
    EXPECT_TRUE(e.cloexec);
    EXPECT_EQ(e.name, "");
}

TEST(Decode, Openat2TakesFlagsFromOpenHow) {
    CapturedMemory m;
    m.add_string(kPath, "/etc/hosts");
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC;
    put(m, kStruct, how);
    auto e = one(call(__NR_openat2, {u(AT_FDCWD), kPath, kStruct, sizeof how}, 9), m);
    EXPECT_EQ(e.op, Op::Openat2);
    EXPECT_EQ(e.flags, u(O_CLOEXEC));
    EXPECT_TRUE(e.cloexec);
    EXPECT_EQ(e.name, "/etc/hosts");
}

TEST(Decode, CreatIsNeverCloexec) {
    CapturedMemory m;
    m.add_string(kPath, "out.txt");
    auto e = one(call(__NR_creat, {kPath, 0644}, 3), m);
    EXPECT_EQ(e.op, Op::Creat);
    EXPECT_FALSE(e.cloexec);
    EXPECT_EQ(e.flags, 0u);
    EXPECT_EQ(e.name, "out.txt");
}

TEST(Decode, OtherOpeners) {
    CapturedMemory m;
    m.add_string(kPath, "/mnt");
    auto e = one(call(__NR_open_tree, {u(AT_FDCWD), kPath, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC}, 5), m);
    EXPECT_EQ(e.op, Op::OpenTree);
    EXPECT_TRUE(e.cloexec);
    EXPECT_EQ(e.name, "/mnt");
    e = one(call(__NR_fspick, {u(AT_FDCWD), kPath, 0}, 6), m);
    EXPECT_EQ(e.op, Op::Fspick);
    EXPECT_FALSE(e.cloexec);
    EXPECT_EQ(e.name, "/mnt");
    m.add_string(kPath, "tmpfs");
    e = one(call(__NR_fsopen, {kPath, FSOPEN_CLOEXEC}, 7), m);
    EXPECT_EQ(e.op, Op::Fsopen);
    EXPECT_TRUE(e.cloexec);
    EXPECT_EQ(e.name, "tmpfs");
    e = one(call(__NR_fsmount, {7, FSMOUNT_CLOEXEC, 0}, 8));
    EXPECT_EQ(e.op, Op::Fsmount);
    EXPECT_TRUE(e.cloexec);
    e = one(call(__NR_open_by_handle_at, {3, kStruct, O_RDONLY}, 9));
    EXPECT_EQ(e.op, Op::OpenByHandleAt);
    EXPECT_FALSE(e.cloexec);
    m.add_string(kPath, "/queue");
    e = one(call(__NR_mq_open, {kPath, O_RDWR | O_CREAT, 0600, 0}, 10), m);
    EXPECT_EQ(e.op, Op::MqOpen);
    EXPECT_TRUE(e.cloexec);  // the kernel always sets it
    EXPECT_EQ(e.name, "/queue");
}

// --- sockets ---

TEST(Decode, SocketKindFromFamilyAndType) {
    struct Case {
        int domain, type, protocol;
        Kind kind;
    } cases[] = {
        {AF_INET, SOCK_STREAM, 0, Kind::Tcp},      {AF_INET6, SOCK_STREAM, IPPROTO_TCP, Kind::Tcp6},
        {AF_INET, SOCK_DGRAM, 0, Kind::Udp},       {AF_INET6, SOCK_DGRAM, 0, Kind::Udp6},
        {AF_INET, SOCK_RAW, IPPROTO_ICMP, Kind::Raw}, {AF_INET6, SOCK_RAW, 58, Kind::Raw6},
        {AF_UNIX, SOCK_STREAM, 0, Kind::Unix},     {AF_UNIX, SOCK_DGRAM, 0, Kind::Unix},
        {AF_NETLINK, SOCK_RAW, 0, Kind::Netlink},  {AF_PACKET, SOCK_RAW, 0, Kind::Packet},
        {AF_INET, SOCK_STREAM, IPPROTO_SCTP, Kind::Socket}, {AF_VSOCK, SOCK_STREAM, 0, Kind::Socket},
    };
    for (const auto& k : cases) {
        auto e = one(call(__NR_socket, {u(k.domain), u(k.type), u(k.protocol)}, 3));
        EXPECT_EQ(e.kind, k.kind) << k.domain << " " << k.type;
        EXPECT_FALSE(e.cloexec);
    }
    auto e = one(call(__NR_socket, {AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0}, 3));
    EXPECT_EQ(e.kind, Kind::Tcp);
    EXPECT_TRUE(e.cloexec);
    EXPECT_EQ(e.flags, u(SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK));
    e = one(call(__NR_socket, {AF_INET, SOCK_STREAM, 0}, -EMFILE));
    EXPECT_EQ(e.fd, -1);
    EXPECT_EQ(e.error, EMFILE);
    EXPECT_EQ(e.kind, Kind::Tcp);
}

TEST(Decode, SocketpairReadsTheArrayAfterTheCall) {
    CapturedMemory m;
    put(m, kArray, std::array<std::int32_t, 2>{5, 6});
    auto e = one(call(__NR_socketpair, {AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, kArray}, 0), m);
    EXPECT_EQ(e.op, Op::Socketpair);
    EXPECT_EQ(e.fd, 5);
    EXPECT_EQ(e.fd2, 6);
    EXPECT_EQ(e.kind, Kind::Unix);
    EXPECT_TRUE(e.cloexec);
    e = one(call(__NR_socketpair, {AF_UNIX, SOCK_STREAM, 0, kArray}, -EMFILE), m);
    EXPECT_EQ(e.fd, -1);
    EXPECT_EQ(e.fd2, -1);
    EXPECT_EQ(e.error, EMFILE);
}

TEST(Decode, AcceptNamesTheListeningSocket) {
    auto e = one(call(__NR_accept, {3, 0, 0}, 7));
    EXPECT_EQ(e.op, Op::Accept);
    EXPECT_EQ(e.fd, 7);
    EXPECT_EQ(e.fd2, 3);
    EXPECT_EQ(e.kind, Kind::Socket);
    EXPECT_FALSE(e.cloexec);
    e = one(call(__NR_accept4, {3, 0, 0, SOCK_CLOEXEC}, 8));
    EXPECT_EQ(e.op, Op::Accept4);
    EXPECT_TRUE(e.cloexec);
    e = one(call(__NR_accept4, {3, 0, 0, SOCK_CLOEXEC}, -EAGAIN));
    EXPECT_EQ(e.fd, -1);
    EXPECT_EQ(e.fd2, 3);
    EXPECT_EQ(e.error, EAGAIN);
}

// --- pipes ---

TEST(Decode, PipeArrays) {
    CapturedMemory m;
    put(m, kArray, std::array<std::int32_t, 2>{3, 4});
    auto e = one(call(__NR_pipe, {kArray}, 0), m);
    EXPECT_EQ(e.op, Op::Pipe);
    EXPECT_EQ(e.fd, 3);
    EXPECT_EQ(e.fd2, 4);
    EXPECT_EQ(e.kind, Kind::Pipe);
    EXPECT_FALSE(e.cloexec);
    e = one(call(__NR_pipe2, {kArray, O_CLOEXEC | O_NONBLOCK}, 0), m);
    EXPECT_EQ(e.op, Op::Pipe2);
    EXPECT_TRUE(e.cloexec);
    EXPECT_EQ(e.flags, u(O_CLOEXEC | O_NONBLOCK));
}

TEST(Decode, UnreadablePipeArrayGivesNoNumbers) {
    auto e = one(call(__NR_pipe2, {kArray, 0}, 0));
    EXPECT_EQ(e.error, 0);
    EXPECT_EQ(e.fd, -1);
    EXPECT_EQ(e.fd2, -1);
    CapturedMemory half;
    put(half, kArray, std::int32_t{3});  // only 4 of the 8 bytes
    e = one(call(__NR_pipe2, {kArray, 0}, 0), half);
    EXPECT_EQ(e.fd, -1);
}

// --- duplicates ---

TEST(Decode, DupFamily) {
    auto e = one(call(__NR_dup, {3}, 4));
    EXPECT_EQ(e.op, Op::Dup);
    EXPECT_EQ(e.fd, 3);
    EXPECT_EQ(e.fd2, 4);
    EXPECT_FALSE(e.cloexec);
    e = one(call(__NR_dup2, {3, 1}, 1));
    EXPECT_EQ(e.op, Op::Dup2);
    EXPECT_EQ(e.fd, 3);
    EXPECT_EQ(e.fd2, 1);
    e = one(call(__NR_dup2, {9, 1}, -EBADF));
    EXPECT_EQ(e.error, EBADF);
    EXPECT_EQ(e.fd, 9);
    EXPECT_EQ(e.fd2, 1);  // the target is an argument
    e = one(call(__NR_dup3, {3, 10, O_CLOEXEC}, 10));
    EXPECT_EQ(e.op, Op::Dup3);
    EXPECT_TRUE(e.cloexec);
    e = one(call(__NR_dup, {3}, -EMFILE));
    EXPECT_EQ(e.fd, 3);
    EXPECT_EQ(e.fd2, -1);
}

TEST(Decode, FcntlSubcommands) {
    auto e = one(call(__NR_fcntl, {3, F_DUPFD, 10}, 10));
    EXPECT_EQ(e.op, Op::FcntlDupfd);
    EXPECT_EQ(e.fd, 3);
    EXPECT_EQ(e.fd2, 10);
    EXPECT_EQ(e.flags, 10u);
    EXPECT_FALSE(e.cloexec);
    e = one(call(__NR_fcntl, {3, F_DUPFD_CLOEXEC, 0}, 5));
    EXPECT_EQ(e.op, Op::FcntlDupfdCloexec);
    EXPECT_TRUE(e.cloexec);
    e = one(call(__NR_fcntl, {3, F_SETFD, FD_CLOEXEC}, 0));
    EXPECT_EQ(e.op, Op::FcntlSetfd);
    EXPECT_EQ(e.fd, 3);
    EXPECT_TRUE(e.cloexec);
    e = one(call(__NR_fcntl, {3, F_SETFD, 0}, 0));
    EXPECT_FALSE(e.cloexec);
    e = one(call(__NR_fcntl, {42, F_SETFD, FD_CLOEXEC}, -EBADF));
    EXPECT_EQ(e.error, EBADF);
    EXPECT_EQ(e.fd, 42);
    EXPECT_TRUE(decode_bare(call(__NR_fcntl, {3, F_GETFL, 0}, 2)).empty());
    EXPECT_TRUE(decode_bare(call(__NR_fcntl, {3, F_SETFL, O_NONBLOCK}, 0)).empty());
}

// --- anonymous-inode and special creators ---

TEST(Decode, CreatorsKindAndCloexecFlag) {
    struct Case {
        long nr;
        std::array<std::uint64_t, 6> plain, cloexec;
        Op op;
        Kind kind;
    } cases[] = {
        {__NR_eventfd2, {0, 0}, {0, EFD_CLOEXEC}, Op::Eventfd, Kind::Eventfd},
        {__NR_signalfd4, {u(-1), kStruct, 8, 0}, {u(-1), kStruct, 8, SFD_CLOEXEC}, Op::Signalfd, Kind::Signalfd},
        {__NR_timerfd_create, {CLOCK_MONOTONIC, 0}, {CLOCK_MONOTONIC, TFD_CLOEXEC}, Op::Timerfd, Kind::Timerfd},
        {__NR_epoll_create1, {0}, {EPOLL_CLOEXEC}, Op::EpollCreate, Kind::Epoll},
        {__NR_inotify_init1, {0}, {IN_CLOEXEC}, Op::InotifyInit, Kind::Inotify},
        {__NR_fanotify_init, {FAN_CLASS_NOTIF, O_RDONLY}, {FAN_CLASS_NOTIF | FAN_CLOEXEC, O_RDONLY},
         Op::FanotifyInit, Kind::Fanotify},
        {__NR_userfaultfd, {0}, {O_CLOEXEC}, Op::Userfaultfd, Kind::Userfaultfd},
        {__NR_memfd_secret, {0}, {O_CLOEXEC}, Op::MemfdSecret, Kind::Anon},
        {__NR_perf_event_open, {kStruct, 0, u(-1), u(-1), 0}, {kStruct, 0, u(-1), u(-1), PERF_FLAG_FD_CLOEXEC},
         Op::PerfEventOpen, Kind::PerfEvent},
    };
    for (const auto& k : cases) {
        auto e = one(call(k.nr, k.plain, 5));
        EXPECT_EQ(e.op, k.op) << syscall_name(Abi::X86_64, k.nr);
        EXPECT_EQ(e.kind, k.kind) << syscall_name(Abi::X86_64, k.nr);
        EXPECT_EQ(e.fd, 5);
        EXPECT_FALSE(e.cloexec) << syscall_name(Abi::X86_64, k.nr);
        e = one(call(k.nr, k.cloexec, 5));
        EXPECT_TRUE(e.cloexec) << syscall_name(Abi::X86_64, k.nr);
    }
    for (long nr : {__NR_eventfd, __NR_epoll_create, __NR_inotify_init}) {
        auto e = one(call(nr, {1}, 4));
        EXPECT_EQ(e.fd, 4);
        EXPECT_FALSE(e.cloexec);
    }
}

TEST(Decode, AlwaysCloexecCreators) {
    auto e = one(call(__NR_pidfd_open, {1234, 0}, 5));
    EXPECT_EQ(e.op, Op::PidfdOpen);
    EXPECT_EQ(e.kind, Kind::Pidfd);
    EXPECT_TRUE(e.cloexec);
    e = one(call(__NR_pidfd_getfd, {5, 3, 0}, 6));
    EXPECT_EQ(e.op, Op::PidfdGetfd);
    EXPECT_TRUE(e.cloexec);
    e = one(call(__NR_bpf, {BPF_MAP_CREATE, kStruct, 72}, 7));
    EXPECT_EQ(e.op, Op::Bpf);
    EXPECT_EQ(e.kind, Kind::BpfMap);
    EXPECT_TRUE(e.cloexec);
    EXPECT_EQ(one(call(__NR_bpf, {BPF_PROG_LOAD, kStruct, 72}, 8)).kind, Kind::BpfProg);
    EXPECT_EQ(one(call(__NR_bpf, {BPF_LINK_CREATE, kStruct, 72}, 8)).kind, Kind::BpfLink);
    EXPECT_TRUE(decode_bare(call(__NR_bpf, {BPF_MAP_LOOKUP_ELEM, kStruct, 72}, 0)).empty());
    e = one(call(__NR_landlock_create_ruleset, {kStruct, 16, 0}, 9));
    EXPECT_EQ(e.op, Op::LandlockCreateRuleset);
    EXPECT_TRUE(e.cloexec);
    EXPECT_TRUE(decode_bare(call(__NR_landlock_create_ruleset, {0, 0, LANDLOCK_CREATE_RULESET_VERSION}, 4)).empty());
    e = one(call(__NR_seccomp, {SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, kStruct}, 10));
    EXPECT_EQ(e.op, Op::SeccompListener);
    EXPECT_TRUE(e.cloexec);
    EXPECT_TRUE(decode_bare(call(__NR_seccomp, {SECCOMP_SET_MODE_FILTER, 0, kStruct}, 0)).empty());
}

TEST(Decode, SignalfdOnAnExistingFdCreatesNothing) {
    EXPECT_TRUE(decode_bare(call(__NR_signalfd4, {5, kStruct, 8, SFD_CLOEXEC}, 5)).empty());
    EXPECT_TRUE(decode_bare(call(__NR_signalfd, {5, kStruct, 8}, 5)).empty());
    EXPECT_EQ(one(call(__NR_signalfd, {u(-1), kStruct, 8}, 6)).fd, 6);
    // The kernel reads the fd as an int: 0xffffffff is -1 too.
    EXPECT_EQ(one(call(__NR_signalfd, {0xffffffffu, kStruct, 8}, 6)).fd, 6);
}

TEST(Decode, MemfdNamedAfterItsName) {
    CapturedMemory m;
    m.add_string(kPath, "jit-cache");
    auto e = one(call(__NR_memfd_create, {kPath, MFD_CLOEXEC | MFD_ALLOW_SEALING}, 4), m);
    EXPECT_EQ(e.op, Op::MemfdCreate);
    EXPECT_EQ(e.kind, Kind::Memfd);
    EXPECT_EQ(e.name, "memfd:jit-cache");
    EXPECT_TRUE(e.cloexec);
    EXPECT_EQ(one(call(__NR_memfd_create, {kPath, 0}, 4)).name, "");
}

TEST(Decode, IoUringRegisteredFdOnlyIsNoFd) {
    CapturedMemory m;
    put(m, kStruct, std::array<std::uint32_t, 3>{8, 16, 0});
    auto e = one(call(__NR_io_uring_setup, {8, kStruct}, 5), m);
    EXPECT_EQ(e.op, Op::IoUringSetup);
    EXPECT_EQ(e.kind, Kind::IoUring);
    EXPECT_EQ(e.fd, 5);
    EXPECT_TRUE(e.cloexec);
    put(m, kStruct, std::array<std::uint32_t, 3>{8, 16, 1u << 15});  // IORING_SETUP_REGISTERED_FD_ONLY
    EXPECT_TRUE(decode_with(call(__NR_io_uring_setup, {8, kStruct}, 0), m).empty());
    e = one(call(__NR_io_uring_setup, {8, kStruct}, 5));
    EXPECT_EQ(e.fd, -1);  // params unreadable: an fd or a ring index
    EXPECT_EQ(e.result, 5);
}

// --- ioctl ---

TEST(Decode, IoctlCloexecAndFdCreators) {
    auto e = one(call(__NR_ioctl, {3, FIOCLEX, 0}, 0));
    EXPECT_EQ(e.op, Op::IoctlCloexec);
    EXPECT_EQ(e.fd, 3);
    EXPECT_TRUE(e.cloexec);
    e = one(call(__NR_ioctl, {3, FIONCLEX, 0}, 0));
    EXPECT_FALSE(e.cloexec);
    e = one(call(__NR_ioctl, {5, KVM_CREATE_VM, 0}, 6));
    EXPECT_EQ(e.op, Op::FdCreatingIoctl);
    EXPECT_EQ(e.fd, 6);
    EXPECT_EQ(e.fd2, 5);
    EXPECT_EQ(e.flags, u(KVM_CREATE_VM));
    EXPECT_TRUE(e.cloexec);
    e = one(call(__NR_ioctl, {5, TIOCGPTPEER, O_RDWR | O_NOCTTY}, 7));
    EXPECT_EQ(e.kind, Kind::Chr);
    EXPECT_FALSE(e.cloexec);
    EXPECT_TRUE(one(call(__NR_ioctl, {5, TIOCGPTPEER, O_RDWR | O_CLOEXEC}, 7)).cloexec);
    EXPECT_TRUE(decode_bare(call(__NR_ioctl, {0, TCGETS, kStruct}, 0)).empty());
    EXPECT_TRUE(decode_bare(call(__NR_ioctl, {0, TCGETS, kStruct}, -ENOTTY)).empty());
    // The request is 32 bits; garbage above it does not matter.
    EXPECT_EQ(one(call(__NR_ioctl, {3, 0xdead00000000ull | FIOCLEX, 0}, 0)).op, Op::IoctlCloexec);
}

// --- closes ---

TEST(Decode, Close) {
    auto e = one(call(__NR_close, {7}, 0));
    EXPECT_EQ(e.op, Op::Close);
    EXPECT_EQ(e.fd, 7);
    EXPECT_EQ(e.error, 0);
    e = one(call(__NR_close, {7}, std::nullopt));  // exit not seen: released anyway
    EXPECT_EQ(e.fd, 7);
    EXPECT_EQ(e.error, 0);
    e = one(call(__NR_close, {9}, -EBADF));
    EXPECT_EQ(e.fd, 9);
    EXPECT_EQ(e.error, EBADF);
}

TEST(Decode, CloseRange) {
    auto e = one(call(__NR_close_range, {3, ~0u, CLOSE_RANGE_CLOEXEC}, 0));
    EXPECT_EQ(e.op, Op::CloseRange);
    EXPECT_EQ(e.fd, 3);
    EXPECT_EQ(e.fd2, -1);  // to the end
    EXPECT_TRUE(e.cloexec);
    EXPECT_EQ(e.flags, u(CLOSE_RANGE_CLOEXEC));
    e = one(call(__NR_close_range, {3, 10, 0}, 0));
    EXPECT_EQ(e.fd2, 10);
    EXPECT_FALSE(e.cloexec);
}

TEST(Decode, CallsThatNeedTheirExitGiveNothingWithoutIt) {
    EXPECT_TRUE(decode_bare(call(__NR_openat, {u(AT_FDCWD), kPath, 0}, std::nullopt)).empty());
    EXPECT_TRUE(decode_bare(call(__NR_pipe2, {kArray, 0}, std::nullopt)).empty());
}

TEST(Decode, NeedsExit) {
    EXPECT_FALSE(needs_exit(call(__NR_close, {7}, {}), true));
    EXPECT_TRUE(needs_exit(call(__NR_close, {7}, {}), false));
    EXPECT_FALSE(needs_exit(call(__NR_close_range, {3, ~0u, 0}, {}), true));
    EXPECT_TRUE(needs_exit(call(__NR_close_range, {3, ~0u, CLOSE_RANGE_UNSHARE}, {}), true));
    EXPECT_TRUE(needs_exit(call(__NR_close_range, {10, 3, 0}, {}), true));  // EINVAL
    EXPECT_TRUE(needs_exit(call(__NR_openat, {u(AT_FDCWD), kPath, 0}, {}), true));
    EXPECT_TRUE(needs_exit(call(__NR_fcntl, {3, F_DUPFD_CLOEXEC, 0}, {}), false));
    EXPECT_FALSE(needs_exit(call(__NR_fcntl, {3, F_GETFL, 0}, {}), false));
    EXPECT_TRUE(needs_exit(call(__NR_ioctl, {3, FIOCLEX, 0}, {}), false));
    EXPECT_FALSE(needs_exit(call(__NR_ioctl, {3, TCGETS, 0}, {}), false));
    EXPECT_FALSE(needs_exit(call(__NR_signalfd4, {3, 0, 8, 0}, {}), false));
    EXPECT_TRUE(needs_exit(call(__NR_signalfd4, {u(-1), 0, 8, 0}, {}), false));
    EXPECT_FALSE(needs_exit(call(__NR_unshare, {CLONE_NEWNS}, {}), false));
    EXPECT_TRUE(needs_exit(call(__NR_unshare, {CLONE_FILES}, {}), false));
    EXPECT_FALSE(needs_exit(call(__NR_bpf, {BPF_MAP_LOOKUP_ELEM, 0, 0}, {}), false));
    EXPECT_FALSE(needs_exit(call(__NR_getpid, {}, {}), false));
}

// --- processes ---

TEST(Decode, ForkAndClone) {
    auto e = one(call(__NR_fork, {}, 1235));
    EXPECT_EQ(e.op, Op::Fork);
    EXPECT_EQ(e.result, 1235);
    EXPECT_EQ(one(call(__NR_vfork, {}, 1236)).op, Op::Vfork);
    e = one(call(__NR_clone, {CLONE_VM | CLONE_FILES | SIGCHLD, 0, 0, 0, 0}, 1237));
    EXPECT_EQ(e.op, Op::Clone);
    EXPECT_EQ(e.flags, u(CLONE_VM | CLONE_FILES | SIGCHLD));
    EXPECT_TRUE(decode_bare(call(__NR_fork, {}, 0)).empty());  // the child's return
    e = one(call(__NR_fork, {}, -EAGAIN));
    EXPECT_EQ(e.error, EAGAIN);
}

TEST(Decode, ClonePidfdIsWrittenToMemory) {
    CapturedMemory m;
    put(m, kPidfd, std::int32_t{9});
    auto ev = decode_with(call(__NR_clone, {CLONE_PIDFD | SIGCHLD, 0, kPidfd, 0, 0}, 1300), m);
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[0].op, Op::Clone);
    EXPECT_EQ(ev[0].result, 1300);
    EXPECT_EQ(ev[1].op, Op::ClonePidfd);
    EXPECT_EQ(ev[1].fd, 9);
    EXPECT_EQ(ev[1].kind, Kind::Pidfd);
    EXPECT_TRUE(ev[1].cloexec);
    EXPECT_EQ(ev[1].result, 1300);

    clone_args args{};
    args.flags = CLONE_PIDFD | CLONE_VFORK | CLONE_VM;
    args.pidfd = kPidfd;
    put(m, kStruct, args);
    ev = decode_with(call(__NR_clone3, {kStruct, sizeof args}, 1301), m);
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[0].op, Op::Clone);
    EXPECT_EQ(ev[0].flags, args.flags);
    EXPECT_EQ(ev[1].fd, 9);
    ev = decode_bare(call(__NR_clone3, {kStruct, sizeof args}, 1301));
    ASSERT_EQ(ev.size(), 1u);  // clone_args unreadable: flags unknown
    EXPECT_EQ(ev[0].flags, 0u);
    ev = decode_with(call(__NR_clone, {CLONE_PIDFD | SIGCHLD, 0, kPidfd, 0, 0}, -ENOMEM), m);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].error, ENOMEM);
}

TEST(Decode, UnshareOnlyOfTheFileTable) {
    auto e = one(call(__NR_unshare, {CLONE_FILES | CLONE_NEWNS}, 0));
    EXPECT_EQ(e.op, Op::Unshare);
    EXPECT_EQ(e.flags, u(CLONE_FILES | CLONE_NEWNS));
    EXPECT_TRUE(decode_bare(call(__NR_unshare, {CLONE_NEWNS}, 0)).empty());
}

TEST(Decode, Exec) {
    CapturedMemory m;
    m.add_string(kPath, "/bin/sh");
    auto e = one(call(__NR_execve, {kPath, 0, 0}, 0), m);
    EXPECT_EQ(e.op, Op::Execve);
    EXPECT_EQ(e.name, "/bin/sh");
    e = one(call(__NR_execve, {kPath, 0, 0}, -ENOENT), m);
    EXPECT_EQ(e.error, ENOENT);
    EXPECT_EQ(e.name, "/bin/sh");
    e = one(call(__NR_execveat, {3, kPath, 0, 0, AT_EMPTY_PATH}, 0), m);
    EXPECT_EQ(e.op, Op::Execveat);
    EXPECT_EQ(e.flags, u(AT_EMPTY_PATH));
    EXPECT_EQ(e.name, "/bin/sh");
}

// --- SCM_RIGHTS ---

// Control data as the kernel lays it out: cmsgs at CMSG_ALIGN'ed offsets.
struct Control {
    std::vector<std::byte> bytes;
    void add(int level, int type, std::span<const std::int32_t> ints, std::size_t lie = 0) {
        const std::size_t len = CMSG_LEN(ints.size_bytes());
        const std::size_t at = bytes.size();
        bytes.resize(at + CMSG_SPACE(ints.size_bytes()));
        cmsghdr h{};
        h.cmsg_len = lie ? lie : len;
        h.cmsg_level = level;
        h.cmsg_type = type;
        std::memcpy(bytes.data() + at, &h, sizeof h);
        std::memcpy(bytes.data() + at + CMSG_LEN(0), ints.data(), ints.size_bytes());
    }
};

msghdr header(std::uint64_t control, std::size_t controllen, int flags = 0) {
    msghdr h{};
    h.msg_control = reinterpret_cast<void*>(control);
    h.msg_controllen = controllen;
    h.msg_flags = flags;
    return h;
}

TEST(DecodeRights, TwoCmsgsGiveOneEventPerFd) {
    Control ctl;
    const std::int32_t first[] = {5, 6};
    const std::int32_t creds[] = {1, 0, 0};  // SCM_CREDENTIALS in between: no fds
    const std::int32_t second[] = {7};
    ctl.add(SOL_SOCKET, SCM_RIGHTS, first);
    ctl.add(SOL_SOCKET, SCM_CREDENTIALS, creds);
    ctl.add(SOL_SOCKET, SCM_RIGHTS, second);
    CapturedMemory m;
    m.add(kControl, ctl.bytes);
    put(m, kStruct, header(kControl, ctl.bytes.size()));
    auto ev = decode_with(call(__NR_recvmsg, {4, kStruct, MSG_CMSG_CLOEXEC}, 24), m);
    ASSERT_EQ(ev.size(), 3u);
    const int want[] = {5, 6, 7};
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(ev[i].op, Op::RecvmsgRights);
        EXPECT_EQ(ev[i].fd, want[i]);
        EXPECT_EQ(ev[i].fd2, 4);
        EXPECT_TRUE(ev[i].cloexec);
        EXPECT_EQ(ev[i].flags, u(MSG_CMSG_CLOEXEC));
        EXPECT_EQ(ev[i].result, 24);
    }
    ev = decode_with(call(__NR_recvmsg, {4, kStruct, 0}, 24), m);
    ASSERT_EQ(ev.size(), 3u);
    EXPECT_FALSE(ev[0].cloexec);
}

// A msghdr at kStruct whose control data, at kControl, passes fd 5;
// `controllen` 0 says the control's true length.
CapturedMemory one_fd_message(std::size_t controllen, int msg_flags) {
    Control ctl;
    const std::int32_t fds[] = {5};
    ctl.add(SOL_SOCKET, SCM_RIGHTS, fds);
    CapturedMemory m;
    m.add(kControl, ctl.bytes);
    put(m, kStruct, header(kControl, controllen ? controllen : ctl.bytes.size(), msg_flags));
    return m;
}

TEST(DecodeRights, TruncationIsNoted) {
    CapturedMemory m = one_fd_message(0, MSG_CTRUNC);
    auto ev = decode_with(call(__NR_recvmsg, {4, kStruct, 0}, 1), m);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].flags, u(MSG_CTRUNC));
}

TEST(DecodeRights, NoControlNoEvents) {
    CapturedMemory m;
    put(m, kStruct, header(0, 0));
    EXPECT_TRUE(decode_with(call(__NR_recvmsg, {4, kStruct, 0}, 10), m).empty());
    EXPECT_TRUE(decode_with(call(__NR_recvmsg, {4, kStruct, 0}, -EAGAIN), m).empty());
    EXPECT_TRUE(decode_bare(call(__NR_recvmsg, {4, kStruct, 0}, 10)).empty());  // msghdr unreadable
}

TEST(DecodeRights, HostileHeadersAreBounded) {
    Control ctl;
    const std::int32_t fds[] = {5, 6};
    ctl.add(SOL_SOCKET, SCM_RIGHTS, fds);
    CapturedMemory m;
    m.add(kControl, ctl.bytes);
    // msg_controllen far beyond the copy: the read of the plan's size fails.
    put(m, kStruct, header(kControl, std::size_t{1} << 40));
    EXPECT_TRUE(decode_with(call(__NR_recvmsg, {4, kStruct, 0}, 1), m).empty());
    // A copy as large as the plan allows, with a cmsg_len that lies: the
    // fds inside the bytes read are taken, the walk stops there.
    std::vector<std::byte> big(capture_plan(Abi::X86_64, __NR_recvmsg)[0].size);
    Control liar;
    liar.add(SOL_SOCKET, SCM_RIGHTS, fds, std::size_t{1} << 40);
    std::memcpy(big.data(), liar.bytes.data(), liar.bytes.size());
    m.add(kControl, big);
    put(m, kStruct, header(kControl, std::size_t{1} << 40));
    auto ev = decode_with(call(__NR_recvmsg, {4, kStruct, 0}, 1), m);
    EXPECT_EQ(ev.size(), (big.size() - CMSG_LEN(0)) / 4);  // every int in the copy, once
    EXPECT_EQ(ev[0].fd, 5);
    // cmsg_len 0 and shorter than a header: nothing, and no endless loop.
    for (std::size_t lie : {std::size_t{1}, std::size_t{8}}) {
        Control bad;
        bad.add(SOL_SOCKET, SCM_RIGHTS, fds, lie);
        m.add(kControl, bad.bytes);
        put(m, kStruct, header(kControl, bad.bytes.size()));
        EXPECT_TRUE(decode_with(call(__NR_recvmsg, {4, kStruct, 0}, 1), m).empty()) << lie;
    }
    // msg_controllen shorter than the cmsg says: only whole ints inside it.
    m.add(kControl, ctl.bytes);
    put(m, kStruct, header(kControl, CMSG_LEN(4) + 2));
    ev = decode_with(call(__NR_recvmsg, {4, kStruct, 0}, 1), m);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].fd, 5);
}

TEST(DecodeRights, Recvmmsg) {
    Control a, b;
    const std::int32_t fa[] = {5};
    const std::int32_t fb[] = {6, 7};
    a.add(SOL_SOCKET, SCM_RIGHTS, fa);
    b.add(SOL_SOCKET, SCM_RIGHTS, fb);
    CapturedMemory m;
    m.add(kControl, a.bytes);
    m.add(kControl + 0x1000, b.bytes);
    std::array<mmsghdr, 3> vec{};
    vec[0].msg_hdr = header(kControl, a.bytes.size());
    vec[1].msg_hdr = header(kControl + 0x1000, b.bytes.size(), MSG_CTRUNC);
    vec[2].msg_hdr = header(kControl, a.bytes.size());  // not filled: ret says 2
    put(m, kStruct, vec);
    auto ev = decode_with(call(__NR_recvmmsg, {4, kStruct, 3, MSG_CMSG_CLOEXEC, 0}, 2), m);
    ASSERT_EQ(ev.size(), 3u);
    EXPECT_EQ(ev[0].fd, 5);
    EXPECT_EQ(ev[1].fd, 6);
    EXPECT_EQ(ev[2].fd, 7);
    EXPECT_EQ(ev[2].flags, u(MSG_CMSG_CLOEXEC | MSG_CTRUNC));
    EXPECT_TRUE(ev[0].cloexec);
    // A huge vlen and return value read no more than the plan's messages.
    // (the copy holds three headers: the third, fd 5, counts now).
    EXPECT_EQ(decode_with(call(__NR_recvmmsg, {4, kStruct, 1ull << 32, 0, 0}, 1 << 30), m).size(), 4u);
}

// --- the plan bounds every read ---

class RecordingMemory : public Memory {
public:
    explicit RecordingMemory(Memory& inner) : inner_(inner) {}
    bool read(std::uint64_t addr, std::span<std::byte> out) override {
        reads.push_back({addr, out.size()});
        return inner_.read(addr, out);
    }
    std::optional<std::string> read_string(std::uint64_t addr, std::size_t max, bool& truncated) override {
        strings.push_back({addr, max});
        return inner_.read_string(addr, max, truncated);
    }
    std::vector<std::pair<std::uint64_t, std::size_t>> reads, strings;

private:
    Memory& inner_;
};

TEST(Decode, ReadsOnlyWhatThePlanSays) {
    CapturedMemory m;
    m.add_string(kPath, "/x");
    put(m, kArray, std::array<std::int32_t, 2>{3, 4});
    // Every traced syscall, every pointer argument aimed at readable memory:
    // each read must be one the syscall's plan names.
    for (long nr : traced_syscalls(Abi::X86_64)) {
        if (nr == __NR_recvmsg || nr == __NR_recvmmsg || nr == __NR_clone3) continue;  // below
        RecordingMemory rec(m);
        for (std::uint64_t a : {kPath, kArray}) {
            rec.reads.clear();
            rec.strings.clear();
            auto c = call(nr, {a, a, a, a, a, a}, 3);
            (void)decode(c, rec);
            const auto plan = capture_plan(Abi::X86_64, nr);
            for (auto [addr, max] : rec.strings) {
                const bool planned = std::any_of(plan.begin(), plan.end(), [&](const Capture& p) {
                    return p.kind == CaptureKind::String && c.args[p.arg] == addr && max <= p.size;
                });
                EXPECT_TRUE(planned) << syscall_name(Abi::X86_64, nr);
            }
            for (auto [addr, size] : rec.reads) {
                const bool planned = std::any_of(plan.begin(), plan.end(), [&](const Capture& p) {
                    return p.kind == CaptureKind::Bytes && c.args[p.arg] == addr && size <= p.size;
                });
                EXPECT_TRUE(planned) << syscall_name(Abi::X86_64, nr);
            }
        }
    }
}

TEST(Decode, ReadsOfStructuresStayInsideThem) {
    CapturedMemory m = one_fd_message(1 << 20, 0);
    RecordingMemory rec(m);
    (void)decode(call(__NR_recvmsg, {4, kStruct, 0}, 1), rec);
    const auto cap = capture_plan(Abi::X86_64, __NR_recvmsg)[0].size;
    ASSERT_EQ(rec.reads.size(), 2u);
    EXPECT_EQ(rec.reads[0], (std::pair<std::uint64_t, std::size_t>{kStruct, sizeof(msghdr)}));
    EXPECT_EQ(rec.reads[1], (std::pair<std::uint64_t, std::size_t>{kControl, cap}));
}

// --- against the kernel: real calls of this process, its real memory ---

// This process's memory through process_vm_readv, as the ptrace engine reads a tracee's.
class OwnMemory : public Memory {
public:
    bool read(std::uint64_t addr, std::span<std::byte> out) override {
        iovec local{out.data(), out.size()};
        iovec remote{reinterpret_cast<void*>(addr), out.size()};
        return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == static_cast<ssize_t>(out.size());
    }
    std::optional<std::string> read_string(std::uint64_t addr, std::size_t max, bool& truncated) override {
        std::string s;
        truncated = false;
        for (std::size_t i = 0; i < max; ++i) {
            std::array<std::byte, 1> b{};
            if (!read(addr + i, b)) return std::nullopt;
            if (b[0] == std::byte{0}) return s;
            s += static_cast<char>(b[0]);
        }
        truncated = true;
        return s;
    }
};

std::uint64_t addr_of(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

TEST(DecodeLive, RealPipe2AndRecvmsgWithTwoFds) {
    OwnMemory self;
    int fds[2] = {-1, -1};
    const long r = syscall(__NR_pipe2, fds, O_CLOEXEC);
    ASSERT_EQ(r, 0);
    auto e = one(call(__NR_pipe2, {addr_of(fds), O_CLOEXEC}, r), self);
    EXPECT_EQ(e.fd, fds[0]);
    EXPECT_EQ(e.fd2, fds[1]);
    EXPECT_TRUE(e.cloexec);

    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    char byte = 'x';
    iovec iov{&byte, 1};
    alignas(cmsghdr) char space[CMSG_SPACE(2 * sizeof(int))] = {};
    msghdr out{};
    out.msg_iov = &iov;
    out.msg_iovlen = 1;
    out.msg_control = space;
    out.msg_controllen = sizeof space;
    cmsghdr* c = CMSG_FIRSTHDR(&out);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(2 * sizeof(int));
    std::memcpy(CMSG_DATA(c), fds, sizeof fds);
    ASSERT_EQ(sendmsg(sv[0], &out, 0), 1);

    char got = 0;
    iovec in_iov{&got, 1};
    alignas(cmsghdr) char in_space[256] = {};
    msghdr in{};
    in.msg_iov = &in_iov;
    in.msg_iovlen = 1;
    in.msg_control = in_space;
    in.msg_controllen = sizeof in_space;
    const long n = syscall(__NR_recvmsg, sv[1], &in, MSG_CMSG_CLOEXEC);
    ASSERT_EQ(n, 1);
    int received[2];
    std::memcpy(received, CMSG_DATA(CMSG_FIRSTHDR(&in)), sizeof received);
    auto ev = decode(call(__NR_recvmsg, {u(sv[1]), addr_of(&in), MSG_CMSG_CLOEXEC}, n), self);
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[0].fd, received[0]);
    EXPECT_EQ(ev[1].fd, received[1]);
    EXPECT_EQ(ev[0].fd2, sv[1]);
    EXPECT_TRUE(ev[0].cloexec);
    for (int fd : {fds[0], fds[1], sv[0], sv[1], received[0], received[1]}) close(fd);
}

// --- copied memory ---

TEST(CapturedMemory, EntryCopiesServeTheExit) {
    CapturedMemory old_image;  // the tracee at execve's entry
    old_image.add_string(kPath, "/bin/sh");
    CapturedMemory new_image;  // the same address after a successful exec
    new_image.add_string(kPath, "ld.so's data");
    put(new_image, kArray, std::array<std::int32_t, 2>{3, 4});
    auto c = call(__NR_execve, {kPath, 0, 0}, 0);
    CapturedMemory at_exit(&new_image);
    capture_entry(c, old_image, at_exit);
    EXPECT_EQ(one(c, at_exit).name, "/bin/sh");
    // Reads the entry did not copy go to the live tracee.
    EXPECT_EQ(one(call(__NR_pipe, {kArray}, 0), at_exit).fd2, 4);
    // Nothing of openat is read at entry.
    CapturedMemory none;
    capture_entry(call(__NR_openat, {u(AT_FDCWD), kPath, 0}, {}), old_image, none);
    bool truncated = false;
    EXPECT_FALSE(none.read_string(kPath, 100, truncated));
}

TEST(CapturedMemory, StringsInsideRanges) {
    CapturedMemory m;
    m.add(kPath, std::string_view("abc\0def", 7));
    bool truncated = true;
    EXPECT_EQ(m.read_string(kPath, 100, truncated), "abc");
    EXPECT_FALSE(truncated);
    EXPECT_EQ(m.read_string(kPath + 4, 2, truncated), "de");  // cut at max
    EXPECT_TRUE(truncated);
    EXPECT_FALSE(m.read_string(kPath + 4, 100, truncated));  // the copy ends first
    EXPECT_FALSE(m.read_string(kPath + 7, 100, truncated));
    EXPECT_FALSE(m.read_string(kPath - 1, 100, truncated));
    std::array<std::byte, 4> out{};
    EXPECT_TRUE(m.read(kPath + 3, out));
    EXPECT_FALSE(m.read(kPath + 4, out));
    EXPECT_FALSE(m.read(UINT64_MAX - 1, out));
}

}  // namespace
}  // namespace fdscope::trace
