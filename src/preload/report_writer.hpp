// FDSCOPE_REPORT: the library's report of one process, written from its own
// table (sys/preload_layout.hpp) at exit and on FDSCOPE_DUMP_SIGNAL.
//
// The contract between the library's core (which calls it) and the report
// writer (which implements it), and with fdscope (`trace --engine preload`
// reads the file). It runs in the traced process, possibly in a signal
// handler: raw syscalls only, no malloc, no stdio, no locks, no exceptions,
// errno kept. Frames are written as module path + file offset (from
// /proc/self/maps at write time); symbolizing is fdscope's job.
//
// The file: `path_template` with every "%p" replaced by the pid (without
// "%p" every process of a tree appends to the one file). One JSON document
// per process, on one line, appended with one write(2) per document where it
// fits (O_APPEND), so concurrent writers never interleave:
//   {"fdscope_preload_report":1,"reason":"exit"|"signal"|"exec","pid":N,"ppid":N,
//    "command":"comm","exe":"/path","time":UNIX_SECONDS,
//    "cloexec_mode":"off"|"all"|"exec","quarantine":N,"stack_mode":"fp"|"libunwind"|"none",
//    "leaks":[ the `leaks` entries of `fdscope trace --json` (docs/json.md), grouped by
//              creation stack, with every fd number in "fds" (no cap), "first"/"last"
//              in seconds since the library loaded, "inherited": true for fds a
//              fork parent made, and frames {"function":null,"file":null,
//              "line":null,"module":PATH,"offset":N} ],
//    "stdio_open":[ as leaks, for fds 0-2 the library saw made ],
//    "untraced_open":[{"fd":N,"kind":K,"name":S}: open fds with no slot: origin unknown],
//    "incidents":[{"type":"stale_close"|"ownership_violation","fd":N,"tid":N,"time":T,
//                  "stack":[...],"owner":"FILE"|"DIR"|null,
//                  "created":{"op":..,"tid":..,"time":..,"stack":[...]},
//                  "first_close":{"tid":..,"time":..,"stack":[...]}|null}],
//    "summary":{"creates":N,"closes":N,"overflow_fds":N,"stacks_dropped":N,
//               "cloexec_changes":N,"stale_closes":N,"ownership_violations":N,
//               "incidents_dropped":N}}
#pragma once

#include "sys/preload_layout.hpp"

namespace fdscope::preload {

// Exec: the image is about to be replaced (an exec wrapper calls it just
// before the real execve): its fds with close-on-exec close, the others
// cross into the next image, whose library writes its own report. fdscope
// reads the reports of one pid in load order.
enum class ReportReason : unsigned char { Exit, Signal, Exec };

// Writes this process's report from `table` (the live table of the calling
// process). False when the file could not be opened or written.
bool write_report(const sys::preload::TableHeader& table, const char* path_template, ReportReason why) noexcept;

}  // namespace fdscope::preload
