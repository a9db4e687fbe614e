#include "report/trace_report.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <sys/wait.h>
#include <tuple>

#include "report/why/operation_text.hpp"

namespace fdscope::report {
namespace {

class Builder {
public:
    Builder(const TraceLedger& l, const TraceRun& run) : l_(l), run_(run) {
        start_ns_ = run.start_ns;
        if (start_ns_ == 0 && !run.processes.empty()) {
            start_ns_ = run.processes.front().start_ns;
            for (const ProcessRecord& p : run.processes) start_ns_ = std::min(start_ns_, p.start_ns);
        }
        for (const ProcessRecord& p : run.processes) commands_[p.pid] = command_of(p);
    }

    TraceReport build() {
        TraceReport r;
        r.engine = run_.engine;
        r.exit_status = run_.exit_status;
        processes(r);
        for (const LeakGroup& g : l_.leaks) {
            r.leaks.push_back(leak(g));
            r.leaked_fds += g.count;
        }
        for (const LeakGroup& g : l_.stdio_open) r.stdio_open.push_back(leak(g));
        for (const LeakGroup& g : l_.untraced_open) r.untraced_open.push_back(leak(g));
        crossings(r);
        for (const StaleClose& s : l_.stale_closes) r.stale_closes.push_back(stale(s));
        for (const DoubleClose& d : l_.double_closes)
            r.double_closes.push_back({d.close.pid, d.close.fd, site(d.close), site(d.previous_close),
                                       site(d.created), d.created.name});
        for (const EbadfClose& e : l_.ebadf_closes)
            r.ebadf_closes.push_back({false, e.close.pid, site(e.close), e.close.fd, e.close.fd, 1});
        for (const CloseSweep& s : l_.sweeps)
            r.ebadf_closes.push_back({true, s.first.pid, site(s.first), s.first_fd, s.last_fd, s.ebadf});
        for (const SuspiciousReplace& x : l_.suspicious_replaces)
            r.suspicious_replaces.push_back({x.dup.pid, x.fd, site(x.dup), site(x.replaced), x.kind, x.name});
        for (const ErrorGroup& g : l_.errors)
            r.errors.push_back({g.op, g.error, why::errno_name(g.error), g.count, site(g.first), g.names, {}});
        summary(r);
        notes(r);
        return r;
    }

private:
    static std::string command_of(const ProcessRecord& p) {
        if (!p.command.empty()) return p.command;
        const auto slash = p.exe.rfind('/');
        return slash == std::string::npos ? p.exe : p.exe.substr(slash + 1);
    }

    std::string command(pid_t pid) const {
        auto it = commands_.find(pid);
        return it == commands_.end() ? std::string() : it->second;
    }

    double seconds(std::uint64_t ns) const {
        return ns > start_ns_ ? static_cast<double>(ns - start_ns_) / 1e9 : 0.0;
    }

    TraceSite site(const FdEvent& e) const {
        return {e.pid, e.tid, command(e.pid), e.op, e.stack, seconds(e.time_ns)};
    }

    void processes(TraceReport& r) const {
        for (const ProcessRecord& p : run_.processes) {
            TraceProcess t{p.pid, p.parent, command_of(p), p.exe, seconds(p.start_ns), std::nullopt, std::nullopt,
                           std::nullopt};
            if (p.end_ns) t.end = seconds(p.end_ns);
            if (p.exited && p.wait_status >= 0) {
                if (WIFEXITED(p.wait_status)) t.exit_code = WEXITSTATUS(p.wait_status);
                else if (WIFSIGNALED(p.wait_status)) t.signal = WTERMSIG(p.wait_status);
            }
            r.processes.push_back(std::move(t));
        }
        std::stable_sort(r.processes.begin(), r.processes.end(), [](const TraceProcess& a, const TraceProcess& b) {
            return a.start != b.start ? a.start < b.start : a.pid < b.pid;
        });
    }

