// The core of libfdscope-preload.so: the table (sys/preload_layout.hpp),
// the per-thread state, stack capture and interning, the recording of
// creations and closes, FDSCOPE_CLOEXEC, FDSCOPE_QUARANTINE and FDSCOPE_LOG.
// The wrappers (hooks.cpp) call into this.
//
// Everything here is async-signal-safe: no malloc, no locks, no stdio; the
// library's own system calls go through raw.hpp and never touch errno.
#pragma once

#include <cstdint>

#include "sys/preload_layout.hpp"

namespace fdscope::preload {

namespace layout = fdscope::sys::preload;

// Where a wrapper was called from: its return address (the first pc of the
// stack, in the program) and its frame address (where the frame-pointer walk
// starts). Taken in the exported wrapper itself, so the library's own
// frames never appear in a stack.
struct Caller {
    std::uintptr_t pc;
    std::uintptr_t fp;
};
#define FDSCOPE_CALLER()                                                                \
    ::fdscope::preload::Caller {                                                        \
        reinterpret_cast<std::uintptr_t>(__builtin_return_address(0)),                  \
            reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0))                \
    }

enum class CloexecMode : std::uint8_t { Off = 0, All = 1, Exec = 2 };
enum class StackMode : std::uint8_t { None = 0, Fp = 1, Libunwind = 2 };

// Per thread, initial-exec TLS (no __tls_get_addr, no allocation on first use).
struct ThreadState {
    int in_hook;       // a wrapper of this thread is running: nested calls only pass through
    int vforked;       // set by the vfork wrapper until the parent resumes (vfork.cpp)
    int resolving;     // inside dlsym(RTLD_NEXT): hooks fall back to raw syscalls
    int tid;           // gettid(), 0 = not cached yet (cleared in a fork child)
    int unwinding;     // inside unw_backtrace: a pipe made now is libunwind's own
};
extern thread_local ThreadState t_state __attribute__((tls_model("initial-exec")));

// Set once by the constructor, read by every hook.
struct Config {
    CloexecMode cloexec = CloexecMode::Off;
    StackMode stacks = StackMode::Fp;
    std::uint32_t depth = 16;
    std::uint32_t quarantine = 0;
    int dump_signal = 0;
    const char* report = nullptr;
    int keep_fds[64] = {};  // initialized: so Config is constant-initialized, not reset by a dynamic initializer after the constructor(101) read the environment
    int keep_count = 0;
};
extern Config g_config;
extern layout::TableHeader* g_table;  // null until the constructor made it (or when it could not)

// The RAII guard every wrapper body runs under. active() = record this call:
// the table exists, this thread is not already inside a hook (re-entrancy:
// libc or libunwind calling a wrapped function from inside a hook), and not
// a vfork child (which shares the parent's memory but not its fds).
class HookGuard {
public:
    HookGuard() noexcept;
    ~HookGuard() noexcept;
    HookGuard(const HookGuard&) = delete;
    HookGuard& operator=(const HookGuard&) = delete;
    bool active() const noexcept { return active_; }
    // Called by libunwind while this thread unwinds inside the library (not
    // merely nested: a signal handler's pipe() during a hook is the program's).
    bool unwinding() const noexcept { return unwinding_; }

private:
    bool active_;
    bool unwinding_;
};

// Saves errno at construction and puts it back at destruction: recording
// never changes what the program sees.
class ErrnoKeeper {
public:
    ErrnoKeeper() noexcept;
    ~ErrnoKeeper() noexcept;
    ErrnoKeeper(const ErrnoKeeper&) = delete;
    ErrnoKeeper& operator=(const ErrnoKeeper&) = delete;

private:
    int saved_;
};

// Resolves `name` in the next object (libc) with dlsym(RTLD_NEXT).
void* resolve(const char* name) noexcept;
template <class F>
F real_fn(F& slot, const char* name) noexcept {
    F f = __atomic_load_n(&slot, __ATOMIC_ACQUIRE);
    if (f == nullptr) {
        f = reinterpret_cast<F>(resolve(name));
        __atomic_store_n(&slot, f, __ATOMIC_RELEASE);
    }
    return f;
}

// ---- recording (callers hold an active HookGuard and an ErrnoKeeper)

// One creation stack, captured once per call (pipe's two fds share it).
layout::StackRef capture_stack(const Caller& c) noexcept;

