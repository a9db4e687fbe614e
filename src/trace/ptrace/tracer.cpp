#include "trace/ptrace/tracer.hpp"

#include <linux/sched.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include "trace/ptrace/process_facts.hpp"
#include "trace/ptrace/tracee_memory.hpp"
#include "trace/reconcile.hpp"

namespace fdscope::trace::ptrace {

namespace {

// Linux's internal "restart this syscall" results: the exit stop shows
// them when a signal interrupted the call; the kernel then runs it again
// (a new entry, so a new stop) or turns it into EINTR.
constexpr std::int64_t kErestartFirst = -516, kErestartLast = -512;

enum class ProcCall : std::uint8_t { None, Clone, Clone3, Fork, Vfork, Execve, Execveat };

ProcCall proc_call(Abi abi, long nr) {
    const std::string_view name = syscall_name(abi, nr);
    if (name == "clone") return ProcCall::Clone;
    if (name == "clone3") return ProcCall::Clone3;
    if (name == "fork") return ProcCall::Fork;
    if (name == "vfork") return ProcCall::Vfork;
    if (name == "execve") return ProcCall::Execve;
    if (name == "execveat") return ProcCall::Execveat;
    return ProcCall::None;
}

bool is_group_stop_signal(int sig) { return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU; }

long ptrace_req(int request, pid_t tid, void* addr, void* data) {
    return ::ptrace(static_cast<__ptrace_request>(request), tid, addr, data);
}

}  // namespace

int Tracer::Table::tasks() const {
    int n = 0;
    for (const auto& [pid, count] : users) n += count;
    return n;
}

Tracer::Tracer(StopMode mode, const EngineOptions& opts, Sink& sink, StackTable& stacks, EngineStats& stats)
    : mode_(mode), opts_(opts), sink_(sink), stacks_(stacks), stats_(stats) {
    if (opts_.stacks.enabled) unwinder_.emplace();
}

bool Tracer::stop_requested() const { return attached_ && opts_.stop && opts_.stop->load(std::memory_order_relaxed); }

// ---------------------------------------------------------------- set-up

FdTableId Tracer::new_table(const OpenFds* copy_of) {
    const FdTableId id = next_table_++;
    Table& table = tables_[id];
    if (copy_of) table.open = *copy_of;
    return id;
}

void Tracer::new_process(pid_t pid, pid_t parent, const Process* from) {
    Process& p = processes_[pid];
    p = Process{};
    p.record.pid = pid;
    p.record.parent = parent;
    p.record.start_ns = monotonic_ns();
    if (from) {
        // A fork runs its parent's program until it execs.
        p.record.command = from->record.command;
        p.record.exe = from->record.exe;
        p.record.argv = from->record.argv;
    } else {
        p.record.command = read_comm(pid);
        p.record.exe = read_exe(pid);
        p.record.argv = read_cmdline(pid);
    }
}

void Tracer::add_launched(pid_t pid) {
    root_ = pid;
    roots_.push_back(pid);
    Task t;
    t.tid = t.pid = pid;
    t.table = new_table(nullptr);
    tables_[t.table].users[pid] = 1;
    new_process(pid, 0, nullptr);
    // Before its exec the child runs fdscope's image: no exe or argv of its own yet.
    Process& p = processes_[pid];
    p.record.exe.clear();
    p.record.argv.clear();
    p.live_tasks = 1;
    tasks_.emplace(pid, t);
    send_process(p);
    send_reconcile(pid, t.table);
}

std::string Tracer::attach(pid_t pid) {
    attached_ = true;
    constexpr long kOptions = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_TRACEFORK |
                              PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE;
    std::vector<pid_t> seized;
    FdTableId table = 0;
    for (bool found_new = true; found_new;) {
        found_new = false;
        for (const pid_t tid : read_tids(pid)) {
            if (tasks_.count(tid)) continue;
            if (::ptrace(PTRACE_SEIZE, tid, nullptr, reinterpret_cast<void*>(kOptions)) != 0) {
                const int err = errno;
                if (err == ESRCH) continue;  // the thread just ended
                for (const pid_t s : seized) {
                    ::ptrace(PTRACE_DETACH, s, nullptr, nullptr);
                    tasks_.erase(s);
                }
                if (table) tables_.erase(table);
                return "cannot attach to " + std::to_string(pid) + " (thread " + std::to_string(tid) +
                       "): ptrace: " + std::strerror(err);
            }
            if (!table) table = new_table(nullptr);
            Task t;
            t.tid = tid;
            t.pid = pid;
            t.table = table;
            tasks_.emplace(tid, t);
            seized.push_back(tid);
            found_new = true;
        }
    }
    if (seized.empty()) return "cannot attach to " + std::to_string(pid) + ": no such process";
    tables_[table].users[pid] = static_cast<int>(seized.size());
    new_process(pid, 0, nullptr);
    processes_[pid].live_tasks = static_cast<int>(seized.size());
    roots_.push_back(pid);
    return {};
}

// Seized tasks run until they stop, and only a stopped tracee can be
// detached: interrupt each, wait for its stop, let go (with the signal it
// stopped for, if that was one).
void Tracer::abandon() {
    for (const auto& [tid, t] : tasks_) {
        if (::ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr) != 0) continue;
        int status = 0;
        while (::waitpid(tid, &status, __WALL) == tid && WIFSTOPPED(status)) {
            const int event = status >> 16;
            const int sig = event == 0 && WSTOPSIG(status) != (SIGTRAP | 0x80) ? WSTOPSIG(status) : 0;
            ::ptrace(PTRACE_DETACH, tid, nullptr, reinterpret_cast<void*>(static_cast<long>(sig)));
            break;
        }
    }
    tasks_.clear();
}