    TraceLeak leak(const LeakGroup& g) const {
        TraceLeak t;
        t.cls = g.cls;
        t.pid = g.pid;
        t.command = command(g.pid);
        t.count = g.count;
        t.exited = g.exited;
        t.kinds = g.kinds;
        t.names = g.names;
        for (const LeakedFd& f : g.fds) t.fds.push_back(f.fd);
        t.created = site(g.created);
        t.first = seconds(g.first_ns);
        t.last = seconds(g.last_ns);
        return t;
    }

    // The launched command (a root of the traced tree when fdscope ran it).
    bool launched_root(pid_t pid) const {
        if (!run_.exit_status) return false;
        return std::any_of(run_.processes.begin(), run_.processes.end(),
                           [&](const ProcessRecord& p) { return p.pid == pid && p.parent == 0; });
    }

    // One entry per incarnation (its creation event: who, when, which fd), with every exec it survived.
    void crossings(TraceReport& r) const {
        using Key = std::tuple<std::int32_t, std::int32_t, std::uint64_t, int>;
        std::map<Key, std::size_t> index;
        for (const ExecCrossing& c : l_.crossings) {
            if (c.fd < 3) continue;  // stdio is meant to cross
            // What the launched command inherited crossed fdscope's own exec
            // of it: listed as present at start, not as the command's finding.
            if (c.origin == Origin::PresentAtStart && c.first_exec && launched_root(c.exec.pid)) continue;
            const TraceTarget into{c.exec.pid, c.exec.name, seconds(c.exec.time_ns)};
            const Key key{c.created.pid, c.created.tid, c.created.time_ns, c.fd};
            auto [it, fresh] = index.try_emplace(key, r.crossed_exec.size());
            if (!fresh) {
                r.crossed_exec[it->second].into.push_back(into);
                continue;
            }
            TraceCrossing t;
            t.pid = c.origin == Origin::Traced ? c.created.pid : c.exec.pid;
            t.fd = c.fd;
            t.kind = c.kind;
            t.name = c.name;
            t.origin = c.origin;
            t.created = site(c.created);
            t.into.push_back(into);
            t.fix = cloexec_fix(c.created.op, c.created.cloexec, c.origin);
            r.crossed_exec.push_back(std::move(t));
        }
    }

    TraceStaleClose stale(const StaleClose& s) const {
        TraceStaleClose t;
        t.pid = s.close.pid;
        t.tid = s.close.tid;
        t.fd = s.close.fd;
        t.closed = site(s.close);
        t.victim = site(s.victim);
        t.victim_name = s.victim.name;
        t.victim_kind = s.victim.kind;
        t.previous_created = site(s.previous_created);
        t.previous_closed = site(s.previous_closed);
        t.tie = s.tie;
        if (s.victim_ebadf) t.victim_ebadf = site(*s.victim_ebadf);
        t.evidence = evidence(s);
        return t;
    }

    static std::string evidence(const StaleClose& s) {
        const int fd = s.close.fd;
        std::string chain;
        switch (s.tie) {
            case StaleTie::ClosedPrevious:
                chain = fmt::format("tid {} had closed the previous fd {} (made by tid {})", s.close.tid, fd,
                                    s.previous_created.tid);
                break;
            case StaleTie::CreatedPrevious:
                chain = fmt::format("tid {} made the previous fd {}, which tid {} closed", s.close.tid, fd,
                                    s.previous_closed.tid);
                break;
            case StaleTie::SameCloseSite:
                chain = fmt::format("this call site had closed the previous fd {} (made at another site)", fd);
                break;
        }
        chain += fmt::format("; tid {} then got fd {} from {}, and this close took it", s.victim.tid, fd,
                             op_name(s.victim.op));
        if (s.victim_ebadf)
            chain += fmt::format("; tid {}'s own close of fd {} later failed with EBADF", s.victim_ebadf->tid, fd);
        else
            chain += fmt::format("; tid {} never got EBADF on it (a hand-off of fd {} would look the same)",
                                 s.victim.tid, fd);
        return chain;
    }

