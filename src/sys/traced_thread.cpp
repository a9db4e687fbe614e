#include "sys/traced_thread.hpp"

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace fdscope::sys {

#if defined(__x86_64__)

namespace {

constexpr std::uint64_t kRedZone = 128;  // the ABI's, below rsp, which leaf code may use
constexpr std::uint64_t kMargin = 128;   // and a little more
constexpr int kStuckMs = 5000;           // a syscall of ours taking longer is interrupted
constexpr int kSysSeccomp = 1;           // si_code of a seccomp TRAP's SIGSYS (SYS_SECCOMP)

std::string failed(const std::string& what) { return what + ": " + std::strerror(errno); }

bool read_memory(pid_t pid, std::uint64_t addr, void* out, std::size_t len) {
    iovec local{out, len};
    iovec remote{reinterpret_cast<void*>(addr), len};
    if (::process_vm_readv(pid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(len)) return true;
    // Code pages the thread may only execute are still readable to ptrace.
    auto* bytes = static_cast<unsigned char*>(out);
    for (std::size_t off = 0; off < len; off += sizeof(long)) {
        errno = 0;
        long word = ::ptrace(PTRACE_PEEKDATA, pid, reinterpret_cast<void*>(addr + off), nullptr);
        if (errno) return false;
        std::memcpy(bytes + off, &word, std::min(sizeof word, len - off));
    }
    return true;
}

bool write_memory(pid_t pid, std::uint64_t addr, const void* data, std::size_t len) {
    iovec local{const_cast<void*>(data), len};
    iovec remote{reinterpret_cast<void*>(addr), len};
    return ::process_vm_writev(pid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(len);
}

// A `syscall` instruction (0f 05) in the process's vDSO.
std::uint64_t vdso_syscall(pid_t pid) {
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    std::string line;
    while (std::getline(maps, line)) {
        if (line.find("[vdso]") == std::string::npos) continue;
        std::uint64_t start = 0, end = 0;
        char dash = 0;
        std::istringstream in(line);
        in >> std::hex >> start >> dash >> end;
        if (!in || end <= start || end - start > (1u << 20)) return 0;
        std::vector<unsigned char> code(end - start);
        if (!read_memory(pid, start, code.data(), code.size())) return 0;
        for (std::size_t i = 0; i + 1 < code.size(); ++i)
            if (code[i] == 0x0f && code[i + 1] == 0x05) return start + i;
        return 0;
    }
    return 0;
}

}  // namespace

struct TracedThread::State {
    pid_t pid = 0, tid = 0;
    bool attached = false;
    user_regs_struct saved{};
    std::uint64_t syscall_insn = 0;
    std::uint64_t scratch = 0;
    std::vector<unsigned char> scratch_saved;
    std::vector<siginfo_t> held;      // signals that arrived while we held the thread, in order
    bool in_signal_stop = false;      // the current stop is a signal-delivery-stop
    bool stuck = false;               // a wait had to interrupt the thread

    std::string drop_step_trap();

    // Waits for the next stop. Signals other than ours are held for later.
    // Waits for the next stop. A thread that does not stop within
    // kStuckMs (a syscall of ours waiting on a hung FUSE server or a
    // seccomp supervisor) is interrupted once; `stuck` then says so.
    std::string wait_stop(int& stop_signal, siginfo_t& info) {
        int status = 0;
        bool interrupted = false;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kStuckMs);
        long pause_us = 10;  // our syscalls take microseconds; a slow one is polled less often
        for (;;) {
            pid_t r = ::waitpid(tid, &status, __WALL | WNOHANG);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) return failed("waitpid");
            if (r > 0) break;
            if (std::chrono::steady_clock::now() >= deadline) {
                if (interrupted) return "the thread does not stop (uninterruptible in a syscall?)";
                ::ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
                interrupted = stuck = true;
                deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kStuckMs);
            }
            struct timespec pause{0, pause_us * 1000L};
            ::nanosleep(&pause, nullptr);
            pause_us = std::min(pause_us * 2, 1000L);
        }
        if (!WIFSTOPPED(status)) {
            attached = false;
            return "the thread ended while it was held";
        }
        in_signal_stop = (status >> 16) == 0;
        stop_signal = in_signal_stop ? WSTOPSIG(status) : 0;
        if (in_signal_stop && ::ptrace(PTRACE_GETSIGINFO, tid, nullptr, &info) < 0) return failed("PTRACE_GETSIGINFO");
        return "";
    }
};

