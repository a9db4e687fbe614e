#include "sys/seccomp_dump.hpp"

#include <cerrno>
#include <csignal>
#include <linux/audit.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

namespace fdscope::sys {
namespace {

long trace(enum __ptrace_request req, pid_t tid, unsigned long addr, void* data) {
    return ::ptrace(req, tid, addr, data);
}

// Waits for the ptrace-stop. Returns 0 with the signal to hand back on
// detach (0 for our interrupt or a group-stop), or an errno.
int wait_for_stop(pid_t tid, int& reinject) {
    reinject = 0;
    for (;;) {
        int status = 0;
        pid_t r = ::waitpid(tid, &status, __WALL);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return errno;
        if (WIFEXITED(status) || WIFSIGNALED(status)) return ESRCH;
        if (!WIFSTOPPED(status)) continue;
        const int event = status >> 16;
        // PTRACE_EVENT_STOP: our interrupt (SIGTRAP) or a group-stop
        // (SIGSTOP and friends), nothing to hand back. No event: a signal
        // reached the thread first and waits in signal-delivery-stop; it is
        // delivered when we detach with it.
        if (event == 0) reinject = WSTOPSIG(status);
        return 0;
    }
}

int read_filters(pid_t tid, std::vector<std::vector<sock_filter>>& out) {
    for (unsigned long i = 0;; ++i) {
        long n = trace(PTRACE_SECCOMP_GET_FILTER, tid, i, nullptr);
        if (n < 0) return errno == ENOENT && i > 0 ? 0 : errno;
        std::vector<sock_filter> prog(static_cast<std::size_t>(n));
        long m = trace(PTRACE_SECCOMP_GET_FILTER, tid, i, prog.data());
        if (m < 0) return errno;
        prog.resize(static_cast<std::size_t>(m));
        out.push_back(std::move(prog));
    }
}

}  // namespace

SeccompDump dump_seccomp_filters(pid_t tid) {
    SeccompDump d;
    auto fail = [&d](SeccompDump::Step step, int err) {
        d.failed = step;
        d.err = err;
        d.filters.clear();
    };
    if (trace(PTRACE_SEIZE, tid, 0, nullptr) != 0) {
        fail(SeccompDump::Step::Seize, errno);
        return d;
    }
    if (trace(PTRACE_INTERRUPT, tid, 0, nullptr) != 0) {
        const int err = errno;
        // Seized but never stopped: only a stopped tracee can be detached,
        // and the thread (gone, as this error means) detaches itself.
        fail(SeccompDump::Step::Interrupt, err);
        return d;
    }
    int reinject = 0;
    if (int err = wait_for_stop(tid, reinject)) {
        fail(SeccompDump::Step::Wait, err);
        return d;
    }
    int err = read_filters(tid, d.filters);
    if (err) fail(SeccompDump::Step::GetFilter, err);
    if (trace(PTRACE_DETACH, tid, 0, reinterpret_cast<void*>(static_cast<long>(reinject))) != 0 && !err)
        fail(SeccompDump::Step::Detach, errno);
    return d;
}

const char* step_name(SeccompDump::Step step) {
    switch (step) {
        case SeccompDump::Step::Done: return "done";
        case SeccompDump::Step::Seize: return "PTRACE_SEIZE";
        case SeccompDump::Step::Interrupt: return "PTRACE_INTERRUPT";
        case SeccompDump::Step::Wait: return "waitpid";
        case SeccompDump::Step::GetFilter: return "PTRACE_SECCOMP_GET_FILTER";
        case SeccompDump::Step::Detach: return "PTRACE_DETACH";
    }
    return "?";
}

std::vector<std::uint32_t> machine_audit_arches() {
#if defined(__x86_64__)
    return {AUDIT_ARCH_X86_64, AUDIT_ARCH_I386};
#elif defined(__i386__)
    return {AUDIT_ARCH_I386};
#else
    return {};
#endif
}

}  // namespace fdscope::sys
