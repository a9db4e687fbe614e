// What a traced event sequence says about fd handling: leaks, fds that
// crossed an exec, stale, double and EBADF closes, suspicious replaces and
// failed calls. Pure: events in (model/event.hpp, in the order the kernel
// ran them), findings out.
//
// The book is incremental with bounded memory, because a ten-minute trace
// must not keep its events: TraceBook::add() takes one event at a time and
// keeps per-fd state only for live fds (a copy of each live incarnation's
// creation event), per fd number of a live table only the last closed
// incarnation (its creation and its close) and which threads and close
// sites touched the last two incarnations, and per table nothing once the
// table is gone. Findings are kept as they are found, as copies of the
// events they cite; lists of single findings are capped (kMaxFindings, the
// rest counted in Summary::dropped_findings), leaks are grouped as they
// die. So memory follows the live fds, the fd numbers in use, the
// processes and the distinct creation stacks, never the event count.
//
// The book replays the kernel's fd-table rules:
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
//  - a Reconcile event and the Present events after it are the kernel's
//    whole table: a live fd it lacks was closed unseen, a listed fd the
//    book does not know was created unseen (present at start on the
//    table's first reconcile, else origin unknown), a known fd takes the
//    kernel's kind and name ("TCP 127.0.0.1:8080 (LISTEN)"); a reconcile
//    of a table that already died (sent after its last exit) is ignored;
//  - a table dies when the last task using it exits: its open fds leak
//    then. Tasks using a table are the tids seen on its events and the
//    children forked or cloned onto it.
//
// Close rules (Android fdsan's, without its ownership tags):
//  - stale close: close(N) succeeds on incarnation k of N, the closer's
//    last interaction with N was incarnation k-1, and k was made by
//    another thread or at another site than k-1 was. The closer is tied to
//    k-1 by its thread (it created or closed k-1 and has not touched k) or
//    by its close site (the same stack closed k-1; this catches one thread
//    closing twice, and then k's creation stack must differ from k-1's, so
//    two threads running the same open/close code are not blamed). Not
//    judged stale: a hand-off (A creates k, B closes it, B never touched
//    k-1), a worker closing what one acceptor keeps making at one site
//    (k and k-1 made alike), close_range. These are evidence chains, not
//    verdicts (fdsan's doc: blame can land on a bystander); the chain is
//    strengthened when k's creator later gets EBADF closing N.
//  - double close: close(N) fails with EBADF and N's last event was a
//    close (explicit, close_range, an exec's cloexec sweep, a dup2 over
//    it), not a close the book only inferred from a reconcile.
//  - EBADF close: close(N) fails with EBADF on a number never seen open.
//  - close-all sweep: kSweepMin or more ascending EBADF closes from one
//    thread and site (for fd in 3..N close(fd)): one benign entry, its
//    EBADF closes are not reported one by one.
//  - suspicious replace: dup2/dup3 onto an open fd >= 3 whose traced
//    creation was at another site (another stack) than the dup.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "model/event.hpp"
#include "model/kind.hpp"

