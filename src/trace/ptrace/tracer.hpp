// The ptrace engine's stop machinery: every task of the traced tree, its fd
// table and process, and what to do at each kind of stop (trace.md §2).
//
// One thread does everything (ptrace requests are only accepted from the
// tracing thread). A stop is handled and the task restarted at once,
// except while the whole tree is being stopped (right after an attach, and
// before a detach): then stops are held until every task has stopped, so
// that the kernel's fd tables are read while nothing runs.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/event.hpp"
#include "model/stack.hpp"
#include "model/trace_run.hpp"
#include "trace/decode/syscall.hpp"
#include "trace/engine.hpp"
#include "trace/ptrace/open_fds.hpp"
#include "trace/stacks.hpp"

namespace fdscope::trace::ptrace {

enum class StopMode : std::uint8_t {
    Seccomp,       // the filter stops fd syscalls only: restart with PTRACE_CONT
    EverySyscall,  // no filter (attach, or it could not be installed): PTRACE_SYSCALL
};

class Tracer {
public:
    Tracer(StopMode mode, const EngineOptions& opts, Sink& sink, StackTable& stacks, EngineStats& stats);

    // Launch: `pid` is our seized child, stopped (group-stop) before its
    // exec. Reads its fd table (present at start).
    void add_launched(pid_t pid);
    // Attach: seizes every thread of `pid` (again and again until
    // /proc/PID/task shows no new one) and interrupts each. "" or why not
    // (then nothing of that pid stays seized).
    std::string attach(pid_t pid);
    // Lets go of every task attach() seized, before run(): the attach of
    // a later pid failed.
    void abandon();
    // Handles stops until no traced task is left, or, when attached, until
    // `stop` is set and every task has been detached.
    void run();
    // The launched command's wait status (-1 when not reaped).
    int root_wait_status() const { return root_status_; }
    // The root's execs all failed: the errno of the last (0 otherwise).
    int root_exec_error() const { return root_exec_seen_ ? 0 : root_exec_error_; }

private:
    // A syscall seen at its entry whose exit is awaited.
    struct Pending {
        SyscallCall call;
        StackId stack = kNoStack;
    };
    enum class Held : std::uint8_t { No, Resume, Listen };
    struct Task {
        pid_t tid = 0, pid = 0;
        FdTableId table = 0;
        std::optional<Pending> pending;
        bool want_exit = false;        // restarted with PTRACE_SYSCALL for pending's exit
        std::optional<std::uint64_t> clone_flags;  // of the clone/fork being run
        StackId clone_stack = kNoStack;
        bool exec_exit = false;        // the next exit stop is a successful exec's: no decode
        bool exiting = false;          // PTRACE_EVENT_EXIT seen
        bool awaiting_stop = false;    // interrupted, its stop not seen yet
        Held held = Held::No;
        int held_signal = 0;
    };
    struct Process {
        ProcessRecord record;
        int live_tasks = 0;            // tasks without PTRACE_EVENT_EXIT yet
        bool exit_sent = false;
    };
    struct Table {
        OpenFds open;
        std::map<pid_t, int> users;    // live tasks per process
        int tasks() const;
    };
    enum class Phase : std::uint8_t { Running, Attaching, Detaching };

    pid_t wait_next(int& status);
    void handle(pid_t tid, int status);
    void dispatch(pid_t tid, int status);
    void on_event_stop(Task& t, int sig);
    void on_syscall_stop(Task& t, bool seccomp);
    void on_entry(Task& t, std::uint32_t arch, long nr, const std::array<std::uint64_t, 6>& args);
    void on_exit(Task& t, std::int64_t rval);
    void on_fork(Task& t, int event);
    void on_exec(Task& t);
    void on_exit_event(Task& t);
    void on_reaped(pid_t tid, int status);

    // The restart for a stop: continue (with `sig` delivered), PTRACE_LISTEN
    // for a group-stop, held while the tree is being stopped, detached
    // while it is being let go.
    void resume(Task& t, int sig, bool listen = false);
    void restart(Task& t, int sig, bool listen);
    void stop_all(Phase phase);
    void stopped_one(Task& t);
    void all_stopped();

    void leave_table(Task& t);  // a task gone: its table and process counts
    void process_ended(Task& t, std::int64_t exit_status);
    void send(FdEvent e);
    void send_decoded(Task& t, std::vector<FdEvent> events, StackId stack);
    void send_reconcile(pid_t pid, FdTableId table);
    void send_process(Process& p);
    StackId capture_stack(Task& t);
    FdTableId new_table(const OpenFds* copy_of);
    void new_process(pid_t pid, pid_t parent, const Process* from);
    bool stop_requested() const;

    StopMode mode_;
    EngineOptions opts_;
    Sink& sink_;
    StackTable& stacks_;
    EngineStats& stats_;
    ModuleMap modules_;
    std::optional<Unwinder> unwinder_;

    std::unordered_map<pid_t, Task> tasks_;
    std::map<pid_t, Process> processes_;
    std::unordered_map<FdTableId, Table> tables_;
    // Stops of new children reported before their parent's fork event.
    std::unordered_map<pid_t, int> early_stops_;
    std::vector<std::pair<pid_t, int>> replay_;  // early stops whose task now exists
    std::vector<pid_t> roots_;
    FdTableId next_table_ = 1;
    Phase phase_ = Phase::Running;
    int awaiting_ = 0;
    bool attached_ = false;
    pid_t root_ = 0;
    int root_status_ = -1;
    bool root_exec_seen_ = false;
    int root_exec_error_ = 0;
};

}  // namespace fdscope::trace::ptrace