struct Create {
    layout::CreateOp op;
    std::uint16_t flags;  // SlotFlag bits (kCloexec, kCloexecForced, kOwner*, kViaSyscall, ...)
    int open_flags;
    std::uint32_t detail;
    const char* name;     // path or null
};
void record_create(int fd, const Create& what, layout::StackRef stack) noexcept;
// Close of fd as the program's own close() would (before the real close).
void record_close(int fd, const Caller& c) noexcept;
// Closes recorded for every Open or Quarantined slot in [lo, hi].
void record_close_range(unsigned lo, unsigned hi, const Caller& c) noexcept;
// Slot flag edits (F_SETFD, FIOCLEX/FIONCLEX, CLOSE_RANGE_CLOEXEC).
void set_cloexec_flag(int fd, bool cloexec, bool deliberate) noexcept;
// Ownership: adds kOwnerFile/kOwnerDir to an fd's slot (fdopen, fdopendir),
// creating the slot when the library had not seen the fd.
void set_owner(int fd, std::uint16_t owner, layout::CreateOp op, const Caller& c) noexcept;
std::uint16_t slot_flags(int fd) noexcept;
std::uint8_t slot_state(int fd) noexcept;

// ---- close(): ownership check, quarantine; returns the close's result.
// `real_close` does the real close.
int close_fd(int fd, const Caller& c, int (*real_close)(int)) noexcept;
// dup2/dup3/fcntl onto `fd`: takes a quarantined number out of the ring,
// and gives up the library's own fds when the program overwrites them.
// Returns true when `fd` was quarantined (undo with requarantine on failure).
bool before_replace(int fd) noexcept;
void requarantine(int fd) noexcept;
// close_range: the real call, split around the library's own fds.
int close_range_fd(unsigned lo, unsigned hi, int flags, const Caller& c, int (*real)(unsigned, unsigned, int)) noexcept;
bool is_own_fd(int fd) noexcept;
// A pipe made by a nested call (libunwind's, for itself): moved high and
// kept as the library's own, so the program's numbers stay its own.
void adopt_library_pipe(int fds[2]) noexcept;

// ---- FDSCOPE_CLOEXEC
// Adds the _CLOEXEC flag `bit` to `flags` under FDSCOPE_CLOEXEC=1; true when it added it.
bool force_cloexec(int& flags, int bit) noexcept;
inline bool force_cloexec_enabled() noexcept { return g_config.cloexec == CloexecMode::All; }
// kCloexecForced on an fd's slot (FDSCOPE_CLOEXEC=1 set FD_CLOEXEC after the fact).
void mark_forced(int fd) noexcept;
// The path kept in fd's slot, NUL-terminated ("" when none): a dup's name.
void slot_name(int fd, char* out, unsigned cap) noexcept;
// FDSCOPE_CLOEXEC=1 log line for a flag the library added: "added FLAG to fd N from CALL("NAME")".
void log_forced(int fd, const char* flag, const char* call, const char* name) noexcept;
// FDSCOPE_CLOEXEC=exec at an exec, posix_spawn, popen or system: every fd >= 3
// not handed on gets FD_CLOEXEC. `envp` is the environment the new program gets
// (LISTEN_FDS is read there). In a vfork child it changes only the fds: the
// table in memory is the parent's.
void exec_policy(const char* call, const char* target, char* const* envp) noexcept;

// ---- exec environment: envp with LD_PRELOAD and FDSCOPE_* put back. Returns
// envp itself when nothing is missing, else a new array built in `storage`
// (see exec_env_size for how many bytes it needs).
unsigned long exec_env_size(char* const* envp) noexcept;
char* const* exec_env(char* const* envp, void* storage, unsigned long size) noexcept;

// ---- FDSCOPE_LOG: one line, written with one write(2).
void log_line(const char* text) noexcept;
bool logging() noexcept;

// ---- report (FDSCOPE_REPORT)
void report_now(bool signal) noexcept;

// Small formatting helpers for log lines (no stdio).
struct Line {
    char buf[600];
    unsigned len = 0;
    Line& s(const char* text) noexcept;
    Line& n(long value) noexcept;
    Line& quoted(const char* text) noexcept;  // "..." with control and non-ASCII bytes escaped
    const char* c_str() noexcept;
};
Line& line_start(Line& l) noexcept;  // "fdscope-preload[PID]: "

}  // namespace fdscope::preload