// ---------------------------------------------------------------- the loop

void Tracer::run() {
    sigset_t chld, saved;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    if (attached_) {
        // A stop request must be seen even while every tracee sleeps: wait
        // for SIGCHLD (a tracee stopped) with a timeout instead of blocking
        // in waitpid. Blocked in this thread only, and put back after.
        pthread_sigmask(SIG_BLOCK, &chld, &saved);
        stats_.notes.emplace_back("attached: every syscall stops (no seccomp filter can be added to a running process)");
        stop_all(Phase::Attaching);
    }
    while (!tasks_.empty()) {
        if (!replay_.empty()) {
            const auto [tid, status] = replay_.back();
            replay_.pop_back();
            handle(tid, status);
            continue;
        }
        if (stop_requested() && phase_ == Phase::Running) stop_all(Phase::Detaching);
        int status = 0;
        const pid_t tid = wait_next(status);
        if (tid < 0) {
            if (errno == EINTR) continue;
            break;  // ECHILD: nothing left to wait for
        }
        if (tid > 0) handle(tid, status);
    }
    if (attached_) pthread_sigmask(SIG_SETMASK, &saved, nullptr);
    if (unwinder_) {
        for (const std::string& module : unwinder_->truncating_modules())
            stats_.notes.push_back("stacks stop early in " + module + " (no frame pointers, no CFI)");
    }
}

pid_t Tracer::wait_next(int& status) {
    if (!attached_) return ::waitpid(-1, &status, __WALL);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    for (;;) {
        const pid_t tid = ::waitpid(-1, &status, __WALL | WNOHANG);
        if (tid != 0) return tid;
        if (stop_requested() && phase_ == Phase::Running) return 0;
        const timespec timeout{0, 50'000'000};
        ::sigtimedwait(&chld, nullptr, &timeout);
    }
}

void Tracer::handle(pid_t tid, int status) {
    dispatch(tid, status);
    if (phase_ != Phase::Running && awaiting_ == 0) all_stopped();
}