// The syscall that hung answered our interrupt with -ERESTART*, and
// leaving it queued its single-step SIGTRAP, which would kill the thread
// once we are gone. Resuming with the registers of the syscall we found
// would restart ours; with the saved ones back, one more step takes the
// thread only as far as that SIGTRAP's stop (signals are taken before the
// return to user mode), where release() drops it.
std::string TracedThread::State::drop_step_trap() {
    if (::ptrace(PTRACE_SETREGS, tid, nullptr, &saved) < 0) return failed("PTRACE_SETREGS");
    for (;;) {
        if (::ptrace(PTRACE_SINGLESTEP, tid, nullptr, nullptr) < 0) return failed("PTRACE_SINGLESTEP");
        int sig = 0;
        siginfo_t info{};
        if (std::string why = wait_stop(sig, info); !why.empty()) return why;
        if (sig == SIGTRAP && info.si_code > 0) break;
        if (sig) held.push_back(info);
    }
    return "the syscall did not return within 5 s and was interrupted";
}

TracedThread::TracedThread() : state_(std::make_unique<State>()) {}

TracedThread::~TracedThread() {
    if (state_->attached) release();
}

bool TracedThread::attached() const { return state_->attached; }

std::string TracedThread::attach(pid_t pid, pid_t tid) {
    State& s = *state_;
    if (s.attached) return "already attached";
    s = State{};
    s.pid = pid;
    s.tid = tid;
    if (::ptrace(PTRACE_SEIZE, tid, nullptr, nullptr) < 0) return failed("PTRACE_SEIZE of thread " + std::to_string(tid));
    s.attached = true;
    if (::ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr) < 0) {
        std::string why = failed("PTRACE_INTERRUPT");
        release();
        return why;
    }
    int sig = 0;
    siginfo_t info{};
    if (std::string why = s.wait_stop(sig, info); !why.empty()) return why;
    // A signal dequeued as it stopped is the thread's: held, sent back at the end.
    if (sig) s.held.push_back(info);
    if (::ptrace(PTRACE_GETREGS, tid, nullptr, &s.saved) < 0) {
        std::string why = failed("PTRACE_GETREGS");
        release();
        return why;
    }
    // Stopped in or just after a syscall, the instruction before rip is it.
    if (static_cast<long long>(s.saved.orig_rax) >= 0) {
        unsigned char insn[2] = {};
        if (read_memory(pid, s.saved.rip - 2, insn, 2) && insn[0] == 0x0f && insn[1] == 0x05)
            s.syscall_insn = s.saved.rip - 2;
    }
    if (!s.syscall_insn) s.syscall_insn = vdso_syscall(pid);
    if (!s.syscall_insn) {
        release();
        return "no syscall instruction found in the thread (not in a syscall, no vDSO)";
    }
    return "";
}

std::uint64_t TracedThread::scratch_address(std::size_t len) const {
    return (state_->saved.rsp - kRedZone - kMargin - len) & ~std::uint64_t{15};
}

std::string TracedThread::stage(std::span<const unsigned char> data, std::uint64_t at) {
    State& s = *state_;
    if (!s.attached) return "not attached";
    if (s.scratch) return "scratch memory already in use";
    if (at != scratch_address(data.size())) return "scratch address not from scratch_address()";
    std::vector<unsigned char> original(data.size());
    if (!read_memory(s.pid, at, original.data(), original.size())) return failed("reading the thread's stack");
    if (!write_memory(s.pid, at, data.data(), data.size())) return failed("writing the thread's stack");
    s.scratch = at;
    s.scratch_saved = std::move(original);
    return "";
}

