// One run of the BPF engine (a launch or an attach): the records of the
// ring buffer become events and process records for the sink, stacks are
// interned, losses become Op::Lost events followed by a reconciliation of
// every traced process, and the kernel's fd tables are read at each
// process's start, at each exec and (attach) at the end.
//
// Order: a reconciliation is queued with the time it read the kernel and
// sent before the first later record, so the sink sees it where it
// happened in the stream. The start inventory of a process is sent at once
// and that process's records older than it are dropped: their effects are
// in it already.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "model/event.hpp"
#include "model/stack.hpp"
#include "model/trace_run.hpp"
#include "trace/bpf/cfi_rules.hpp"
#include "trace/bpf/stack_stops.hpp"
#include "trace/bpf/table_ids.hpp"
#include "trace/bpf/trace_program.hpp"
#include "trace/bpf/trace_records.hpp"
#include "trace/engine.hpp"
#include "trace/stacks.hpp"

namespace fdscope::trace {

std::uint64_t monotonic_ns();

class TraceSession {
public:
    TraceSession(TraceProgram& program, const EngineOptions& opts, Sink& sink, StackTable& stacks);

    // A process enters the trace (the launched child before its exec, an
    // attached process, one found without its fork record): its record
    // from /proc, its fd table from the table iterator, its inventory.
    void begin(pid_t pid, pid_t parent);
    // Reads what waits in the ring (up to `timeout_ms` for the first
    // sample), then the loss counters.
    void poll(int timeout_ms);
    // Traced processes not yet seen to exit.
    bool alive() const { return !live_.empty(); }
    const std::set<pid_t>& live() const { return live_; }
    // After losses an exit record may be among them: processes gone from
    // /proc (or zombies) are ended without it.
    void drop_vanished();
    bool had_losses() const { return stats_.lost_events > 0; }
    // The launched child was reaped with this wait status.
    void reaped(pid_t pid, int status);
    // Reads the rest of the ring; with `inventory` the processes still
    // running are reconciled (their fds at detach) and their records end now.
    void finish(bool inventory);
    EngineStats take_stats();

private:
    struct Pending {
        std::uint64_t time_ns = 0;
        std::vector<FdEvent> events;
    };
    void on_sample(std::string_view bytes);
    void on_syscall(const SyscallRecord& r);
    void on_fork(const ForkRecord& r);
    void on_exec(const ExecRecord& r);
    void on_exit(const ExitRecord& r);
    void send(const FdEvent& e);
    void flush_before(std::uint64_t time_ns);
    void queue_reconcile(pid_t pid, FdTableId table);
    std::vector<FdEvent> table_of_running(pid_t pid, FdTableId table, std::uint64_t now);
    std::set<pid_t> unmapped_;  // processes with stack addresses no mapping read covers
    void check_losses();
    void known(pid_t tgid);  // begins a process seen without its fork record
    StackId stack_of(const SyscallRecord& r);
    void learn_cfi_rule(pid_t pid, std::uint64_t ip);
    void forget(pid_t pid);

    TraceProgram& program_;
    const EngineOptions& opts_;
    Sink& sink_;
    StackTable& stacks_;
    TableIds tables_;
    ModuleMap modules_;
    StackStops stops_;
    CfiRules cfi_;
    std::unordered_map<pid_t, std::unordered_set<std::uint64_t>> cfi_asked_;  // syscall pcs looked up, per process
    std::unordered_map<pid_t, ProcessRecord> procs_;
    std::set<pid_t> live_;
    std::unordered_map<pid_t, FdTableId> main_table_;
    std::unordered_map<pid_t, std::uint64_t> started_ns_;  // records before this are in the start inventory
    std::unordered_map<pid_t, std::unordered_map<std::string, StackId>> stack_cache_;
    std::vector<Pending> pending_;
    std::uint64_t lost_seen_ = 0;   // the program's total at the last look
    std::uint64_t attributed_ = 0;  // of it, sent as Lost events
    void send_lost(pid_t pid, std::uint64_t count, std::uint64_t now);
    std::map<pid_t, std::uint64_t> lost_seen_by_pid_;
    std::uint64_t corrupt_ = 0, undecoded_ = 0, stack_errors_ = 0, cfi_rules_ = 0, cfi_full_ = 0;
    std::vector<std::string> table_errors_;
    EngineStats stats_;
};

}  // namespace fdscope::trace