void Tracer::dispatch(pid_t tid, int status) {
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
        on_reaped(tid, status);
        return;
    }
    if (!WIFSTOPPED(status)) return;
    ++stats_.stops;
    const auto it = tasks_.find(tid);
    if (it == tasks_.end()) {
        // A new child whose parent's fork event is still to come: it stays
        // stopped until then (on_fork replays this stop).
        early_stops_[tid] = status;
        return;
    }
    Task& t = it->second;
    const int sig = WSTOPSIG(status);
    const int event = status >> 16;
    stopped_one(t);
    if (event == PTRACE_EVENT_STOP) {
        on_event_stop(t, sig);
        return;
    }
    switch (event) {
    case 0:
        if (sig == (SIGTRAP | 0x80)) {
            on_syscall_stop(t, false);
        } else {
            resume(t, sig);  // a signal for the tracee: delivered as it came
        }
        return;
    case PTRACE_EVENT_SECCOMP: on_syscall_stop(t, true); return;
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_VFORK:
    case PTRACE_EVENT_CLONE: on_fork(t, event); return;
    case PTRACE_EVENT_EXEC: on_exec(t); return;
    case PTRACE_EVENT_EXIT: on_exit_event(t); return;
    default: resume(t, 0); return;
    }
}

// PTRACE_EVENT_STOP is a group-stop (a stop signal: PTRACE_LISTEN keeps the
// task stopped the way job control expects, and a SIGCONT wakes it) or a
// trap: PTRACE_INTERRUPT, a new child's first stop, the end of a group-stop
// while listening (SIGTRAP): those just continue.
void Tracer::on_event_stop(Task& t, int sig) {
    if (is_group_stop_signal(sig)) {
        resume(t, 0, true);
    } else {
        resume(t, 0);
    }
}

// ---------------------------------------------------------------- syscalls

void Tracer::on_syscall_stop(Task& t, bool seccomp) {
    ++stats_.syscall_stops;
    __ptrace_syscall_info info{};
    if (::ptrace(PTRACE_GET_SYSCALL_INFO, t.tid, reinterpret_cast<void*>(sizeof info), &info) <= 0) {
        resume(t, 0);
        return;
    }
    if (seccomp && mode_ == StopMode::EverySyscall) {
        resume(t, 0);  // its syscall-entry stop follows, which is the one handled
    } else if (seccomp || info.op == PTRACE_SYSCALL_INFO_SECCOMP) {
        std::array<std::uint64_t, 6> args{};
        std::copy(std::begin(info.seccomp.args), std::end(info.seccomp.args), args.begin());
        on_entry(t, info.arch, static_cast<long>(info.seccomp.nr), args);
    } else if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
        std::array<std::uint64_t, 6> args{};
        std::copy(std::begin(info.entry.args), std::end(info.entry.args), args.begin());
        on_entry(t, info.arch, static_cast<long>(info.entry.nr), args);
    } else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
        on_exit(t, info.exit.rval);
    } else {
        resume(t, 0);
    }
}

StackId Tracer::capture_stack(Task& t) {
    if (!unwinder_) return kNoStack;
    user_regs_struct regs{};
    if (::ptrace(PTRACE_GETREGS, t.tid, nullptr, &regs) != 0) return kNoStack;
    const Registers r = registers_from(regs);
    const std::vector<RawFrame> frames = unwinder_->unwind(t.pid, t.tid, r, opts_.stacks.depth, modules_);
    if (frames.empty()) return kNoStack;
    ++stats_.unwinds;
    return stacks_.intern(frames);
}

