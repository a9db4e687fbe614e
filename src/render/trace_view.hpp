// The final report of `fdscope trace` for people (sections LEAKS, CROSSED
// EXEC, STALE CLOSE, DOUBLE CLOSE, EBADF CLOSES, SUSPICIOUS REPLACES,
// ERRORS, SUMMARY, each stack as frames) and as JSON (docs/json.md,
// "trace"). Stacks arrive symbolized: the caller's lookup gives the frames
// of a StackId (innermost first, inlined frames before their caller).
#pragma once
#include <cstddef>
#include <functional>
#include <vector>

#include "model/stack.hpp"
#include "render/output.hpp"
#include "report/trace_report.hpp"

namespace fdscope::render {

// Frames of a stack; empty when it was not captured or not symbolized.
using StackFrames = std::function<std::vector<SymbolizedFrame>(StackId)>;

struct TraceStyle {
    bool color = false;
    std::size_t max_frames = 8;   // per stack in text; JSON has them all
    std::size_t max_entries = 20; // per section in text (a thousand children each leaking one pipe); JSON has them all
};

void write_trace_text(Output& out, const report::TraceReport& r, const StackFrames& frames,
                      const TraceStyle& style = {});
void write_trace_json(Output& out, const report::TraceReport& r, const StackFrames& frames);

// One frame as the text shows it: "function (file:line)", "function
// (module+0x1a2b)" without debug info, "module+0x1a2b" without a symbol.
std::string frame_text(const SymbolizedFrame& f);

class JsonWriter;
// One frame as trace --json (and ls --json's origin) writes it:
// {"function","file","line","module","offset"[,"inlined"]}.
void write_frame_json(JsonWriter& j, const SymbolizedFrame& f);

}  // namespace fdscope::render
