// The final report of `fdscope trace`: the ledger's findings
// (report/trace_ledger) joined with the traced processes and the engine's
// figures, in the order and the words the view prints, and the verdict
// for `--fail-on` / `--max-leaks`. Pure.
//
// Times are seconds since tracing began (TraceRun::start_ns). Stacks stay
// StackIds: the command symbolizes the ones trace_report_stacks() names
// and hands the frames to the view.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/event.hpp"
#include "model/kind.hpp"
#include "model/trace_run.hpp"
#include "report/trace_ledger.hpp"

namespace fdscope::report {

// What the command knows besides the ledger.
struct TraceRun {
    std::string engine;               // "ptrace", "bpf"
    std::optional<int> exit_status;   // fdscope's exit status from the traced command; none when attached
    std::vector<ProcessRecord> processes;
    EngineStats stats;
    std::uint64_t start_ns = 0;       // CLOCK_MONOTONIC when tracing began; 0: the earliest process start
};

struct TraceProcess {
    pid_t pid = 0;
    pid_t parent = 0;
    std::string command;
    std::string exe;
    double start = 0;                 // seconds since tracing began
    std::optional<double> end;        // exit or detach; none while it ran
    std::optional<int> exit_code;     // it exited (WIFEXITED)
    std::optional<int> signal;        // it was killed (WIFSIGNALED)
};

// Where something was done: the task and the call site.
struct TraceSite {
    pid_t pid = 0;
    pid_t tid = 0;
    std::string command;              // the process's command as the report knows it
    Op op = Op::Close;
    StackId stack = kNoStack;
    double time = 0;
};

struct TraceLeak {
    LeakClass cls = LeakClass::Traced;
    pid_t pid = 0;
    std::string command;
    std::size_t count = 0;
    std::size_t exited = 0;           // of count: open when the process exited (the rest at the end of tracing)
    std::vector<Kind> kinds;
    std::vector<std::string> names;
    std::vector<int> fds;             // a sample
    TraceSite created;                // the first fd's creation (its op and stack name the group)
    double first = 0, last = 0;       // creation times
};

// An exec an fd survived: the process that exec'd and what it became.
struct TraceTarget {
    pid_t pid = 0;
    std::string exe;
    double time = 0;
};

// One incarnation of an fd without close-on-exec and every exec it
// survived (a pipe inherited by a thousand children is one crossing).
struct TraceCrossing {
    pid_t pid = 0;                    // the process that created the fd (for one from before tracing: the first that exec'd)
    int fd = -1;
    Kind kind = Kind::Unknown;
    std::string name;
    Origin origin = Origin::Traced;
    TraceSite created;
    std::vector<TraceTarget> into;    // in exec order
    std::string fix;
};

struct TraceStaleClose {
    pid_t pid = 0;
    pid_t tid = 0;
    int fd = -1;
    TraceSite closed;                 // the stale close
    TraceSite victim;                 // incarnation k's creation
    std::string victim_name;
    Kind victim_kind = Kind::Unknown;
    TraceSite previous_created;       // incarnation k-1
    TraceSite previous_closed;
    StaleTie tie = StaleTie::ClosedPrevious;
    std::optional<TraceSite> victim_ebadf;  // the victim's later close of fd that failed with EBADF
    std::string evidence;             // the chain, one sentence
};

struct TraceDoubleClose {
    pid_t pid = 0;
    int fd = -1;
    TraceSite second;
    TraceSite first;                  // the close before (close, close_range, an exec, a dup2)
    TraceSite created;
    std::string name;                 // of the incarnation both aimed at
};

// One EBADF close of a number never seen open, or a benign close-all sweep.
struct TraceEbadfClose {
    bool sweep = false;
    pid_t pid = 0;
    TraceSite site;
    int fd = -1;                      // the number; a sweep's first
    int last_fd = -1;                 // a sweep's highest
    std::size_t count = 1;            // a sweep's EBADF closes
};

struct TraceReplace {
    pid_t pid = 0;
    int fd = -1;
    TraceSite dup;
    TraceSite replaced;               // the replaced fd's creation
    Kind kind = Kind::Unknown;
    std::string name;
};

// `--why`: what the `why` engine found for one failing path operation,
// asked as the traced thread while it was stopped at the failure.
struct TraceWhy {
    std::string path;
    std::string layer;                // the blocking layer ("mode", "search", ...); "" when it found none
    std::string text;                 // its explanation, or why none was found
    std::string fix;
    bool agrees = false;              // why's predicted errno is the one the call got
};

struct TraceError {
    Op op = Op::Close;
    int error = 0;
    std::string errno_name;           // "EMFILE"
    std::size_t count = 0;
    TraceSite first;
    std::vector<std::string> names;
    std::vector<TraceWhy> why;        // --why, one per distinct path of this group
};

struct TraceOpCount {
    Op op = Op::Close;
    std::uint64_t calls = 0;
    std::uint64_t errors = 0;
};

struct TraceKindCount {
    Kind kind = Kind::Unknown;
    std::uint64_t created = 0;
};

struct TracePeak {
    pid_t pid = 0;
    std::string command;
    std::size_t fds = 0;
};

struct TraceSummary {
    std::vector<TraceOpCount> syscalls;  // ops seen, most calls first
    std::vector<TraceKindCount> kinds;   // kinds created, most first
    std::vector<TracePeak> peak_fds;     // most first
    std::uint64_t events = 0;
    std::uint64_t errors = 0;
    std::uint64_t lost_events = 0;
    std::vector<std::pair<pid_t, std::uint64_t>> lost_by_pid;
    std::uint64_t closed_unseen = 0;
    std::uint64_t present_at_start = 0;
    std::uint64_t origin_unknown = 0;
    std::uint64_t reconciles = 0;
    std::uint64_t dropped_findings = 0;
    std::uint64_t stops = 0;             // the engine's figures (EngineStats)
    std::uint64_t syscall_stops = 0;
    std::uint64_t skipped_exit_stops = 0;
    std::uint64_t unwinds = 0;
};

struct TraceReport {
    std::string engine;
    std::optional<int> exit_status;
    std::vector<TraceProcess> processes;         // by start time, then pid
    std::vector<TraceLeak> leaks;                // the program's: most fds first
    std::size_t leaked_fds = 0;                  // their sum
    std::vector<TraceLeak> stdio_open;           // fds 0-2 made while traced, open at the end
    std::vector<TraceLeak> untraced_open;        // present at start, then origin unknown
    std::vector<TraceCrossing> crossed_exec;     // fds >= 3 (stdio is meant to cross), by first exec
    std::vector<TraceStaleClose> stale_closes;
    std::vector<TraceDoubleClose> double_closes;
    std::vector<TraceEbadfClose> ebadf_closes;   // single closes in order, then sweeps
    std::vector<TraceReplace> suspicious_replaces;
    std::vector<TraceError> errors;              // most frequent first
    TraceSummary summary;
    std::uint64_t lost_events = 0;
    std::vector<std::string> notes;              // the engine's, then what the ledger adds (lost events, unseen closes)
};

TraceReport build_trace_report(const TraceLedger& ledger, const TraceRun& run);

// The flag to add at the call site that made an fd which crossed an exec:
// by the creating op ("add O_CLOEXEC", "accept4(…, SOCK_CLOEXEC)"), for an
// fd that was created with close-on-exec and lost it the F_SETFD/FIONCLEX
// that cleared it, for one from before tracing (or of unknown origin)
// close_range before exec.
std::string cloexec_fix(Op created_by, bool created_cloexec, Origin origin);

// The stacks the report names (ascending, no kNoStack): what to symbolize.
std::vector<StackId> trace_report_stacks(const TraceReport& r);

// `--fail-on leak,crossed-exec,stale-close,double-close` and `--max-leaks N`.
struct FailOn {
    bool leak = false;
    bool crossed_exec = false;
    bool stale_close = false;
    bool double_close = false;
    std::size_t max_leaks = 0;   // leaked fds tolerated with `leak`
};

// The findings that make the run fail, in the option's spelling
// ("leak", "crossed-exec", ...); empty: it passes.
std::vector<std::string> failures(const TraceReport& r, const FailOn& on);
inline bool fails(const TraceReport& r, const FailOn& on) { return !failures(r, on).empty(); }

}  // namespace fdscope::report