void Tracer::on_entry(Task& t, std::uint32_t arch, long nr, const std::array<std::uint64_t, 6>& args) {
    const std::optional<Abi> abi = abi_from_audit_arch(arch, nr);
    if (!abi) {
        resume(t, 0);
        return;
    }
    SyscallCall call;
    call.abi = *abi;
    call.nr = nr;
    call.args = args;
    // By name, not syscall_info(): this runs at every stop and needs no
    // more than whether the decoder knows the call.
    const std::string_view name = syscall_name(*abi, nr);
    const bool fd_call = !name.empty();
    const ProcCall pc = proc_call(*abi, nr);
    if (pc == ProcCall::None && !fd_call) {
        resume(t, 0);  // not an fd syscall (attached: every syscall stops)
        return;
    }
    switch (pc) {
    case ProcCall::Clone: t.clone_flags = args[0]; break;
    case ProcCall::Clone3: {
        // struct clone_args starts with its u64 flags.
        std::uint64_t flags = 0;
        TraceeMemory memory(t.tid);
        if (memory.read(args[0], std::as_writable_bytes(std::span(&flags, 1)))) t.clone_flags = flags;
        break;
    }
    case ProcCall::Fork: t.clone_flags = 0; break;
    case ProcCall::Vfork: t.clone_flags = CLONE_VM | CLONE_VFORK; break;
    default: break;
    }
    const bool exec = pc == ProcCall::Execve || pc == ProcCall::Execveat;
    const bool spawn = pc != ProcCall::None && !exec;
    const bool close = name == "close";
    const bool known_open = close && tables_[t.table].open.is_open(static_cast<std::int64_t>(args[0]));
    // An exec's exit is always taken: it tells a failed exec (whose errno
    // the report counts) from one that replaced the image (PTRACE_EVENT_EXEC
    // came first). A fork's event comes from PTRACE_EVENT_FORK/CLONE: its
    // exit only matters for the pidfd CLONE_PIDFD writes.
    const bool need = exec || (spawn ? (t.clone_flags.value_or(0) & CLONE_PIDFD) != 0
                                     : fd_call && needs_exit(call, known_open));
    // Decoded at entry, only a close makes events (fcntl F_GETFL, an ioctl
    // that makes no fd: none): no stack to unwind for the others.
    const bool events_now = !need && (close || name == "close_range");
    const StackId stack = need || events_now || spawn ? capture_stack(t) : kNoStack;
    if (spawn) t.clone_stack = stack;
    if (!need) {
        if (events_now) {
            TraceeMemory memory(t.tid);
            send_decoded(t, decode(call, memory), stack);
            if (known_open && mode_ == StopMode::Seccomp) ++stats_.skipped_exit_stops;
        }
        resume(t, 0);
        return;
    }
    t.pending = Pending{call, stack};
    t.want_exit = true;
    resume(t, 0);
}

void Tracer::on_exit(Task& t, std::int64_t rval) {
    std::optional<Pending> pending = std::move(t.pending);
    t.pending.reset();
    t.want_exit = false;
    if (t.exec_exit) {
        t.exec_exit = false;
        resume(t, 0);
        return;
    }
    // No entry seen (the first stop after an attach), or interrupted by a
    // signal: it runs again from its entry, which stops again.
    if (!pending || (rval >= kErestartFirst && rval <= kErestartLast)) {
        resume(t, 0);
        return;
    }
    pending->call.ret = rval;
    const ProcCall pc = proc_call(pending->call.abi, pending->call.nr);
    if ((pc == ProcCall::Execve || pc == ProcCall::Execveat) && t.tid == root_ && !root_exec_seen_)
        root_exec_error_ = rval < 0 ? static_cast<int>(-rval) : 0;
    TraceeMemory memory(t.tid);
    send_decoded(t, decode(pending->call, memory), pending->stack);
    resume(t, 0);
}

// ---------------------------------------------------------------- processes

