// --backend on the command line: the option, the scan it asks for, and the
// exit status when the BPF backend was asked for and cannot run.
#pragma once
#include <CLI/CLI.hpp>
#include <string>

#include "collect/backend.hpp"

namespace fdscope::cli {

// Exit status when --backend bpf was asked for and cannot run (docs/fdscope.1).
inline constexpr int kExitBackend = 3;

// Adds --backend auto|bpf|procfs to a command.
void add_backend_option(CLI::App& app, std::string& backend);

// collect::scan with the backend `backend` names (add_backend_option's
// values). False with `why` when that backend could not answer.
bool scan_with(const std::string& backend, const collect::ScanOptions& opts, Snapshot& snap, std::string& why);

// Prints "fdscope CMD: the BPF backend is not available: WHY" and returns kExitBackend.
int backend_unavailable(const char* command, const std::string& why);

}  // namespace fdscope::cli