std::string TracedThread::run_syscall(long nr, const std::array<std::uint64_t, 6>& args, long& ret, bool& trapped) {
    State& s = *state_;
    if (!s.attached) return "not attached";
    trapped = false;
    user_regs_struct regs = s.saved;
    regs.rip = s.syscall_insn;
    regs.rax = static_cast<unsigned long long>(nr);
    regs.orig_rax = ~0ULL;  // not in a syscall: no restart logic applies to our registers
    regs.rdi = args[0];
    regs.rsi = args[1];
    regs.rdx = args[2];
    regs.r10 = args[3];
    regs.r8 = args[4];
    regs.r9 = args[5];
    if (::ptrace(PTRACE_SETREGS, s.tid, nullptr, &regs) < 0) return failed("PTRACE_SETREGS");
    for (;;) {
        if (::ptrace(PTRACE_SINGLESTEP, s.tid, nullptr, nullptr) < 0) return failed("PTRACE_SINGLESTEP");
        int sig = 0;
        siginfo_t info{};
        if (std::string why = s.wait_stop(sig, info); !why.empty()) return why;
        if (s.stuck) {
            if (sig) s.held.push_back(info);
            return s.drop_step_trap();
        }
        if (sig == 0) continue;  // an event stop (the interrupt, a group stop): step on
        user_regs_struct now{};
        if (::ptrace(PTRACE_GETREGS, s.tid, nullptr, &now) < 0) return failed("PTRACE_GETREGS");
        if (sig == SIGTRAP && now.rip == s.syscall_insn + 2 && info.si_code > 0) {
            ret = static_cast<long>(now.rax);
            return "";
        }
        if (sig == SIGSYS && info.si_code == kSysSeccomp) {
            trapped = true;  // ours: the thread never asked for it
            continue;
        }
        s.held.push_back(info);
    }
}

std::string TracedThread::release() {
    State& s = *state_;
    if (!s.attached) return "";
    std::string problem;
    if (s.scratch && !write_memory(s.pid, s.scratch, s.scratch_saved.data(), s.scratch_saved.size()))
        problem = failed("restoring the thread's stack");
    s.scratch = 0;
    if (::ptrace(PTRACE_SETREGS, s.tid, nullptr, &s.saved) < 0 && problem.empty()) problem = failed("restoring registers");
    // The first held signal rides on the detach when we are in a
    // signal-delivery-stop (it is then delivered as if never held); the
    // rest are queued again to the thread.
    std::size_t first = 0;
    int detach_signal = 0;
    if (!s.held.empty() && s.in_signal_stop &&
        ::ptrace(PTRACE_SETSIGINFO, s.tid, nullptr, &s.held.front()) == 0) {
        detach_signal = s.held.front().si_signo;
        first = 1;
    }
    for (std::size_t i = first; i < s.held.size(); ++i) ::syscall(SYS_tgkill, s.pid, s.tid, s.held[i].si_signo);
    s.held.clear();
    if (::ptrace(PTRACE_DETACH, s.tid, nullptr, reinterpret_cast<void*>(static_cast<long>(detach_signal))) < 0 &&
        problem.empty())
        problem = failed("PTRACE_DETACH");
    s.attached = false;
    return problem;
}

#else

struct TracedThread::State {};
TracedThread::TracedThread() : state_(std::make_unique<State>()) {}
TracedThread::~TracedThread() = default;
bool TracedThread::attached() const { return false; }
std::string TracedThread::attach(pid_t, pid_t) { return "running syscalls in another thread is written for x86_64 only"; }
std::uint64_t TracedThread::scratch_address(std::size_t) const { return 0; }
std::string TracedThread::stage(std::span<const unsigned char>, std::uint64_t) { return "not attached"; }
std::string TracedThread::run_syscall(long, const std::array<std::uint64_t, 6>&, long&, bool&) { return "not attached"; }
std::string TracedThread::release() { return ""; }

#endif

}  // namespace fdscope::sys