void Tracer::on_fork(Task& t, int event) {
    unsigned long msg = 0;
    ::ptrace(PTRACE_GETEVENTMSG, t.tid, nullptr, &msg);
    const auto child = static_cast<pid_t>(msg);
    std::uint64_t flags = 0;
    if (t.clone_flags) {
        flags = *t.clone_flags;
    } else if (event == PTRACE_EVENT_VFORK) {
        flags = CLONE_VM | CLONE_VFORK;
    } else if (event == PTRACE_EVENT_CLONE) {
        // The clone's entry was not seen: its thread group says whether it
        // is a thread (which shares the table: pthread_create always does).
        const pid_t tgid = read_tgid(child);
        if (tgid == t.pid) flags = CLONE_THREAD | CLONE_FILES | CLONE_VM;
    }
    const StackId stack = t.clone_stack;
    t.clone_flags.reset();
    t.clone_stack = kNoStack;
    if (child <= 0 || tasks_.count(child)) {
        resume(t, 0);
        return;
    }

    Task c;
    c.tid = child;
    c.pid = (flags & CLONE_THREAD) ? t.pid : child;
    c.table = (flags & CLONE_FILES) ? t.table : new_table(&tables_[t.table].open);
    tables_[c.table].users[c.pid] += 1;
    if (c.pid == child) {
        const auto parent = processes_.find(t.pid);
        new_process(child, t.pid, parent == processes_.end() ? nullptr : &parent->second);
    }
    processes_[c.pid].live_tasks += 1;
    // Stopping the tree: the new task's first stop is one more to wait for.
    if (phase_ != Phase::Running) {
        c.awaiting_stop = true;
        ++awaiting_;
    }
    tasks_.emplace(child, c);

    FdEvent e;
    e.op = event == PTRACE_EVENT_FORK ? Op::Fork : event == PTRACE_EVENT_VFORK ? Op::Vfork : Op::Clone;
    e.pid = t.pid;
    e.tid = t.tid;
    e.table = t.table;
    e.new_table = c.table;
    e.flags = flags;
    e.result = child;
    e.stack = stack;
    e.time_ns = monotonic_ns();
    send(e);
    if (c.pid == child) send_process(processes_[child]);

    resume(t, 0);
    if (const auto early = early_stops_.find(child); early != early_stops_.end()) {
        replay_.emplace_back(child, early->second);
        early_stops_.erase(early);
    }
}

void Tracer::on_exec(Task& t_in) {
    unsigned long msg = 0;
    ::ptrace(PTRACE_GETEVENTMSG, t_in.tid, nullptr, &msg);
    const auto former = static_cast<pid_t>(msg);
    const pid_t pid = t_in.pid;
    if (former != t_in.tid && former > 0) {
        // A thread other than the leader exec'd: it now has the leader's
        // tid (the one reporting), the leader and the other threads are gone.
        const auto f = tasks_.find(former);
        if (f != tasks_.end()) {
            Task moved = f->second;
            tasks_.erase(f);
            Task& leader = tasks_.at(t_in.tid);
            if (!leader.exiting) leave_table(leader);
            // This stop is the exec'ing thread's too.
            stopped_one(moved);
            moved.tid = t_in.tid;
            leader = moved;
        }
    }
    Task& t = tasks_.at(pid);
    if (t.tid == root_) root_exec_seen_ = true;
    const FdTableId before = t.table;
    // Exec unshares a table another process shares; the threads of this
    // one are gone.
    Table& old = tables_[before];
    bool shared = false;
    for (const auto& [user, count] : old.users) shared = shared || (user != pid && count > 0);
    if (shared) {
        const FdTableId after = new_table(&old.open);
        const int count = old.users[pid];
        tables_[before].users.erase(pid);
        tables_[after].users[pid] = count;
        t.table = after;
    }
    const std::optional<Pending> pending = t.pending;
    t.exec_exit = true;

    FdEvent e;
    e.op = pending && proc_call(pending->call.abi, pending->call.nr) == ProcCall::Execveat ? Op::Execveat : Op::Execve;
    e.pid = pid;
    e.tid = pid;
    e.table = before;
    e.new_table = t.table;
    e.name = read_exe(pid);
    e.stack = pending ? pending->stack : kNoStack;
    e.time_ns = monotonic_ns();
    send(e);

    Process& p = processes_[pid];
    p.record.exe = e.name;
    p.record.command = read_comm(pid);
    p.record.argv = read_cmdline(pid);
    send_process(p);
    modules_.forget(pid);
    if (unwinder_) unwinder_->forget(pid);
    // The survivors of the close-on-exec sweep, exactly.
    send_reconcile(pid, t.table);
    resume(t, 0);
}

