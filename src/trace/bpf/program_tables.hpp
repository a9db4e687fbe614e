// What the BPF program is told at load, from the decoder's tables: which
// x86_64 syscall numbers to trace (the interest bitmap) and, per number,
// what to copy from user memory at sys_exit (its capture plan), so the
// program and decode() share one list. Pure.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include <linux/types.h>

#include "trace_records.h"

namespace fdscope::trace {

struct ProgramTables {
    std::array<std::uint64_t, FDS_NR_WORDS> interest{};  // bit nr % 64 of word nr / 64
    struct Plan {
        std::uint32_t nr = 0;
        fds_plan plan{};
    };
    std::vector<Plan> plans;  // the numbers with captures or flags, ascending
    std::vector<long> left_out;  // traced numbers beyond the bitmap (none on x86_64 today)
};

ProgramTables program_tables();

}  // namespace fdscope::trace
