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

// Scans with `backend`: "procfs"; "bpf" (false with `why` when the
// iterators cannot load or be read); "auto": BPF when it loads and reads,
// else procfs, silently. snap.backend says which one answered.
bool scan_with(const std::string& backend, const collect::ScanOptions& opts, Snapshot& snap, std::string& why);

// Prints "fdscope CMD: the BPF backend is not available: WHY" and returns kExitBackend.
int backend_unavailable(const char* command, const std::string& why);

}  // namespace fdscope::cli
