#include "cli/backend_option.hpp"

#include <cstdio>

namespace fdscope::cli {

void add_backend_option(CLI::App& app, std::string& backend) {
    app.add_option("--backend", backend,
                   "how to read the kernel: auto (default: BPF iterators when they load, else procfs), bpf, procfs")
        ->check(CLI::IsMember(std::vector<std::string>(collect::kBackendNames.begin(), collect::kBackendNames.end())))
        ->option_text("auto|bpf|procfs");
}

bool scan_with(const std::string& backend, const collect::ScanOptions& opts, Snapshot& snap, std::string& why) {
    collect::ScanOutcome outcome = collect::scan(collect::parse_backend(backend).value_or(collect::Backend::Auto), opts);
    why = std::move(outcome.why);
    if (!outcome) return false;
    snap = std::move(*outcome.snapshot);
    return true;
}

int backend_unavailable(const char* command, const std::string& why) {
    std::fprintf(stderr, "fdscope%s%s: the BPF backend is not available: %s\n", *command ? " " : "", command, why.c_str());
    std::fprintf(stderr, "fdscope: use --backend procfs (or auto, which falls back to it)\n");
    return kExitBackend;
}

}  // namespace fdscope::cli
