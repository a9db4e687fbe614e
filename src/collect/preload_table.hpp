// Reads the table libfdscope-preload.so keeps inside a process
// (sys/preload_layout.hpp) from outside, and turns it into the origin of
// each open fd (model/origin.hpp).
//
// Two halves. The parse is pure, a function of copied bytes, and trusts
// none of them: every offset, size, count, StackRef and depth is checked
// against what was copied and against the mapping's size, so a corrupt or
// hostile table gives an error, never a read out of bounds (fuzzed:
// fuzz/fuzz_preload_table.cpp). The reader finds `[anon:fdscope-table]` in
// /proc/PID/maps and copies the header, the slots up to the highest fd the
// process has open, the used part of the stack arena and the kept
// incidents with process_vm_readv: no fd, thread or signal reaches the
// process.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <sys/types.h>
#include <vector>

#include "model/origin.hpp"
#include "model/snapshot.hpp"

namespace fdscope::collect {

// What a header declares, checked against the mapping it was found in.
struct PreloadLayout {
    std::uint64_t total_bytes = 0;
    std::uint64_t slots_offset = 0, arena_offset = 0, arena_bytes = 0, arena_used = 0, incidents_offset = 0;
    std::uint32_t slot_count = 0, max_depth = 0, incident_capacity = 0, incident_count = 0;
    std::int32_t pid = 0;
    std::int32_t own[4] = {-1, -1, -1, -1};  // the library's own fds, as sys::preload::library_fds orders them
    std::uint32_t generation = 0;
    std::int64_t realtime_offset_ns = 0;
    std::uint64_t overflow_fds = 0, stacks_dropped = 0;
    std::uint64_t incidents_kept() const { return incident_count < incident_capacity ? incident_count : incident_capacity; }
};

// Whether `fd` is one of the library's own (its log, the quarantine's
// placeholder, libunwind's pipe).
inline bool library_fd(const PreloadLayout& l, std::int32_t fd) {
    for (std::int32_t own : l.own)
        if (fd >= 0 && own == fd) return true;
    return false;
}

// The header's offset of arena_used: the reader reads it again after the
// slots, so that every stack a slot names is inside the arena it copies.
std::size_t preload_arena_used_offset();
std::size_t preload_header_bytes();
std::size_t preload_slot_bytes();
std::size_t preload_incident_bytes();

// Pure: the header at the start of `bytes`, checked (magic, version, the
// sizes of the header and a slot, every region inside total_bytes and
// total_bytes inside the mapping of `mapping_size` bytes, max_depth). ""
// with `out` filled, or what is wrong.
std::string check_preload_header(std::span<const std::byte> bytes, std::uint64_t mapping_size, PreloadLayout& out);

// Pure: the slots of `first` whose copy cannot be trusted: a seq that is
// odd (being written) or differs in `second`, the same region copied again
// after it (seq read before and after the slot, as a seqlock reader does).
// `first` and `second` hold whole slots from slot 0.
std::vector<std::uint32_t> unsettled_slots(std::span<const std::byte> first, std::span<const std::byte> second);
// Pure: whether one slot's copy (`slot`, then its seq read again) settled.
bool slot_settled(std::span<const std::byte> slot, std::uint32_t seq_after);

struct PreloadIncident {
    std::uint8_t type = 0;  // sys::preload::IncidentType
    std::int32_t fd = -1;
    pid_t tid = 0;
    double time = 0;
    std::uint32_t stack = 0, created_stack = 0, first_close_stack = 0;  // in ProcessOrigins::stacks
};

// What the copied bytes say.
struct PreloadCopy {
    PreloadLayout layout;
    std::span<const std::byte> slots;      // slots 0..n-1, n <= slot_count, settled ones valid
    std::vector<std::uint32_t> unstable;   // slot numbers that never settled (ascending)
    std::span<const std::byte> arena;      // the arena's first bytes, up to what was in use
    std::span<const std::byte> incidents;  // the kept incidents
};

// Pure: the origins of the open fds `open_fds` (ascending) of process
// `pid`, reconciled with the table: an fd without an Open or Quarantined
// slot has no origin (counted as unseen), a slot that says Open for an fd
// that is not open is counted and ignored, the library's own fds (log,
// quarantine placeholder) get an origin of their own. On a corrupt table `out.error` says what and `out`
// has no origins. `incidents` gets the kept incidents.
void parse_preload_table(const PreloadCopy& copy, std::span<const std::int32_t> open_fds, pid_t pid,
                         ProcessOrigins& out, std::vector<PreloadIncident>* incidents = nullptr);

// Name of a CreateOp value ("openat", "socket", ...), "unknown" for 0 and
// for values the layout does not define.
const char* preload_op_name(std::uint8_t op);

// Copies [offset, offset + to.size()) of the table's mapping into `to`: 0
// or an errno (ESRCH: the process is gone). The reader's only access to
// the table, so the tests and the fuzzer run it over a buffer.
using TableMemory = std::function<int(std::uint64_t offset, std::span<std::byte> to)>;

// Copies what the header names through `memory` (a mapping of `size`
// bytes) in the seqlock's order: the header, the slots twice (their seqs
// read before and after), each slot that did not settle again a few times,
// arena_used again, the used arena, the kept incidents; then parses them.
// `out.found` is false when the process vanished (ESRCH), `out.error` says
// why the table cannot be used.
void read_preload_table(const TableMemory& memory, std::uint64_t size, std::span<const std::int32_t> open_fds, pid_t pid,
                        ProcessOrigins& out);

// The I/O half. Finds the table of `pid` in its maps and reads it;
// `out.found` false (and no error) when the process has none, or when its
// maps cannot be read (another user's: nothing says it runs the library).
// `open_fds` ascending.
// `via` is the task to read through (the pid, or a live thread when the
// leader exited).
void read_preload_origins(pid_t pid, pid_t via, std::span<const std::int32_t> open_fds, ProcessOrigins& out);

// The tables of every process of `snap` that has one, reconciled with the
// fds of its leader's table (the first table when the leader exited). A
// table that cannot be read gives a note ("pid 123: preload table
// unreadable: bad magic ...") and no origins for that process.
std::vector<OriginsPtr> read_origins(const Snapshot& snap, std::vector<std::string>& notes);

}  // namespace fdscope::collect
