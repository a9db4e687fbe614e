// Which backend reads the kernel: BPF iterators when they load, else procfs.
#pragma once
#include <CLI/CLI.hpp>
#include <string>

#include "collect/scan.hpp"
#include "model/snapshot.hpp"

namespace fdscope::cli {

// Exit status when --backend bpf was asked for and cannot run (docs/fdscope.1).
inline constexpr int kExitBackend = 3;

// Adds --backend auto|bpf|procfs to a command.
void add_backend_option(CLI::App& app, std::string& backend);

// Whether this binary was built with the BPF backend.
bool bpf_built();

// Whether `auto` reads these processes through /proc rather than BPF, for
// the same answer sooner: a handful of pids costs procfs a few ms, while
// BPF pays its start-up (load, CO-RE relocation) whatever it reads. Not
// when an endpoint search must read every fd link of a machine with many
// handles (there one BPF walk is cheaper). `pids` 0: the whole machine.
inline constexpr std::size_t kProcfsMaxPids = 16;
inline constexpr std::uint64_t kProcfsMaxSearchHandles = 50000;
bool auto_prefers_procfs(std::size_t pids, bool endpoint_search, std::uint64_t machine_handles);

// Scans with `backend`: "procfs"; "bpf" (false with `why` when the
// iterators cannot load or be read); "auto": procfs for a few pids
// (auto_prefers_procfs), else BPF when it loads and reads, else procfs. snap.backend says which one answered.
bool scan_with(const std::string& backend, const collect::ScanOptions& opts, Snapshot& snap, std::string& why);

// Prints "fdscope CMD: the BPF backend is not available: WHY" and returns kExitBackend.
int backend_unavailable(const char* command, const std::string& why);

}  // namespace fdscope::cli
