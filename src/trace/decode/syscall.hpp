// From one traced syscall (its number, arguments, return value and the
// memory they point at) to the fd lifecycle events it made. Pure: both
// engines call it, ptrace with the tracee's memory (process_vm_readv), BPF
// with the bytes its program copied at sys_exit; tests and the fuzzer with
// a buffer. Nothing here reads the kernel.
//
// The tables (which numbers make, close or re-flag fds, per ABI) are the
// one list of "fd syscalls": the ptrace engine's seccomp filter and the
// BPF engine's interest bitmap are built from traced_syscalls().
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/event.hpp"

namespace fdscope::trace {

// The syscall ABI of the stopped task (PTRACE_GET_SYSCALL_INFO's arch:
// AUDIT_ARCH_X86_64, AUDIT_ARCH_I386; x32 is x86_64 with __X32_SYSCALL_BIT).
enum class Abi : std::uint8_t { X86_64, I386, X32 };
std::optional<Abi> abi_from_audit_arch(std::uint32_t audit_arch, long nr);

// The tracee's memory, read after the call returned (arrays the kernel
// wrote, paths, msghdr and its control messages, clone3's clone_args,
// openat2's open_how). A read of an unmapped or short range fails (false /
// nullopt): the decoder then leaves that part out, never guesses.
class Memory {
public:
    virtual ~Memory() = default;
    virtual bool read(std::uint64_t addr, std::span<std::byte> out) = 0;
    // A NUL-terminated string of at most `max` bytes (without the NUL);
    // nullopt when unreadable; truncated strings come back cut, with
    // `truncated` set.
    virtual std::optional<std::string> read_string(std::uint64_t addr, std::size_t max, bool& truncated) = 0;
};

// What one syscall is to the tracker.
struct SyscallInfo {
    std::string_view name;  // "openat", as strace spells it
    // The ops it can make (fcntl: FcntlDupfd, FcntlDupfdCloexec, FcntlSetfd;
    // ioctl: IoctlCloexec, FdCreatingIoctl; bpf: Bpf); empty = none.
    std::vector<Op> ops;
    // Whether its exit must be seen: a creator needs the new number; a close
    // can do without when the fd is known open (see needs_exit()).
    bool exit_needed = true;
};

// nullopt for numbers that are not fd syscalls on that ABI.
std::optional<SyscallInfo> syscall_info(Abi abi, long nr);
std::string_view syscall_name(Abi abi, long nr);  // "" when unknown
// Every fd syscall number of the ABI, ascending (the seccomp filter's and
// the BPF interest bitmap's list): creators, closers, re-flaggers,
// fork/vfork/clone/clone3, execve/execveat, unshare, exit/exit_group not
// needed (ptrace and BPF see exits as events).
std::span<const long> traced_syscalls(Abi abi);

// What a syscall's decoding reads from memory, so that an engine that
// cannot read it later (BPF copies at sys_exit, into the event) knows what
// to copy. One entry per pointer argument the decoder follows.
enum class CaptureKind : std::uint8_t {
    String,      // a NUL-terminated path at args[arg] (up to `size` bytes)
    Bytes,       // `size` bytes at args[arg] (pipe's int[2], open_how, clone_args)
    MsgControl,  // args[arg] is a struct msghdr: it and its msg_control (up to `size` bytes)
    MmsgControl, // args[arg] is a struct mmsghdr array (vlen = args[2]): each msghdr's control
                 // (up to `size` bytes each), for the first kMaxMmsgMessages messages
    Clone3Pidfd, // args[arg] is struct clone_args (`size` bytes of it) and, with CLONE_PIDFD
                 // in its flags, the int the kernel wrote at its `pidfd` pointer
};
struct Capture {
    CaptureKind kind = CaptureKind::String;
    std::uint8_t arg = 0;
    std::uint16_t size = 0;
    // Copy at the call's entry, not its exit: execve's path lives in the
    // address space a successful exec has replaced by the time it returns.
    bool at_entry = false;
};
// recvmmsg: the control data of messages past this many is not read (their
// fds reach the model through reconciliation, as "origin unknown").
inline constexpr std::size_t kMaxMmsgMessages = 16;
std::span<const Capture> capture_plan(Abi abi, long nr);  // empty for calls that read nothing

struct SyscallCall {
    Abi abi = Abi::X86_64;
    long nr = -1;
    std::array<std::uint64_t, 6> args{};
    // The return value as the kernel gave it (-errno on failure); nullopt
    // when the exit was not seen (a close restarted without an exit stop:
    // decoded as a success, as the kernel releases an open fd anyway).
    std::optional<std::int64_t> ret;
};

// The events of one call, in the order they happened to the table; pid,
// tid, table, time and stack are left for the engine to fill (it knows
// them). Kind and name are what the call itself says (openat's path, the
// socket's family and type, "pipe", "eventfd"...); the engine may refine
// kind from the kernel (BPF reads the new file's inode mode). Failed calls
// give one event with `error` set (so the report can count EMFILE per
// site); calls that are not about fds (fcntl F_GETFL, an ioctl that makes
// no fd, a failed recvmsg, the child's return from fork) give none. Memory
// that cannot be read is left out, never guessed: the fds it would have
// named are -1 (with the call's success and return value kept), an
// unreadable path leaves `name` empty. Reads go only where capture_plan()
// says (anything else fails as unmapped memory would).
std::vector<FdEvent> decode(const SyscallCall& call, Memory& memory);

// Whether an engine must see this call's exit to decode it, given what it
// knows at entry: false for close(n) and close_range when `fd_known_open`
// says the number(s) are open (the kernel releases an open fd even when
// close fails with EINTR or EIO), true otherwise.
bool needs_exit(const SyscallCall& entry, bool fd_known_open);

}  // namespace fdscope::trace
