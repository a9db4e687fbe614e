// The BPF trace engine's records as C++ reads them: the binary layout is
// trace_records.h (shared with trace.bpf.c); parse_trace_record() decodes
// one ring-buffer sample, parse_task_records() the table iterator's stream.
// Pure and bounds-checked: the fuzzer feeds them anything.
//
// KERNEL ADDRESSES: every `files` field is a raw `struct files_struct *`,
// an identity only: map it to an FdTableId (table_ids.hpp) and never print it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

namespace fdscope::trace {

// Region::status (FDS_REG_*).
enum class RegionStatus : std::uint8_t { Ok, Cut, Fault, Full };

// User memory the BPF program copied at sys_exit for capture `cap` of the
// syscall's plan. `bytes` point into the parsed sample.
struct Region {
    std::uint64_t addr = 0;
    RegionStatus status = RegionStatus::Fault;
    std::uint8_t cap = 0;
    std::string_view bytes;  // a string's with its NUL (Ok), without (Cut)
};

struct SyscallRecord {
    std::uint64_t time_ns = 0;
    std::uint64_t files = 0;  // at sys_exit; identity only, never print
    std::uint64_t enter_files = 0;  // at sys_enter (0 when not seen): differs after unshare(CLONE_FILES)
    std::uint64_t args[6] = {};
    std::int64_t ret = 0;
    std::uint32_t tgid = 0, tid = 0, nr = 0;
    std::optional<std::uint16_t> i_mode;  // of fd `ret` after the call, when read
    bool enter_seen = true;               // false: args are unknown (the task was traced mid-call)
    std::vector<std::uint64_t> pcs;       // user stack, innermost first
    std::int32_t stack_error = 0;         // bpf_get_stack's (< 0) when a stack was asked and none came
    std::uint64_t sp_word = 0;            // the word at the user sp (a frameless wrapper's return address)
    bool cfi_walked = false;              // pcs from the program's walk by a CFI rule (the caller is pcs[1])
    std::vector<Region> regions;
};

struct ForkRecord {
    std::uint64_t time_ns = 0;
    std::uint64_t parent_files = 0, child_files = 0;  // identities only
    std::uint64_t flags = 0;                          // clone flags when known
    std::uint32_t parent_tgid = 0, parent_tid = 0, child_tgid = 0, child_tid = 0;
    std::optional<std::uint32_t> nr;                  // the parent's call, when seen
    std::string_view comm;

    bool thread() const { return child_tgid == parent_tgid; }
    bool shared_table() const { return child_files == parent_files; }
};

struct ExecRecord {
    std::uint64_t time_ns = 0;
    std::uint64_t old_files = 0, new_files = 0;  // identities only; old 0 when the enter was not seen
    std::uint64_t flags = 0;
    std::uint32_t tgid = 0, tid = 0, old_tid = 0;
    std::optional<std::uint32_t> nr;
    std::string_view name;  // bprm->filename
    bool name_cut = false;
    std::string_view args;  // the new argv, NUL-separated (empty when unreadable)
    bool args_cut = false;
    std::string_view comm;
};

struct ExitRecord {
    std::uint64_t time_ns = 0;
    std::uint64_t files = 0;  // identity only
    std::uint32_t tgid = 0, tid = 0;
    std::int32_t exit_code = 0;
    bool group_dead = false;
};

struct TaskRecord {
    std::uint64_t files = 0;  // identity only; 0 for a task without a table
    std::uint32_t tgid = 0, tid = 0;
};

using TraceRecord = std::variant<SyscallRecord, ForkRecord, ExecRecord, ExitRecord>;

// One ring-buffer sample; nullopt when it is not one whole, well-formed
// record (the caller counts it as corrupt). Views point into `bytes`.
std::optional<TraceRecord> parse_trace_record(std::string_view bytes);

// The table iterator's stream, in order. False when it holds anything but
// whole task records.
bool parse_task_records(std::string_view bytes, const std::function<void(const TaskRecord&)>& sink);

}  // namespace fdscope::trace