void Tracer::leave_table(Task& t) {
    Table& table = tables_[t.table];
    if (--table.users[t.pid] <= 0) table.users.erase(t.pid);
    processes_[t.pid].live_tasks -= 1;
}

void Tracer::process_ended(Task& t, std::int64_t exit_status) {
    Process& p = processes_[t.pid];
    if (p.exit_sent) return;
    p.exit_sent = true;
    FdEvent e;
    e.op = Op::Exit;
    e.pid = t.pid;
    e.tid = t.tid;
    e.table = t.table;
    e.result = exit_status;
    e.time_ns = monotonic_ns();
    send(e);
    p.record.end_ns = e.time_ns;
    p.record.exited = true;
    send_process(p);
    modules_.forget(t.pid);
    if (unwinder_) unwinder_->forget(t.pid);
}

void Tracer::on_exit_event(Task& t) {
    unsigned long msg = 0;
    ::ptrace(PTRACE_GETEVENTMSG, t.tid, nullptr, &msg);
    t.exiting = true;
    leave_table(t);
    if (processes_[t.pid].live_tasks <= 0) {
        // The fds are still there until the task is past this stop.
        if (tables_[t.table].tasks() == 0) send_reconcile(t.pid, t.table);
        process_ended(t, static_cast<std::int64_t>(msg));
    }
    resume(t, 0);
}

void Tracer::on_reaped(pid_t tid, int status) {
    early_stops_.erase(tid);
    const auto it = tasks_.find(tid);
    if (it == tasks_.end()) return;
    Task& t = it->second;
    stopped_one(t);
    // Killed (SIGKILL) tasks pass no PTRACE_EVENT_EXIT stop.
    if (!t.exiting) {
        leave_table(t);
        if (processes_[t.pid].live_tasks <= 0) process_ended(t, status);
    }
    if (tid == t.pid) {
        Process& p = processes_[t.pid];
        p.record.wait_status = status;
        if (!p.record.end_ns) p.record.end_ns = monotonic_ns();
        p.record.exited = true;
        send_process(p);
        if (tid == root_) root_status_ = status;
        processes_.erase(t.pid);
    }
    const FdTableId table = t.table;
    tasks_.erase(it);
    if (const auto tb = tables_.find(table); tb != tables_.end() && tb->second.users.empty()) {
        bool used = false;
        for (const auto& [other, task] : tasks_) used = used || task.table == table;
        if (!used) tables_.erase(tb);
    }
}

// ---------------------------------------------------------------- restarts

void Tracer::restart(Task& t, int sig, bool listen) {
    int request = PTRACE_CONT;
    if (listen) {
        request = PTRACE_LISTEN;
    } else if (mode_ == StopMode::EverySyscall || t.want_exit) {
        request = PTRACE_SYSCALL;
    }
    // ESRCH: killed meanwhile; its end is reported by waitpid.
    ptrace_req(request, t.tid, nullptr, reinterpret_cast<void*>(static_cast<long>(sig)));
}

void Tracer::resume(Task& t, int sig, bool listen) {
    if (phase_ != Phase::Running) {
        t.held = listen ? Held::Listen : Held::Resume;
        t.held_signal = sig;
        return;
    }
    restart(t, sig, listen);
}

// Interrupts every task and holds each stop; all_stopped() runs when the
// last one has stopped.
void Tracer::stop_all(Phase phase) {
    phase_ = phase;
    awaiting_ = 0;
    for (auto& [tid, t] : tasks_) {
        if (t.held != Held::No) continue;
        if (::ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr) != 0) continue;  // gone: reaped soon
        t.awaiting_stop = true;
        ++awaiting_;
    }
    // Children stopped at birth whose parent's fork event is not seen yet
    // are held already: they count once their task exists.
    if (awaiting_ == 0) all_stopped();
}

void Tracer::stopped_one(Task& t) {
    if (!t.awaiting_stop) return;
    t.awaiting_stop = false;
    --awaiting_;
}

