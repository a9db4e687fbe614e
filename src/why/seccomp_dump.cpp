#include "why/seccomp_dump.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "procfs/parse_trace_status.hpp"
#include "sys/errno_text.hpp"
#include "sys/proc_io.hpp"

namespace fdscope::why {
namespace {

std::optional<procfs::TraceStatus> status_of(const std::string& path) {
    std::string text;
    if (sys::read_file_at(AT_FDCWD, path.c_str(), text, sys::ReadMode::SingleRecord) != 0) return std::nullopt;
    return procfs::parse_trace_status(text);
}

std::string thread_name(pid_t pid, pid_t tid) {
    return tid == pid ? "pid " + std::to_string(pid) : "thread " + std::to_string(tid) + " of pid " + std::to_string(pid);
}

}  // namespace

std::string dump_failure(pid_t tid, const sys::SeccompDump& dump) {
    const std::string who = "pid " + std::to_string(tid);
    const std::string step = sys::step_name(dump.failed);
    if (dump.err == ESRCH) return "cannot read: " + who + " exited";
    if (dump.failed == sys::SeccompDump::Step::Seize && dump.err == EPERM)
        return "cannot read: ptrace of " + who + " refused (already traced, or no CAP_SYS_PTRACE over it)";
    if (dump.failed == sys::SeccompDump::Step::GetFilter) {
        if (dump.err == EACCES) return "cannot read: fdscope lacks CAP_SYS_ADMIN or runs under seccomp";
        if (dump.err == EINVAL)
            return "cannot read: " + step + " refused (" + who +
                   " left filter mode, or the kernel lacks CONFIG_CHECKPOINT_RESTORE)";
        if (dump.err == EMEDIUMTYPE) return "cannot read: a filter of " + who + " is an eBPF program";
    }
    return "cannot read: " + step + " on " + who + ": " + sys::errno_text(dump.err);
}

SeccompFacts read_seccomp(pid_t pid, pid_t tid) {
    SeccompFacts out;
    const std::string who = thread_name(pid, tid);
    auto target = status_of("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/status");
    if (!target) {
        out.unreadable = "cannot read: " + who + " is gone or its status is unreadable";
        return out;
    }
    if (!target->has_seccomp || target->seccomp == 0) {
        out.filters.emplace();  // no filters (or a kernel without CONFIG_SECCOMP): nothing to dump
        return out;
    }
    if (target->seccomp == 1) {
        out.unreadable = who + " is in strict seccomp mode (only read, write, _exit and sigreturn)";
        return out;
    }
    if (auto self = status_of("/proc/thread-self/status"); self && self->seccomp != 0) {
        out.unreadable = "cannot read: fdscope runs under seccomp (the kernel hands filters only to an unconfined tracer)";
        return out;
    }
    if (target->tracer_pid != 0) {
        out.unreadable = "cannot read: " + who + " is traced by pid " + std::to_string(target->tracer_pid);
        return out;
    }
    if (target->state == 'D') {
        // Its stop would wait until it wakes: do not stall the answer on it.
        out.unreadable = "cannot read: " + who + " is in uninterruptible sleep";
        return out;
    }
    sys::SeccompDump dump = sys::dump_seccomp_filters(tid);
    if (dump.failed != sys::SeccompDump::Step::Done) {
        out.unreadable = dump_failure(tid, dump);
        // The usual EPERM: someone attached between the status read and ours.
        if (dump.failed == sys::SeccompDump::Step::Seize && dump.err == EPERM)
            if (auto again = status_of("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/status");
                again && again->tracer_pid != 0)
                out.unreadable = "cannot read: " + who + " is traced by pid " + std::to_string(again->tracer_pid);
        return out;
    }
    out.filters = std::move(dump.filters);
    return out;
}

void gather_seccomp(Subject& subject) {
    subject.audit_arches = sys::machine_audit_arches();
    if (subject.kind != SubjectKind::Process || subject.pid <= 0) {
        subject.seccomp_filters.emplace();  // a fresh login or fdscope itself: no filters are inherited here
        if (subject.kind == SubjectKind::Caller)
            if (auto self = status_of("/proc/thread-self/status"); self && self->seccomp != 0) {
                subject.seccomp_filters.reset();
                subject.seccomp_unreadable = "fdscope runs under seccomp; its own filters are not readable";
            }
        return;
    }
    SeccompFacts f = read_seccomp(subject.pid, subject.tid > 0 ? subject.tid : subject.pid);
    subject.seccomp_filters = std::move(f.filters);
    subject.seccomp_unreadable = std::move(f.unreadable);
}

}  // namespace fdscope::why
