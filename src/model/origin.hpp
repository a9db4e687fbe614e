// Where each fd of a process was created, as libfdscope-preload.so recorded
// it inside the process (sys/preload_layout.hpp) and collect/preload_table
// read it from outside: the op, thread, time and creation stack per fd,
// reconciled against the fds the process really has. Plain data; the
// stacks arrive as raw pcs and are symbolized later (in cli/, which may
// use symbolize/), once per distinct stack.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

#include "model/stack.hpp"

namespace fdscope {

enum class FdOwner : std::uint8_t { None, File, Dir };  // FILE* / DIR* that closes it
const char* fd_owner_name(FdOwner o);  // null for None, "FILE", "DIR"

// One creation (or closing) stack of the table, interned: many fds share it.
struct OriginStack {
    std::vector<std::uint64_t> pcs;           // return addresses, innermost first
    std::vector<SymbolizedFrame> frames;      // filled by symbolization (inlined frames included)
    bool symbolized = false;
    std::string site;                         // the innermost useful frame as text, "-" when none
};

// What the library recorded of one open fd.
struct Origin {
    std::int32_t fd = -1;
    std::string op;                 // "openat", "socket", "fopen", ...; "fdscope-log", "fdscope-placeholder": the library's own
    pid_t tid = 0;
    double time = 0;                // Unix seconds (the table's realtime offset + CLOCK_MONOTONIC)
    bool inherited = false;         // made by another process (a fork parent) before this one forked
    bool cloexec_forced = false;    // FDSCOPE_CLOEXEC added close-on-exec
    bool handed_on = false;         // the program cleared close-on-exec itself
    bool via_syscall = false;       // made through syscall(3)
    bool quarantined = false;       // a closed number kept by FDSCOPE_QUARANTINE (O_PATH placeholder)
    bool library_fd = false;        // the library's own: its FDSCOPE_LOG fd or FDSCOPE_QUARANTINE's placeholder
    FdOwner owner = FdOwner::None;
    std::uint32_t stack = 0;        // index in ProcessOrigins::stacks, 0 = no stack
    // Quarantined: the close that quarantined it.
    std::uint32_t close_stack = 0;
    pid_t close_tid = 0;
    double close_time = 0;
};

// One process's table, read and reconciled.
struct ProcessOrigins {
    pid_t pid = 0;
    pid_t table_tid = 0;            // the task whose fd table the origins were reconciled with
    bool found = false;             // the process has an [anon:fdscope-table] mapping
    std::string error;              // "" when the table was read; else why not (for the note)
    std::vector<Origin> fds;        // sorted by fd: the open fds the library saw
    std::vector<OriginStack> stacks;  // [0] is the empty stack
    std::uint64_t unseen = 0;       // open fds without a slot: origin unknown
    std::uint64_t stale_slots = 0;  // slots that say Open for an fd the process does not have
    std::uint64_t unstable = 0;     // slots still being written after every retry
    std::uint64_t overflow_fds = 0; // the library's count of fds beyond its slots
    std::uint64_t stacks_dropped = 0;
    std::uint64_t incidents = 0;    // stale closes and ownership violations the library kept
    std::uint32_t generation = 0;   // forks since the library loaded

    // The origin of `fd`, null when the library did not see it.
    const Origin* find(std::int32_t fd) const;
    const OriginStack& stack_of(std::uint32_t id) const { return stacks[id < stacks.size() ? id : 0]; }
};

using OriginsPtr = std::shared_ptr<ProcessOrigins>;

}  // namespace fdscope