void Tracer::all_stopped() {
    const Phase phase = phase_;
    phase_ = Phase::Running;
    if (phase == Phase::Attaching) {
        for (const pid_t pid : roots_) {
            const auto p = processes_.find(pid);
            if (p == processes_.end()) continue;
            send_process(p->second);
            for (const auto& [tid, t] : tasks_) {
                if (tid == pid || t.pid == pid) {
                    send_reconcile(pid, t.table);
                    break;
                }
            }
        }
    } else {
        // What each process still holds when we let go is the report's end
        // state; then every task goes free as it was.
        std::map<pid_t, FdTableId> tables;
        for (const auto& [tid, t] : tasks_) tables.emplace(t.pid, t.table);
        for (const auto& [pid, table] : tables) {
            send_reconcile(pid, table);
            if (const auto p = processes_.find(pid); p != processes_.end()) {
                p->second.record.end_ns = monotonic_ns();
                send_process(p->second);
            }
        }
    }
    // Copy: restarting may not touch the map, but held tasks are resumed
    // in a stable order.
    std::vector<pid_t> tids;
    for (const auto& [tid, t] : tasks_) tids.push_back(tid);
    for (const pid_t tid : tids) {
        Task& t = tasks_.at(tid);
        const Held held = t.held;
        t.held = Held::No;
        if (phase == Phase::Detaching) {
            // A pending signal goes with it; a group-stopped task stays stopped.
            ::ptrace(PTRACE_DETACH, tid, nullptr,
                     reinterpret_cast<void*>(static_cast<long>(held == Held::Resume ? t.held_signal : 0)));
        } else if (held != Held::No) {
            restart(t, t.held_signal, held == Held::Listen);
        }
    }
    // Only now does every task stop at its syscalls: what it did between
    // the seize and here was not seen (the reconcile above has its result).
    if (phase == Phase::Attaching)
        sink_.attached(std::vector<pid_t>(roots_.begin(), roots_.end()),
                       "ptrace: every syscall stops, as no seccomp filter can be added to a running process");
    if (phase == Phase::Detaching) {
        for (const auto& [tid, status] : early_stops_) ::ptrace(PTRACE_DETACH, tid, nullptr, nullptr);
        for (const auto& [tid, status] : replay_) ::ptrace(PTRACE_DETACH, tid, nullptr, nullptr);
        tasks_.clear();
        early_stops_.clear();
        replay_.clear();
    }
}

// ---------------------------------------------------------------- events out

void Tracer::send(FdEvent e) {
    if (const auto table = tables_.find(e.table); table != tables_.end()) table->second.open.apply(e);
    ++stats_.events;
    sink_.event(e);
}

void Tracer::send_decoded(Task& t, std::vector<FdEvent> events, StackId stack) {
    const std::uint64_t now = monotonic_ns();
    for (FdEvent& e : events) {
        // fork/clone and a successful exec are sent from their ptrace events,
        // which know the child and the table after.
        if (op_class(e.op) == OpClass::Process && e.op != Op::Unshare && succeeded(e)) continue;
        e.time_ns = now;
        e.pid = t.pid;
        e.tid = t.tid;
        e.table = t.table;
        e.stack = stack;
        if (e.op == Op::Unshare && succeeded(e) && (e.flags & CLONE_FILES) && tables_[t.table].tasks() > 1) {
            Table& old = tables_[t.table];
            if (--old.users[t.pid] <= 0) old.users.erase(t.pid);
            t.table = new_table(&old.open);
            tables_[t.table].users[t.pid] = 1;
        }
        e.new_table = e.op == Op::Unshare ? t.table : e.new_table;
        send(std::move(e));
    }
}

void Tracer::send_reconcile(pid_t pid, FdTableId table) {
    std::vector<FdEvent> events = reconcile(pid, table, monotonic_ns());
    if (events.empty()) return;
    ++stats_.reconciles;
    for (FdEvent& e : events) send(std::move(e));
}

void Tracer::send_process(Process& p) { sink_.process(p.record); }

}  // namespace fdscope::trace::ptrace
