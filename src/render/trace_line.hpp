// One fd event of `fdscope trace` for people (the live log, strace-like
// with the fd's meaning) and for scripts (--ndjson, one object a line):
//
//   [1234] openat("/var/log/app.log", O_WRONLY|O_APPEND) = 7 file  at log_open (log.c:42)
//   [1234 1240] close(7) = 0
//   [1234] pipe2([3, 4], O_CLOEXEC) = 0 pipe
//   [1234] openat("/nope", O_RDONLY) = -1 ENOENT (No such file or directory)
//
// The bracket holds the pid, and the tid when it differs. Names are bytes:
// escaped as in tables (render/escape.hpp) and quotes escaped, so a line
// stays one line whatever the traced program named its files. Numbers the
// decoder could not read (model/event.hpp) print as "?".
#pragma once
#include <string>
#include <string_view>

#include "model/event.hpp"
#include "render/json_writer.hpp"
#include "render/output.hpp"

namespace fdscope::render {

// `location` is the creating frame as the caller symbolized it
// ("log_open (log.c:42)"); "" leaves the "  at ..." part out.
std::string live_line(const FdEvent& e, std::string_view location);

// "EMFILE", or "E123" for a number libc has no name for.
std::string errno_name(int err);

// The event as one JSON object:
// {"type":"event","time_ns","pid","tid","table","new_table","op","fd","fd2",
//  "flags","cloexec","result","errno","kind","name","stack"}; `errno` is
// null on success, `stack` null without one, `name_escaped` as elsewhere.
void write_event_json(JsonWriter& j, const FdEvent& e);
// The same followed by a newline: one NDJSON record.
void write_event_line(Output& out, const FdEvent& e);

}  // namespace fdscope::render
