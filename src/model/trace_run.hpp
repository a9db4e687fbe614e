// What a trace run knows besides its events: the processes of the traced
// tree and the engine's own figures. Engines fill them (trace/engine.hpp),
// the report and its rendering read them; plain data in model so that the
// pure layers need not know the engines.
#pragma once
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace fdscope {

// A process of the traced tree, as the report lists it.
struct ProcessRecord {
    pid_t pid = 0;
    pid_t parent = 0;             // 0 for the launched command and attached roots
    std::string command;          // comm after the last exec
    std::string exe;              // the last exec's file ("" before any exec seen)
    std::vector<std::string> argv;  // of the last exec, when read (may be empty)
    std::uint64_t start_ns = 0;   // CLOCK_MONOTONIC: fork, or when tracing began
    std::uint64_t end_ns = 0;     // exit, or when tracing stopped; 0 while running
    bool exited = false;          // it exited while traced (else detached or still running)
    int wait_status = -1;         // the raw wait status when it exited and was reaped, else -1
};

struct EngineStats {
    std::uint64_t events = 0;          // sent to the sink
    std::uint64_t lost_events = 0;     // dropped by the engine (BPF ring full)
    std::vector<pid_t> lost_pids;      // whose events were dropped (sorted, unique)
    std::uint64_t stops = 0;           // ptrace stops of any kind
    std::uint64_t syscall_stops = 0;   // of those: seccomp, entry and exit stops
    std::uint64_t skipped_exit_stops = 0;  // closes of known-open fds restarted without an exit stop
    std::uint64_t reconciles = 0;
    std::uint64_t unwinds = 0;         // stacks captured
    // Facts the report states (one sentence each): "attached: every syscall
    // stops (no seccomp filter can be added to a running process)", "module
    // X has no frame pointers: stacks stop there; --engine ptrace unwinds
    // with DWARF", lost events and which processes, ...
    std::vector<std::string> notes;
};

}  // namespace fdscope