    void summary(TraceReport& r) const {
        const Summary& s = l_.summary;
        TraceSummary& t = r.summary;
        for (int i = 0; i < kOpCount; ++i) {
            const auto op = static_cast<Op>(i);
            const OpCount& c = s.ops[static_cast<std::size_t>(i)];
            if (c.calls == 0 || op_class(op) == OpClass::Meta) continue;
            t.syscalls.push_back({op, c.calls, c.errors});
        }
        std::stable_sort(t.syscalls.begin(), t.syscalls.end(),
                         [](const TraceOpCount& a, const TraceOpCount& b) { return a.calls > b.calls; });
        for (int i = 0; i < kKindCount; ++i)
            if (const auto n = s.created[static_cast<std::size_t>(i)]) t.kinds.push_back({static_cast<Kind>(i), n});
        std::stable_sort(t.kinds.begin(), t.kinds.end(),
                         [](const TraceKindCount& a, const TraceKindCount& b) { return a.created > b.created; });
        for (const auto& [pid, n] : s.peak_fds) t.peak_fds.push_back({pid, command(pid), n});
        std::stable_sort(t.peak_fds.begin(), t.peak_fds.end(),
                         [](const TracePeak& a, const TracePeak& b) { return a.fds > b.fds; });
        t.events = std::max(s.events, run_.stats.events);
        t.errors = s.errors;
        t.lost_events = std::max(s.lost_events, run_.stats.lost_events);
        std::map<pid_t, std::uint64_t> lost(s.lost_by_pid.begin(), s.lost_by_pid.end());
        for (pid_t pid : run_.stats.lost_pids) lost.try_emplace(pid, 0);
        lost.erase(0);
        t.lost_by_pid.assign(lost.begin(), lost.end());
        t.closed_unseen = s.closed_unseen;
        t.present_at_start = s.present_at_start;
        t.origin_unknown = s.origin_unknown;
        t.reconciles = std::max(s.reconciles, run_.stats.reconciles);
        t.dropped_findings = s.dropped_findings;
        t.stops = run_.stats.stops;
        t.syscall_stops = run_.stats.syscall_stops;
        t.skipped_exit_stops = run_.stats.skipped_exit_stops;
        t.unwinds = run_.stats.unwinds;
        r.lost_events = t.lost_events;
    }

    void notes(TraceReport& r) const {
        r.notes = run_.stats.notes;
        const TraceSummary& s = r.summary;
        if (s.lost_events) {
            std::string pids;
            for (const auto& [pid, n] : s.lost_by_pid) pids += fmt::format("{}{}", pids.empty() ? "" : ", ", pid);
            r.notes.push_back(fmt::format("{} events were lost{}: the findings may be incomplete", s.lost_events,
                                          pids.empty() ? "" : " (pids " + pids + ")"));
        }
        if (s.closed_unseen)
            r.notes.push_back(fmt::format(
                "{} fds were closed without a traced close (missing at a reconcile: io_uring, a lost event)",
                s.closed_unseen));
        if (s.origin_unknown)
            r.notes.push_back(fmt::format(
                "{} fds appeared without a traced creation (origin unknown: io_uring, SCM_RIGHTS or pidfd_getfd "
                "unseen)",
                s.origin_unknown));
        if (s.dropped_findings)
            r.notes.push_back(fmt::format("{} findings beyond the first {} of a kind were counted, not listed",
                                          s.dropped_findings, kMaxFindings));
    }

