// What a traced event sequence says about fd handling: leaks, fds that
// crossed an exec, closes of numbers that were not open, and failed calls.
// Pure: events in (model/event.hpp, in the order the kernel ran them),
// findings out; every finding names events by their index in the input.
//
// The ledger replays the kernel's fd-table rules:
//  - tables are keyed by FdTableId, never by pid: threads and
//    clone(CLONE_FILES) children share one (fork/clone event with
//    new_table == table); fork, vfork and clone without CLONE_FILES give
//    the child a copy (new_table != table) with every fd, its cloexec flag
//    and its creation event, so an inherited fd keeps its creator's stack;
//  - execve/execveat that succeeded close every FD_CLOEXEC fd, the others
//    cross; a new_table != table on exec or unshare splits a shared table
//    first (the others keep the original);
//  - close releases the number even when it fails with EINTR or EIO, only
//    EBADF means it was not open; close_range closes [fd, fd2] (fd2 < 0:
//    to the end, as ~0U), or only sets cloexec with CLOSE_RANGE_CLOEXEC;
//  - dup2/dup3 onto an open fd closes it first; dup2(x, x) changes
//    nothing; the new fd's cloexec is the event's (dup, dup2: clear);
//  - F_SETFD, FIOCLEX/FIONCLEX set cloexec to the event's value;
//  - a table dies when the last task using it exits: its open fds leak
//    then. Tasks using a table are the tids seen on its events and the
//    children forked or cloned onto it.
//
// Not judged here: a close of a number that is open but was reused since
// the closing thread last saw it (fdsan's "stale close"). Without ownership
// it cannot be told from a hand-off (thread A creates, thread B closes, a
// common server pattern), so a rule on tids or stacks alone would blame
// correct programs; the preload's ownership tags are the evidence for it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "model/event.hpp"

namespace fdscope::report {

using EventIndex = std::size_t;  // position in the event sequence
inline constexpr EventIndex kNoEvent = std::numeric_limits<EventIndex>::max();

struct LeakedFd {
    FdTableId table = 0;
    int fd = -1;
    EventIndex created = kNoEvent;  // the create or dup event of this incarnation
    bool table_exited = false;      // open when its table's last task exited (else open at the end)
};

// Leaked fds that share a creation stack (the creation event's stack id).
struct LeakGroup {
    StackId stack = kNoStack;
    std::vector<LeakedFd> fds;  // in creation order; the count is fds.size()
};

// An fd without cloexec open across an execve/execveat that succeeded.
struct ExecCrossing {
    EventIndex exec = kNoEvent;
    FdTableId table = 0;  // the table after the exec
    int fd = -1;
    EventIndex created = kNoEvent;
};

// A close whose number's last lifecycle event was a close (explicit,
// close_range, an exec's cloexec sweep or a dup2 over it), with no create
// between: the second close of one incarnation.
struct DoubleClose {
    EventIndex close = kNoEvent;
    EventIndex previous_close = kNoEvent;
    EventIndex created = kNoEvent;  // the incarnation both closes were aimed at
};

// A close of a number the ledger never saw open in that table (neither
// created nor present nor inherited). Repeating it stays stale; it never
// becomes a double close.
struct StaleClose {
    EventIndex close = kNoEvent;
};

// Failed calls of one op with one errno (EMFILE on accept4, EBADF on close).
struct ErrorGroup {
    Op op = Op::Close;
    int error = 0;
    std::size_t count = 0;
    EventIndex first = kNoEvent;
};

struct TraceLedger {
    std::vector<LeakGroup> leaks;          // most fds first, then by stack id
    std::vector<ExecCrossing> crossings;   // in event order, fds ascending per exec
    std::vector<DoubleClose> double_closes;
    std::vector<StaleClose> stale_closes;
    std::vector<ErrorGroup> errors;        // most frequent first, then op, then errno
    // Fds left open whose creation was not seen (Op::Present): listed apart,
    // as pre-existing fds are not the traced program's leaks.
    std::vector<LeakedFd> present_open;
    std::uint64_t lost_events = 0;         // the findings are incomplete when > 0
};

TraceLedger trace_ledger(std::span<const FdEvent> events);

}  // namespace fdscope::report
