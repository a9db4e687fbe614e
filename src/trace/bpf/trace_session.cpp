#include "trace/bpf/trace_session.hpp"

#include <algorithm>
#include <ctime>
#include <sys/syscall.h>

#include "procfs/parse_stat.hpp"
#include "sys/files.hpp"
#include "trace/bpf/record_events.hpp"
#include "trace/reconcile.hpp"

namespace fdscope::trace {
namespace {

std::string proc_file(pid_t pid, const char* name) {
    std::string out;
    const std::string path = "/proc/" + std::to_string(pid) + "/" + name;
    if (sys::read_all(path.c_str(), out) != 0) out.clear();
    return out;
}

std::string proc_link(pid_t pid, const char* name) {
    const std::string path = "/proc/" + std::to_string(pid) + "/" + name;
    std::string buf(4096, '\0');
    const ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
    if (n <= 0) return {};
    buf.resize(static_cast<std::size_t>(n));
    return buf;
}

// NUL-separated /proc/PID/cmdline to words.
std::vector<std::string> argv_of(std::string_view cmdline) {
    std::vector<std::string> out;
    while (!cmdline.empty()) {
        const std::size_t nul = cmdline.find('\0');
        out.emplace_back(cmdline.substr(0, nul));
        if (nul == std::string_view::npos) break;
        cmdline.remove_prefix(nul + 1);
    }
    return out;
}

std::string comm_of(pid_t pid) {
    std::string c = proc_file(pid, "comm");
    if (!c.empty() && c.back() == '\n') c.pop_back();
    return c;
}

bool is_fork_nr(std::uint32_t nr) {
    return nr == SYS_fork || nr == SYS_vfork || nr == SYS_clone || nr == SYS_clone3;
}

// Whether a process has ended: gone from /proc, or a zombie.
bool vanished(pid_t pid) {
    const auto st = procfs::parse_stat(proc_file(pid, "stat"));
    return !st || st->state == 'Z' || st->state == 'X';
}

std::string pid_list(const std::vector<pid_t>& pids) {
    std::string out;
    for (pid_t p : pids) out += (out.empty() ? "" : ", ") + std::to_string(p);
    return out;
}

// The frames of a record's stack. bpf_get_stack walks by rbp from the
// syscall's pc; a syscall wrapper without frame pointers (Debian's libc)
// leaves rbp to its caller, so the walk's second frame is the caller's
// caller: the word at sp, the wrapper's return address, is put back in
// between. A walk that went on through code that used rbp for something
// else returns addresses in no module: the stack ends before them. A walk
// the program made from the wrapper's CFI rule has the caller at pcs[1].
std::vector<RawFrame> user_frames(pid_t pid, const SyscallRecord& r, ModuleMap& modules) {
    std::vector<RawFrame> frames = frames_from_pcs(pid, r.pcs, modules);
    const Mapping* leaf = r.pcs.empty() ? nullptr : modules.mapping(pid, r.pcs[0]);
    if (!r.cfi_walked && leaf && !leaf->has_frame_pointers && r.sp_word && modules.mapping(pid, r.sp_word) &&
        (frames.size() < 2 || frames[1].pc != r.sp_word))
        frames.insert(frames.begin() + 1, modules.frame(pid, r.sp_word, true));
    for (std::size_t i = 1; i < frames.size(); ++i)
        if (frames[i].module.empty()) {
            frames.resize(i);
            break;
        }
    return frames;
}

}  // namespace

std::uint64_t monotonic_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
}

TraceSession::TraceSession(TraceProgram& program, const EngineOptions& opts, Sink& sink, StackTable& stacks)
    : program_(program), opts_(opts), sink_(sink), stacks_(stacks) {}

void TraceSession::begin(pid_t pid, pid_t parent) {
    if (procs_.count(pid)) return;
    const std::uint64_t now = monotonic_ns();
    FdTableId table = 0;
    std::vector<TaskRecord> tasks;
    std::string why;
    if (program_.tables_of(pid, tasks, why)) {
        // The leader's table, else (the leader exited) the first thread's.
        for (const TaskRecord& t : tasks)
            if (t.tgid == static_cast<std::uint32_t>(pid) && t.files && (!table || t.tid == t.tgid))
                table = tables_.of(t.files);
    } else if (table_errors_.size() < 3) {
        table_errors_.push_back(why);
    }
    ProcessRecord p;
    p.pid = pid;
    p.parent = parent;
    p.command = comm_of(pid);
    p.exe = proc_link(pid, "exe");
    p.argv = argv_of(proc_file(pid, "cmdline"));
    p.start_ns = now;
    procs_[pid] = p;
    live_.insert(pid);
    main_table_[pid] = table;
    started_ns_[pid] = now;
    sink_.process(p);
    flush_before(now);
    for (const FdEvent& e : table_of_running(pid, table, now)) send(e);
    ++stats_.reconciles;
}

