// Where frame-pointer stacks stop short. bpf_get_stack walks the user
// stack by frame pointers only; code built without them (Debian's libc,
// -fomit-frame-pointer programs) ends the walk after a frame or two. The
// engine cannot see the missing frames, but it can say where the walks
// stopped, so the report can tell the user (and point at --engine ptrace,
// which unwinds with DWARF). Pure.
#pragma once
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "model/stack.hpp"

namespace fdscope::trace {

class StackStops {
public:
    // One captured stack (innermost first) of at most `asked` frames. It
    // stopped short when a frame after the first lies in no module (the
    // walk followed a frame pointer the code never set) or when it has one
    // or two frames, fewer than asked (a walk through callers with frame
    // pointers goes on to main and the C runtime): it counts for the module
    // of its last frame before that.
    void observe(std::span<const RawFrame> frames, unsigned asked);
    // One sentence per module stacks stopped in, most stacks first:
    // "stacks stop in /usr/lib/x86_64-linux-gnu/libc.so.6 (no frame
    // pointers): 120 of 130 stacks; --engine ptrace unwinds with DWARF".
    std::vector<std::string> notes() const;

private:
    std::map<std::string, std::uint64_t> stops_;
    std::uint64_t stacks_ = 0;
};

}  // namespace fdscope::trace
