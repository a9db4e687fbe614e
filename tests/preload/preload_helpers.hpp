// Helpers for the tests of libfdscope-preload.so: where the library and the
// fixtures are, the environment that loads it, and an independent reader of
// its table (process_vm_readv + sys/preload_layout.hpp), so that these tests
// check the library against the kernel without trusting fdscope's own reader.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "sys/preload_layout.hpp"

namespace fdscope::test::preload {

std::string library_path();                 // build/libfdscope-preload.so
std::string preload_fixture(const std::string& name);  // build/fixtures/preload/NAME
// "LD_PRELOAD=<library>" plus the given FDSCOPE_* settings, for run()'s extra_env.
std::vector<std::string> preload_env(const std::vector<std::string>& more = {});
// The same as a wrapper argv for Fixture ("env", "LD_PRELOAD=...", ...).
std::vector<std::string> preload_wrapper(const std::vector<std::string>& more = {});

// The fds in /proc/PID/fd with their link targets.
std::map<int, std::string> proc_fds(pid_t pid);
// Whether /proc/PID/maps maps a file whose name contains `needle`.
bool maps_contain(pid_t pid, const std::string& needle);

// One copy of a process's table. `error` is empty when it was found and
// passed the checks below; `found` is false when there is no table.
struct Table {
    bool found = false;
    std::string error;
    std::uint64_t start = 0, length = 0;  // the mapping
    // The header, in a box: its atomics make it unmovable.
    std::unique_ptr<sys::preload::TableHeader> header = std::make_unique<sys::preload::TableHeader>();
    std::vector<sys::preload::Slot> slots;  // fds 0..slots.size()-1
    std::vector<std::uint8_t> arena;       // arena_used bytes
};

// Reads pid's table (found as sys/preload_locate.hpp finds it): the header, `slot_limit` slots at most (all of them
// by default) and the used arena. Checks magic, version, sizes and that
// every region lies inside the mapping; slots whose seqlock stays odd or
// changes over 100 tries are an error.
Table read_table(pid_t pid, std::size_t slot_limit = SIZE_MAX);

// The fds the table holds as open (state Open).
std::map<int, const sys::preload::Slot*> open_slots(const Table& t);

// The pcs of the stack `ref` names, or nullopt if the ref or the record is
// out of bounds.
std::optional<std::vector<std::uint64_t>> stack_of(const Table& t, sys::preload::StackRef ref);

}  // namespace fdscope::test::preload
