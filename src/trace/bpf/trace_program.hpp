// The BPF trace engine's kernel side: load trace.bpf.c, tell it which
// calls and processes to trace, attach its tracepoints, read its ring
// buffer and its loss counters, and ask the table iterator for the fd-table
// identities of a process. What the records mean is the engine's
// (bpf_engine.cpp); their layout is trace_records.hpp's.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>
#include <vector>

#include "trace/bpf/cfi_rules.hpp"
#include "trace/bpf/trace_records.hpp"

struct bpf_link;
struct fds_trace;
struct ring_buffer;

namespace fdscope::trace {

inline constexpr std::size_t kDefaultRingBytes = std::size_t{8} << 20;

// What the program may use. Each false is also a forced fallback for tests
// (FDSCOPE_BPF_TRACE_REFUSE, see parse_trace_refusals).
struct ProgramOptions {
    std::size_t ring_bytes = kDefaultRingBytes;  // rounded up to a power of two >= one page
    bool task_storage = true;  // false: enter arguments in a tid-keyed hash
    bool min_btf = true;       // false: CO-RE against the whole kernel BTF
    bool cfi_walk = true;      // false: stacks are bpf_get_stack's only (no walk from CFI rules)
};

// Applies a comma-separated list ("task_storage,min_btf,cfi_walk") to `o`; false
// with `why` for an unknown word.
bool parse_trace_refusals(std::string_view list, ProgramOptions& o, std::string& why);

// The ring size the program gets for `asked` bytes (0: the default).
std::size_t ring_size_for(std::size_t asked);

class TraceProgram {
public:
    // Loads (does not attach). Null with `why` a sentence naming what the
    // kernel refused (the program, errno, the verifier's last lines);
    // `notes` receives fallbacks taken.
    static std::unique_ptr<TraceProgram> load(const ProgramOptions& opts, std::string& why,
                                              std::vector<std::string>& notes);
    ~TraceProgram();
    TraceProgram(const TraceProgram&) = delete;
    TraceProgram& operator=(const TraceProgram&) = delete;

    // Attaches the five tracepoint programs; from here every syscall of the
    // machine enters them (and returns at once unless traced).
    bool attach(std::string& why);
    void detach();

    // Empties what a run leaves in the maps (the traced set, enter
    // arguments, loss counters) and the ring, for the next run.
    void reset();
    bool trace(pid_t tgid);           // adds a process to the traced set
    bool traced(pid_t tgid) const;    // whether it is in the set (the kernel removes it at exit)
    void set_stack_frames(unsigned frames);  // 0: no stacks
    // The CFI rule for the syscall pc `ip` of `tgid` (trace/bpf/cfi_rules.hpp):
    // its stacks are walked from the wrapper's caller from now on. False
    // when the map is full or the walk is not loaded.
    bool set_cfi_rule(pid_t tgid, std::uint64_t ip, const CfiRule& rule);
    // Removes the rules of `tgid` (its exec or exit: the addresses are stale).
    void forget_cfi_rules(pid_t tgid);
    bool cfi_walk() const { return cfi_walk_; }
    // Rules by code signature for the C library and loader fdscope maps
    // (cfi_signatures.hpp), loaded once: how many.
    std::size_t cfi_signatures() const { return cfi_signatures_; }
    // The same for one more ELF file (a launched static binary carries its
    // own C library): how many were added.
    std::size_t add_cfi_signatures(const std::string& path);

    // Hands each waiting ring-buffer sample to `fn`, waiting up to
    // `timeout_ms` for the first. Returns the samples read, or -errno.
    int poll(int timeout_ms, const std::function<void(std::string_view)>& fn);

    // Samples the ring had no room for, since load: all CPUs, and per process.
    std::uint64_t lost_total() const;
    std::vector<std::pair<pid_t, std::uint64_t>> lost_by_process() const;
    // ia32 syscalls of traced tasks (not traced: other numbers).
    std::uint64_t compat_calls() const;

    // Every task of `tgid` with its fd table's identity (the table
    // iterator over that process only). False with `why` when the kernel
    // refuses.
    bool tables_of(pid_t tgid, std::vector<TaskRecord>& out, std::string& why);

    bool task_storage() const { return task_storage_; }
    std::size_t ring_bytes() const { return ring_bytes_; }

private:
    TraceProgram() = default;
    ::fds_trace* skel_ = nullptr;
    ::ring_buffer* ring_ = nullptr;
    std::vector<::bpf_link*> links_;
    bool task_storage_ = true;
    bool cfi_walk_ = true;
    std::size_t cfi_signatures_ = 0;
    std::size_t load_cfi_signatures();
    std::size_t ring_bytes_ = 0;
    const std::function<void(std::string_view)>* on_sample_ = nullptr;
    static int sample(void* self, void* data, std::size_t size);
};

}  // namespace fdscope::trace