void TraceSession::known(pid_t tgid) {
    if (procs_.count(tgid)) return;
    pid_t parent = 0;
    if (const auto st = procfs::parse_stat(proc_file(tgid, "stat"))) parent = st->ppid;
    begin(tgid, parent);
}

void TraceSession::send(const FdEvent& e) {
    sink_.event(e);
    ++stats_.events;
}

void TraceSession::flush_before(std::uint64_t time_ns) {
    // Pending entries are in time order (each is read at "now").
    std::size_t n = 0;
    while (n < pending_.size() && pending_[n].time_ns <= time_ns) {
        for (const FdEvent& e : pending_[n].events) send(e);
        ++n;
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
}

// The kernel's table of a running process. One read while the process
// exits (its fds are being closed: PF_EXITING, or a zombie already) is a
// table half gone: taken as the whole table it would turn open fds into
// "closed unseen", so it is not taken at all.
std::vector<FdEvent> TraceSession::table_of_running(pid_t pid, FdTableId table, std::uint64_t now) {
    constexpr std::uint32_t kExiting = 0x4;  // PF_EXITING
    std::vector<FdEvent> events = reconcile(pid, table, now);
    const auto st = procfs::parse_stat(proc_file(pid, "stat"));
    if (!st || (st->flags & kExiting) || st->state == 'Z' || st->state == 'X') return {};
    return events;
}

void TraceSession::queue_reconcile(pid_t pid, FdTableId table) {
    const std::uint64_t now = monotonic_ns();
    pending_.push_back(Pending{now, table_of_running(pid, table, now)});
    ++stats_.reconciles;
}

void TraceSession::poll(int timeout_ms) {
    const std::function<void(std::string_view)> fn = [this](std::string_view b) { on_sample(b); };
    program_.poll(timeout_ms, fn);
    check_losses();
    // The ring was empty a moment ago: what it held before these were read is sent.
    flush_before(monotonic_ns());
}

void TraceSession::on_sample(std::string_view bytes) {
    auto rec = parse_trace_record(bytes);
    if (!rec) {
        ++corrupt_;
        return;
    }
    std::visit(
        [this](const auto& r) {
            using T = std::decay_t<decltype(r)>;
            flush_before(r.time_ns);
            if constexpr (std::is_same_v<T, SyscallRecord>) on_syscall(r);
            else if constexpr (std::is_same_v<T, ForkRecord>) on_fork(r);
            else if constexpr (std::is_same_v<T, ExecRecord>) on_exec(r);
            else on_exit(r);
        },
        *rec);
}

StackId TraceSession::stack_of(const SyscallRecord& r) {
    if (r.pcs.empty()) {
        if (r.stack_error) ++stack_errors_;
        return kNoStack;
    }
    const auto pid = static_cast<pid_t>(r.tgid);
    if (!r.cfi_walked) learn_cfi_rule(pid, r.pcs[0]);
    // The same call site gives the same pcs: skip the module lookups.
    std::string key(reinterpret_cast<const char*>(r.pcs.data()), r.pcs.size() * sizeof(std::uint64_t));
    auto& cache = stack_cache_[pid];
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    const std::vector<RawFrame> frames = user_frames(pid, r, modules_);
    if (std::any_of(frames.begin(), frames.end(), [](const RawFrame& f) { return f.pc && f.module.empty(); }))
        unmapped_.insert(pid);
    stops_.observe(frames, opts_.stacks.depth);
    ++stats_.unwinds;
    const StackId id = stacks_.intern(frames);
    cache.emplace(std::move(key), id);
    return id;
}

// A stack the kernel walked by rbp from a syscall pc this process has not
// shown before: when that wrapper's CFI says rbp is not its frame pointer,
// the program gets the rule, and its later stacks from there start at the
// wrapper's caller. Each pc is looked up once (answers kept, none included).
void TraceSession::learn_cfi_rule(pid_t pid, std::uint64_t ip) {
    if (!program_.cfi_walk() || !cfi_asked_[pid].insert(ip).second) return;
    const std::optional<CfiRule> rule = cfi_.rule(pid, ip, modules_);
    if (!rule) return;
    if (program_.set_cfi_rule(pid, ip, *rule)) ++cfi_rules_;
    else ++cfi_full_;
}

void TraceSession::on_syscall(const SyscallRecord& r) {
    const auto pid = static_cast<pid_t>(r.tgid);
    if (auto s = started_ns_.find(pid); s != started_ns_.end() && r.time_ns < s->second) return;
    known(pid);
    if (!r.enter_seen) {
        // A new task's first return is from the fork/clone its parent entered.
        if (!is_fork_nr(r.nr)) ++undecoded_;
        return;
    }
    std::vector<FdEvent> events = syscall_events(r, tables_);
    if (events.empty()) return;
    const StackId stack = stack_of(r);
    if (r.tid == r.tgid && r.files) main_table_[pid] = tables_.of(r.files);
    for (FdEvent& e : events) {
        e.stack = stack;
        send(e);
    }
}

void TraceSession::on_fork(const ForkRecord& r) {
    const auto parent = static_cast<pid_t>(r.parent_tgid);
    if (auto s = started_ns_.find(parent); s != started_ns_.end() && r.time_ns < s->second) return;
    known(parent);
    send(fork_event(r, tables_));
    if (r.thread()) return;
    const auto child = static_cast<pid_t>(r.child_tgid);
    if (procs_.count(child)) return;
    ProcessRecord p;
    p.pid = child;
    p.parent = parent;
    p.command = std::string(r.comm);
    if (auto it = procs_.find(parent); it != procs_.end()) {
        p.exe = it->second.exe;  // the same program until it execs
        p.argv = it->second.argv;
    }
    p.start_ns = r.time_ns;
    procs_[child] = p;
    live_.insert(child);
    main_table_[child] = tables_.of(r.child_files);
    sink_.process(p);
}

void TraceSession::on_exec(const ExecRecord& r) {
    const auto pid = static_cast<pid_t>(r.tgid);
    if (auto s = started_ns_.find(pid); s != started_ns_.end() && r.time_ns < s->second) return;
    known(pid);
    const FdEvent e = exec_event(r, tables_);
    send(e);
    forget(pid);
    main_table_[pid] = e.new_table;
    ProcessRecord& p = procs_[pid];
    p.pid = pid;
    p.command = std::string(r.comm);
    p.exe = std::string(r.name);
    // The argv the program copied; the resolved exe from /proc while it
    // still runs that program.
    std::string_view args = r.args;
    if (!args.empty() && args.back() == '\0') args.remove_suffix(1);
    p.argv = argv_of(args);
    if (comm_of(pid) == p.command)
        if (std::string exe = proc_link(pid, "exe"); !exe.empty()) p.exe = exe;
    sink_.process(p);
    // The new program and its loader are mapped already: read the maps now,
    // while they are certain to be there (a process that exits within the
    // reader's latency leaves none to read), so its stacks name at least
    // the program's own frames. Code it maps later is read on demand.
    modules_.mapping(pid, 0);
    queue_reconcile(pid, e.new_table);
}

void TraceSession::on_exit(const ExitRecord& r) {
    const auto pid = static_cast<pid_t>(r.tgid);
    if (!procs_.count(pid)) return;  // never begun: nothing of it was sent
    send(exit_event(r, tables_));
    if (!r.group_dead) return;
    forget(pid);
    live_.erase(pid);
    ProcessRecord& p = procs_[pid];
    p.end_ns = r.time_ns;
    p.exited = true;
    sink_.process(p);
}

void TraceSession::forget(pid_t pid) {
    modules_.forget(pid);
    if (cfi_asked_.erase(pid)) program_.forget_cfi_rules(pid);
    stack_cache_.erase(pid);
}

// Losses are counted twice by the program, per CPU (the total) and per
// process, one increment after the other: a read between the two sees a
// total ahead of the processes'. Lost events (and the figure in the stats)
// come from the per-process counts; what the total still has beyond them
// when tracing ends becomes one Lost event of no process (pid 0).
void TraceSession::check_losses() {
    const std::uint64_t total = program_.lost_total();
    if (total == lost_seen_ && attributed_ == total) return;
    lost_seen_ = total;
    const std::uint64_t now = monotonic_ns();
    std::uint64_t attributed = 0;
    for (const auto& [pid, n] : program_.lost_by_process()) {
        std::uint64_t& seen = lost_seen_by_pid_[pid];
        if (n <= seen) continue;
        attributed += n - seen;
        send_lost(pid, n - seen, now);
        seen = n;
        if (std::find(stats_.lost_pids.begin(), stats_.lost_pids.end(), pid) == stats_.lost_pids.end())
            stats_.lost_pids.push_back(pid);
    }
    if (attributed == 0) return;
    attributed_ += attributed;
    std::sort(stats_.lost_pids.begin(), stats_.lost_pids.end());
    // Resync: whatever the lost records did is in the kernel's tables now.
    for (pid_t pid : live_) queue_reconcile(pid, main_table_[pid]);
}

void TraceSession::send_lost(pid_t pid, std::uint64_t count, std::uint64_t now) {
    FdEvent e;
    e.time_ns = now;
    e.pid = pid;
    e.tid = pid;
    e.table = pid && main_table_.count(pid) ? main_table_[pid] : 0;
    e.op = Op::Lost;
    e.result = static_cast<std::int64_t>(count);
    flush_before(now);
    send(e);
    stats_.lost_events += count;
}

void TraceSession::drop_vanished() {
    std::vector<pid_t> gone;
    for (pid_t pid : live_)
        if (vanished(pid)) gone.push_back(pid);
    for (pid_t pid : gone) {
        live_.erase(pid);
        forget(pid);
        ProcessRecord& p = procs_[pid];
        p.end_ns = monotonic_ns();
        p.exited = true;
        sink_.process(p);
        stats_.notes.push_back("the exit of process " + std::to_string(pid) + " was among the lost events");
    }
}

void TraceSession::reaped(pid_t pid, int status) {
    auto it = procs_.find(pid);
    if (it == procs_.end()) return;
    it->second.wait_status = status;
    it->second.exited = true;
    if (!it->second.end_ns) it->second.end_ns = monotonic_ns();
    sink_.process(it->second);
}

void TraceSession::finish(bool inventory) {
    // Everything the detached programs wrote.
    const std::function<void(std::string_view)> fn = [this](std::string_view b) { on_sample(b); };
    while (program_.poll(0, fn) > 0) {
    }
    check_losses();
    if (lost_seen_ > attributed_) {  // the per-process map could not say whose
        send_lost(0, lost_seen_ - attributed_, monotonic_ns());
        attributed_ = lost_seen_;
    }
    flush_before(monotonic_ns());
    if (inventory) {
        for (pid_t pid : live_) {
            if (vanished(pid)) continue;
            queue_reconcile(pid, main_table_[pid]);
        }
        flush_before(monotonic_ns());
        const std::uint64_t now = monotonic_ns();
        for (pid_t pid : live_) {
            ProcessRecord& p = procs_[pid];
            p.end_ns = now;
            sink_.process(p);
        }
    }
}

EngineStats TraceSession::take_stats() {
    if (stats_.lost_events)
        stats_.notes.push_back(std::to_string(stats_.lost_events) +
                               " events were lost (the ring buffer was full) in process(es) " +
                               pid_list(stats_.lost_pids) +
                               ": the report is incomplete for them; their fd tables were read again after the loss");
    if (const std::uint64_t n = program_.compat_calls())
        stats_.notes.push_back(std::to_string(n) +
                               " 32-bit (ia32) syscalls were not traced: the BPF engine reads x86_64 calls; "
                               "--engine ptrace decodes both");
    if (undecoded_)
        stats_.notes.push_back(std::to_string(undecoded_) +
                               " calls were already in progress when tracing began: their results were not decoded");
    if (corrupt_) stats_.notes.push_back(std::to_string(corrupt_) + " malformed BPF records were skipped");
    if (!unmapped_.empty())
        stats_.notes.push_back("stacks of " + std::to_string(unmapped_.size()) +
                               " processes have addresses in no mapping read: they exited (or mapped code) before "
                               "their maps were read; --engine ptrace reads them while the process is stopped");
    if (stack_errors_)
        stats_.notes.push_back(std::to_string(stack_errors_) + " user stacks could not be read by the BPF program");
    if (cfi_full_)
        stats_.notes.push_back(std::to_string(cfi_full_) +
                               " syscall sites got no CFI stack rule (the BPF map of rules was full): their stacks "
                               "stop in the syscall wrapper");
    for (const std::string& w : table_errors_) stats_.notes.push_back(w);
    for (std::string& n : stops_.notes()) stats_.notes.push_back(std::move(n));
    return std::move(stats_);
}

}  // namespace fdscope::trace
