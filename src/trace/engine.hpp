// The contract every trace engine (ptrace, BPF) keeps with `fdscope trace`:
// the engine runs or attaches to the traced tree and hands each fd
// lifecycle event (model/event.hpp) to a Sink as it happens; the command
// keeps the books (report/trace_ledger) and prints. One event model, one
// report, whatever the engine.
//
// Order: events reach the sink in the order the kernel ran them per fd
// table (ptrace: the order of the stops; BPF: ring-buffer order, which is
// reservation order across CPUs). A creator's event comes after its call
// returned, a close's event may come at its entry (ptrace skips the exit
// stop of a close of an fd it knows is open: the kernel releases an open
// fd whatever close returns).
//
// Reconciliation: the engine reads the kernel's fd table of a traced
// process (trace/reconcile.hpp) at start (attach, or the launched child
// before its exec), at each exec, after lost events and at each exit while
// the table still holds its fds (ptrace: PTRACE_EVENT_EXIT; BPF: at the
// end for what is still running), and sends it as one Op::Reconcile event
// followed by its Op::Present events.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "model/event.hpp"
#include "model/stack.hpp"
#include "model/trace_run.hpp"

namespace fdscope::trace {


enum class EngineKind : std::uint8_t { Ptrace, Bpf, Preload };
std::string_view engine_name(EngineKind k);  // "ptrace", "bpf", "preload"

struct StackOptions {
    bool enabled = true;
    unsigned depth = 32;  // frames kept, innermost first
};

struct EngineOptions {
    StackOptions stacks;
    // Set (from a signal handler) to end an attach: the engine detaches
    // every task, leaving it running and unchanged, and returns. A launch
    // does not look at it: the launched tree shares the terminal, gets the
    // Ctrl-C itself, and the engine runs until its last process ends.
    const std::atomic<bool>* stop = nullptr;
    // BPF: ring-buffer size in bytes (a power of two, >= page size); 0 = default.
    std::size_t ring_bytes = 0;
};

struct RunResult {
    bool ok = false;         // false: the engine could not start (error says why); nothing ran
    std::string error;
    // Launch: the command's wait status (WIFEXITED/WIFSIGNALED), -1 when it
    // did not run or was not reaped. Attach: -1.
    int wait_status = -1;
    EngineStats stats;
};

// What the engine hands out as it runs. Called on the engine's thread.
// ptrace: the task the event is about is still stopped when event() runs
// (for an exit-stop event), so a sink may read its /proc entries and its
// memory (the `--why` handler does); it must not ptrace it.
class Sink {
public:
    virtual ~Sink() = default;
    virtual void event(const FdEvent& e) = 0;
    // A process appeared, exec'd or ended; the latest record of that pid.
    virtual void process(const ProcessRecord& p) = 0;
    // An attach is in place (every task of `pids` traced from now on);
    // `cost` says in a few words what tracing costs them ("every syscall
    // stops").
    virtual void attached(const std::vector<pid_t>& pids, std::string_view cost) {
        (void)pids;
        (void)cost;
    }
};

class Engine {
public:
    virtual ~Engine() = default;
    virtual EngineKind kind() const = 0;
    // Runs argv (argv[0] looked up in PATH as execvp does) with the caller's
    // stdio and environment and traces its whole tree until the last
    // process of it ends.
    // Stacks are interned into `stacks`.
    virtual RunResult launch(const std::vector<std::string>& argv, const EngineOptions& opts, Sink& sink,
                             StackTable& stacks) = 0;
    // Traces the running processes `pids` (every thread of each, and the
    // children they fork from now on) until they all exit or `stop` is set;
    // then detaches, leaving every task running and unchanged.
    virtual RunResult attach(const std::vector<pid_t>& pids, const EngineOptions& opts, Sink& sink,
                             StackTable& stacks) = 0;
};

std::unique_ptr<Engine> make_ptrace_engine();
// nullptr with `why` set when the BPF engine is not built or cannot load
// here (not root, no BTF, a program refused): a sentence naming the cause.
// Loading is what is checked: `auto` tries this first.
std::unique_ptr<Engine> make_bpf_engine(std::string& why);
// The preload engine (trace/preload/): runs the command with
// libfdscope-preload.so in LD_PRELOAD and FDSCOPE_REPORT set, waits for its
// whole tree, then turns the library's reports into events: they all come
// at the end, one creation per fd still open. It cannot attach. nullptr
// with `why` set when the library is not found (the places looked at).
std::unique_ptr<Engine> make_preload_engine(std::string& why);
// Where the library is: beside the running fdscope, else in
// ../lib/fdscope/ from it (the installed layout); "" with `looked` naming
// the places tried.
std::string find_preload_library(std::string& looked);

}  // namespace fdscope::trace
