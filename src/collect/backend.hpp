// Which backend reads the kernel: BPF iterators when they load, else procfs.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "collect/bpf_scan.hpp"
#include "collect/scan.hpp"
#include "model/snapshot.hpp"

namespace fdscope::collect {

enum class Backend { Auto, Bpf, Procfs };

// The names parse_backend takes (what --backend offers), in Backend's order.
inline constexpr std::array<std::string_view, 3> kBackendNames = {"auto", "bpf", "procfs"};

// "auto", "bpf" or "procfs"; nullopt for anything else.
std::optional<Backend> parse_backend(std::string_view text);

// Whether `auto` reads these processes through /proc rather than BPF, for
// the same answer sooner: a handful of pids costs procfs a few ms, while
// BPF pays its start-up (load, CO-RE relocation) whatever it reads. Not
// when an endpoint search must read every fd link of a machine with many
// handles (there one BPF walk is cheaper). `pids` 0: the whole machine.
inline constexpr std::size_t kProcfsMaxPids = 16;
inline constexpr std::uint64_t kProcfsMaxSearchHandles = 50000;
bool auto_prefers_procfs(std::size_t pids, bool endpoint_search, std::uint64_t machine_handles);

// A scan's outcome: the snapshot (its `backend` says which backend
// answered), or, when none did, a sentence for the user saying why.
struct ScanOutcome {
    std::optional<Snapshot> snapshot;
    std::string why;
    explicit operator bool() const { return snapshot.has_value(); }
};

// Scans with `backend`: Procfs; Bpf (no snapshot when the iterators cannot
// load or be read, or this build has no BPF backend); Auto: procfs for a few
// pids (auto_prefers_procfs), else BPF when it loads and reads, else procfs.
ScanOutcome scan(Backend backend, const ScanOptions& opts);

}  // namespace fdscope::collect