namespace fdscope::report {

inline constexpr std::size_t kMaxFindings = 10000;   // per list of single findings
inline constexpr std::size_t kSweepMin = 3;          // ascending EBADF closes that make a sweep
inline constexpr std::size_t kMaxLeakSamples = 65536;  // fds listed per leak group (numbers, for diffing with valgrind)
inline constexpr std::size_t kMaxNames = 5;          // distinct names listed per group

// Where the live incarnation of an fd came from.
enum class Origin : std::uint8_t {
    Traced,          // a traced call created it (or the table it was copied from got it so)
    PresentAtStart,  // listed by the table's first reconcile (or a Present before any): there before tracing
    Unknown,         // listed by a later reconcile: created unseen (io_uring, a lost event, ...)
};
std::string_view origin_name(Origin o);  // "traced", "present_at_start", "origin_unknown"

// One leaked fd: open when its table died, or when the book was finished.
struct LeakedFd {
    FdTableId table = 0;
    std::int32_t pid = 0;          // the process holding the table
    int fd = -1;
    std::uint64_t created_ns = 0;  // its creation event's time
    Kind kind = Kind::Unknown;     // refined by reconciles
    std::string name;
    bool table_exited = false;     // open when its table's last task exited (else open at the end)
};

enum class LeakClass : std::uint8_t {
    Traced,          // created while traced, fd >= 3: the program's leaks
    Stdio,           // created while traced onto 0-2 (a child's dup2'd stdio): listed apart
    PresentAtStart,  // there before tracing: listed apart
    OriginUnknown,   // created unseen: listed apart, no stack
};

// Leaked fds of one class, one holding process and one creation stack.
struct LeakGroup {
    LeakClass cls = LeakClass::Traced;
    std::int32_t pid = 0;
    StackId stack = kNoStack;
    FdEvent created;                // the first fd's creation event (op, tid, flags, stack)
    std::size_t count = 0;
    std::size_t exited = 0;         // of count: open when the table exited
    std::vector<Kind> kinds;        // distinct, in order of first appearance
    std::vector<std::string> names; // distinct, at most kMaxNames
    std::vector<LeakedFd> fds;      // the first kMaxLeakSamples, in the order they died
    std::uint64_t first_ns = 0;     // earliest and latest creation time
    std::uint64_t last_ns = 0;
};

// An fd without cloexec open across an execve/execveat that succeeded.
struct ExecCrossing {
    FdEvent exec;        // the exec: pid, tid, name = the new program
    FdTableId table = 0; // the table after the exec
    int fd = -1;
    FdEvent created;     // the creation event of the incarnation that crossed
    Origin origin = Origin::Traced;
    Kind kind = Kind::Unknown;  // refined by reconciles
    std::string name;
    bool first_exec = false;    // the exec was the first one seen of its process
};

// How a stale closer was tied to incarnation k-1.
enum class StaleTie : std::uint8_t { CreatedPrevious, ClosedPrevious, SameCloseSite };
std::string_view stale_tie_name(StaleTie t);  // "created_previous", "closed_previous", "same_close_site"

struct StaleClose {
    FdEvent close;               // the close that hit incarnation k
    FdEvent victim;              // k's creation: the file closed by mistake
    Origin victim_origin = Origin::Traced;
    FdEvent previous_created;    // k-1's creation
    FdEvent previous_closed;     // k-1's close
    StaleTie tie = StaleTie::ClosedPrevious;
    std::optional<FdEvent> victim_ebadf;  // k's creator's later close of N that failed with EBADF
};

struct DoubleClose {
    FdEvent close;           // the EBADF close
    FdEvent previous_close;  // the close before it (close, close_range, exec, dup2)
    FdEvent created;         // the incarnation both closes were aimed at
};

// A close of a number never seen open in that table (neither created nor
// present nor inherited), or last seen closed without a traced close.
struct EbadfClose {
    FdEvent close;
};

// Ascending EBADF closes of one thread at one site: a close-all loop.
struct CloseSweep {
    FdTableId table = 0;
    FdEvent first;             // the first close of the sweep (pid, tid, stack, time)
    int first_fd = -1;
    int last_fd = -1;          // the highest number the sweep closed
    std::size_t ebadf = 0;     // closes that failed with EBADF
    std::size_t closed = 0;    // closes in its range that closed an open fd
};

struct SuspiciousReplace {
    FdEvent dup;        // the dup2/dup3
    int fd = -1;        // the target
    FdEvent replaced;   // the replaced incarnation's creation
    Kind kind = Kind::Unknown;
    std::string name;
};

// Failed calls of one op with one errno from one site. A close's EBADF is
// not grouped here: the close rules above report it.
struct ErrorGroup {
    Op op = Op::Close;
    int error = 0;
    StackId stack = kNoStack;
    std::size_t count = 0;
    FdEvent first;
    std::vector<std::string> names;  // distinct names tried (paths), at most kMaxNames
};

struct OpCount {
    std::uint64_t calls = 0;
    std::uint64_t errors = 0;
};

struct Summary {
    std::array<OpCount, kOpCount> ops{};                // per Op, every event counted
    std::array<std::uint64_t, kKindCount> created{};    // fds created per kind (traced creators and dups)
    std::uint64_t events = 0;
    std::uint64_t errors = 0;               // failed calls (EBADF closes included)
    std::uint64_t lost_events = 0;          // the sum of Lost events' counts: findings are incomplete when > 0
    std::vector<std::pair<std::int32_t, std::uint64_t>> lost_by_pid;  // (pid, lost); pid 0 = not said
    std::vector<std::pair<std::int32_t, std::size_t>> peak_fds;       // (pid, most fds open at once)
    std::uint64_t closed_unseen = 0;        // live fds a reconcile did not list
    std::vector<std::pair<std::int32_t, std::uint64_t>> closed_unseen_by_pid;
    std::uint64_t present_at_start = 0;     // fds first known from a reconcile, by origin
    std::uint64_t origin_unknown = 0;
    std::uint64_t unknown_closes = 0;       // closes that released a number the book never saw open
    std::uint64_t reconciles = 0;
    std::uint64_t dropped_findings = 0;     // single findings past kMaxFindings per list
};

struct TraceLedger {
    std::vector<LeakGroup> leaks;           // LeakClass::Traced; most fds first, then pid, stack
    std::vector<LeakGroup> stdio_open;      // LeakClass::Stdio
    std::vector<LeakGroup> untraced_open;   // PresentAtStart, then OriginUnknown groups
    std::vector<ExecCrossing> crossings;    // in event order, fds ascending per exec
    std::vector<StaleClose> stale_closes;   // in event order
    std::vector<DoubleClose> double_closes;
    std::vector<EbadfClose> ebadf_closes;
    std::vector<CloseSweep> sweeps;
    std::vector<SuspiciousReplace> suspicious_replaces;
    std::vector<ErrorGroup> errors;         // most frequent first, then op, errno, stack
    Summary summary;
};

class TraceBook {
public:
    TraceBook();
    ~TraceBook();
    TraceBook(TraceBook&&) noexcept;
    TraceBook& operator=(TraceBook&&) noexcept;

    void add(const FdEvent& e);
    // The findings so far; fds open in tables still alive are leaks "at
    // the end" (table_exited false). The book is unchanged and may go on.
    TraceLedger finish() const;

    // What the book holds, for the bounded-memory promise.
    std::size_t live_fds() const;         // open fds over all live tables
    std::size_t tracked_numbers() const;  // fd numbers with state (live or last closed) over all live tables
    std::size_t tables() const;           // live tables

private:
    struct State;
    std::unique_ptr<State> s_;
};

// The whole sequence at once (tests, replays of a recorded log).
TraceLedger trace_ledger(std::span<const FdEvent> events);

}  // namespace fdscope::report
