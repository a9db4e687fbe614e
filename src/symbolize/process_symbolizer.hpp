// Frames of a running process, by pid: its modules as /proc/PID/maps maps
// them (dwfl_linux_proc_report). Turns absolute pcs into raw frames
// (build-id + file offset, to symbolize later without the process) and
// into source frames now.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "model/stack.hpp"
#include "symbolize/dwfl_session.hpp"

namespace fdscope::symbolize {

class ProcessSymbolizer {
public:
    // Reads the process's maps once; on failure says why in `error`.
    static std::optional<ProcessSymbolizer> open(pid_t pid, std::string& error);

    // The frame of `pc` as a trace records it; nullopt when no file-backed
    // module maps it.
    std::optional<RawFrame> raw_frame(std::uint64_t pc, bool is_return_address = true) const;
    std::vector<SymbolizedFrame> symbolize(std::uint64_t pc, bool is_return_address = true) const;

private:
    explicit ProcessSymbolizer(DwflPtr session) : session_(std::move(session)) {}
    DwflPtr session_;
};

}  // namespace fdscope::symbolize
