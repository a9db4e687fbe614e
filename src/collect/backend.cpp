#include "collect/backend.hpp"

#include <exception>

namespace fdscope::collect {

std::optional<Backend> parse_backend(std::string_view text) {
    for (std::size_t i = 0; i < kBackendNames.size(); ++i)
        if (text == kBackendNames[i]) return static_cast<Backend>(i);
    return std::nullopt;
}

bool auto_prefers_procfs(std::size_t pids, bool endpoint_search, std::uint64_t machine_handles) {
    if (pids == 0 || pids > kProcfsMaxPids) return false;
    return !endpoint_search || machine_handles <= kProcfsMaxSearchHandles;
}

ScanOutcome scan(Backend backend, const ScanOptions& opts) {
    ScanOutcome outcome;
    const bool few = backend == Backend::Auto && opts.pids &&
                     auto_prefers_procfs(opts.pids->size(), opts.endpoints,
                                         opts.endpoints ? read_file_nr().value_or(FileNr{}).allocated : 0);
    if (backend != Backend::Procfs && !few) {
        // Identity is exact and free with BPF; ScanOptions::identity only
        // decides whether procfs pays for kcmp.
        Snapshot snap;
        try {
            if (scan_bpf(opts, snap, outcome.why)) {
                outcome.snapshot = std::move(snap);
                return outcome;
            }
        } catch (const std::exception& e) {  // out of memory or threads: procfs may still do
            outcome.why = std::string("the BPF scan failed: ") + e.what();
        }
        if (backend == Backend::Bpf) return outcome;
    }
    outcome.snapshot = scan(opts);
    return outcome;
}

}  // namespace fdscope::collect