    const TraceLedger& l_;
    const TraceRun& run_;
    std::uint64_t start_ns_ = 0;
    std::map<pid_t, std::string> commands_;
};

void add_stack(std::vector<StackId>& out, const TraceSite& s) {
    if (s.stack != kNoStack) out.push_back(s.stack);
}

}  // namespace

TraceReport build_trace_report(const TraceLedger& ledger, const TraceRun& run) { return Builder(ledger, run).build(); }

std::string cloexec_fix(Op op, bool created_cloexec, Origin origin) {
    if (origin != Origin::Traced) return "close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) before exec";
    if (created_cloexec)
        return "it was made close-on-exec and lost it (fcntl F_SETFD or ioctl FIONCLEX): keep FD_CLOEXEC, or close it "
               "before exec";
    switch (op) {
        case Op::Open:
        case Op::Openat:
        case Op::OpenByHandleAt:
        case Op::MemfdSecret:
        case Op::Userfaultfd: return "add O_CLOEXEC";
        case Op::Openat2: return "add O_CLOEXEC to open_how.flags";
        case Op::Creat: return "open(…, O_CREAT|O_WRONLY|O_TRUNC|O_CLOEXEC) instead of creat";
        case Op::OpenTree: return "add OPEN_TREE_CLOEXEC";
        case Op::Socket:
        case Op::Socketpair: return "add SOCK_CLOEXEC to the type";
        case Op::Accept: return "accept4(…, SOCK_CLOEXEC)";
        case Op::Accept4: return "add SOCK_CLOEXEC to accept4's flags";
        case Op::Pipe: return "pipe2(…, O_CLOEXEC)";
        case Op::Pipe2: return "add O_CLOEXEC to pipe2's flags";
        case Op::Dup:
        case Op::FcntlDupfd: return "fcntl(fd, F_DUPFD_CLOEXEC, …)";
        case Op::Dup2: return "dup3(…, O_CLOEXEC)";
        case Op::Dup3: return "add O_CLOEXEC to dup3's flags";
        case Op::Eventfd: return "add EFD_CLOEXEC";
        case Op::Timerfd: return "add TFD_CLOEXEC";
        case Op::Signalfd: return "add SFD_CLOEXEC";
        case Op::EpollCreate: return "epoll_create1(EPOLL_CLOEXEC)";
        case Op::InotifyInit: return "inotify_init1(IN_CLOEXEC)";
        case Op::FanotifyInit: return "add FAN_CLOEXEC";
        case Op::MemfdCreate: return "add MFD_CLOEXEC";
        case Op::PerfEventOpen: return "add PERF_FLAG_FD_CLOEXEC";
        case Op::Fsopen: return "add FSOPEN_CLOEXEC";
        case Op::Fsmount: return "add FSMOUNT_CLOEXEC";
        case Op::Fspick: return "add FSPICK_CLOEXEC";
        case Op::RecvmsgRights: return "recvmsg(…, MSG_CMSG_CLOEXEC)";
        case Op::FdCreatingIoctl: return "set FD_CLOEXEC (fcntl F_SETFD) right after the ioctl";
        default: return "close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) before exec";
    }
}

std::vector<StackId> trace_report_stacks(const TraceReport& r) {
    std::vector<StackId> out;
    for (const auto* list : {&r.leaks, &r.stdio_open, &r.untraced_open})
        for (const TraceLeak& l : *list) add_stack(out, l.created);
    for (const TraceCrossing& c : r.crossed_exec) add_stack(out, c.created);
    for (const TraceStaleClose& s : r.stale_closes) {
        for (const TraceSite* x : {&s.closed, &s.victim, &s.previous_created, &s.previous_closed}) add_stack(out, *x);
        if (s.victim_ebadf) add_stack(out, *s.victim_ebadf);
    }
    for (const TraceDoubleClose& d : r.double_closes)
        for (const TraceSite* x : {&d.second, &d.first, &d.created}) add_stack(out, *x);
    for (const TraceEbadfClose& e : r.ebadf_closes) add_stack(out, e.site);
    for (const TraceReplace& x : r.suspicious_replaces) {
        add_stack(out, x.dup);
        add_stack(out, x.replaced);
    }
    for (const TraceError& e : r.errors) add_stack(out, e.first);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<std::string> failures(const TraceReport& r, const FailOn& on) {
    std::vector<std::string> out;
    if (on.leak && r.leaked_fds > on.max_leaks) out.emplace_back("leak");
    if (on.crossed_exec && !r.crossed_exec.empty()) out.emplace_back("crossed-exec");
    if (on.stale_close && !r.stale_closes.empty()) out.emplace_back("stale-close");
    if (on.double_close && !r.double_closes.empty()) out.emplace_back("double-close");
    return out;
}

}  // namespace fdscope::report
