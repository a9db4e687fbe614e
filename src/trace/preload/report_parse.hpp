// The FDSCOPE_REPORT documents libfdscope-preload.so writes (one JSON
// document a line, preload/report_writer.hpp gives the format), parsed
// for `fdscope trace --engine preload`, and turned into the events of the
// one event model (model/event.hpp) so that the ledger and the report are
// the other engines'. Pure: text in, reports and notes out; reports to
// events with the stacks interned. A report file is the traced program's
// writing and trusts nothing: a line that is not a report, a number out of
// range, a string that is not UTF-8 gives a note, never a crash.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "model/event.hpp"
#include "model/kind.hpp"
#include "model/stack.hpp"
#include "model/trace_run.hpp"

namespace fdscope::trace::preload {

struct ReportFrame {
    std::string module;                  // "" when no mapping held the pc
    std::optional<std::uint64_t> offset; // file offset in module
    std::uint64_t pc = 0;
};

// A call the library saw: its thread, CLOCK_MONOTONIC time and stack.
struct ReportCall {
    std::int32_t tid = 0;
    std::uint64_t ns = 0;
    std::vector<ReportFrame> stack;
};

struct ReportFd {
    int fd = -1;
    std::int32_t tid = 0;
    std::int32_t creator_pid = 0;  // another pid than the report's: made by a fork parent
    std::uint64_t ns = 0;
    Op op = Op::Openat;
    std::string libc_op;           // the wrapped function ("fopen", "open64", ...)
    Kind kind = Kind::Unknown;
    std::string name;              // the kernel's (readlink of /proc/self/fd/N) at report time
    bool cloexec = false;
};

// Fds of one creation stack (and one side of a fork: made here or inherited).
struct ReportGroup {
    bool inherited = false;
    std::vector<ReportFrame> stack;
    std::vector<ReportFd> fds;
};

struct UntracedFd {
    int fd = -1;
    Kind kind = Kind::Unknown;
    std::string name;
    bool cloexec = false;
};

struct ReportIncident {
    bool stale_close = false;      // else an ownership violation
    int fd = -1;
    ReportCall close;              // the offending close
    std::string owner;             // "FILE", "DIR" or ""
    Op created_op = Op::Openat;
    std::string created_libc_op;
    ReportCall created;
    std::optional<ReportCall> first_close;
};

struct ReportSummary {
    std::uint64_t creates = 0, closes = 0, overflow_fds = 0, stacks_dropped = 0, cloexec_changes = 0,
                  stale_closes = 0, ownership_violations = 0, incidents_dropped = 0;
};

enum class Reason : std::uint8_t { Exit, Signal, Exec };

struct Report {
    Reason reason = Reason::Exit;
    pid_t pid = 0, ppid = 0;
    std::string command, exe;
    std::uint64_t load_ns = 0;  // CLOCK_MONOTONIC when the library loaded in this image
    std::uint64_t now_ns = 0;   // when the report was written
    std::string cloexec_mode, stack_mode;
    std::uint64_t quarantine = 0;
    std::vector<ReportGroup> leaks;       // fds >= 3
    std::vector<ReportGroup> stdio_open;  // fds 0-2 made while the library ran
    std::vector<UntracedFd> untraced_open;
    std::vector<ReportIncident> incidents;
    ReportSummary summary;
};

// Every report of `text` (a report file: one document a line). `source`
// names it in notes ("report.4711 line 3: not JSON").
std::vector<Report> parse_reports(std::string_view text, std::string_view source, std::vector<std::string>& notes);

// The op of the event model a wrapped libc function stands for (the
// syscall glibc makes for it: fopen and opendir open with openat, popen
// makes a pipe2); nullopt for a name the library does not write.
std::optional<Op> op_of_libc(std::string_view name);

// What the events need beyond the reports.
struct Launch {
    pid_t root = 0;                          // the launched command
    std::uint64_t start_ns = 0;              // CLOCK_MONOTONIC at launch
    std::vector<FdEvent> inherited;          // Present events: the fds the command got from fdscope (0-2)
    struct Reaped {
        int wait_status = -1;
        std::uint64_t end_ns = 0;
    };
    std::map<pid_t, Reaped> reaped;          // processes fdscope waited for (the root, and orphans it took in)
};

// A raw frame from a report frame: the module's build-id is read from the
// file (by the caller: the engine reads ELF files, tests give a table).
using FrameMaker = std::function<RawFrame(const ReportFrame&)>;

// The events of every process of the reports, in order per fd table, and
// the process records: per process image, a creation event for each fd it
// still had open (with its thread, time and creation stack), the
// library's incidents as the close events that tell them (a stale close
// caught by the quarantine is a double close of the fd it had closed), an
// exec event between the images of one pid, then the kernel's table at
// the end (a Reconcile and its Presents: the untraced fds are "origin
// unknown" unless fdscope itself passed them at launch) and the exit of
// every thread seen. Notes say what the reports could not (processes that
// wrote none, ownership violations, the library's counters).
struct Conversion {
    std::vector<FdEvent> events;
    std::vector<ProcessRecord> processes;
    std::vector<std::string> notes;
    // Ownership violations: their stacks, for the caller to name in notes
    // once it can symbolize ("pid 7: close(5) of an fd its FILE* owns").
    struct Violation {
        pid_t pid = 0;
        int fd = -1;
        std::int32_t tid = 0;
        std::string owner;
        StackId close_stack = kNoStack;
        StackId created_stack = kNoStack;
    };
    std::vector<Violation> violations;
};
Conversion convert_reports(std::vector<Report> reports, const Launch& launch, StackTable& stacks,
                           const FrameMaker& make_frame);

}  // namespace fdscope::trace::preload
