#include "cli/backend.hpp"

#include <cstdio>
#include <exception>

#ifdef FDSCOPE_HAVE_BPF
#include "bpf/collect.hpp"
#endif

namespace fdscope::cli {

void add_backend_option(CLI::App& app, std::string& backend) {
    app.add_option("--backend", backend,
                   "how to read the kernel: auto (default: BPF iterators when they load, else procfs), bpf, procfs")
        ->check(CLI::IsMember({"auto", "bpf", "procfs"}))
        ->option_text("auto|bpf|procfs");
}

bool bpf_built() {
#ifdef FDSCOPE_HAVE_BPF
    return true;
#else
    return false;
#endif
}

bool auto_prefers_procfs(std::size_t pids, bool endpoint_search, std::uint64_t machine_handles) {
    if (pids == 0 || pids > kProcfsMaxPids) return false;
    return !endpoint_search || machine_handles <= kProcfsMaxSearchHandles;
}

bool scan_with(const std::string& backend, const collect::ScanOptions& opts, Snapshot& snap, std::string& why) {
    const bool few = backend == "auto" && opts.pids &&
                     auto_prefers_procfs(opts.pids->size(), opts.endpoints,
                                         opts.endpoints ? collect::read_file_nr().value_or(FileNr{}).allocated : 0);
    if (backend != "procfs" && !few) {
#ifdef FDSCOPE_HAVE_BPF
        // Identity is exact and free with BPF; ScanOptions::identity only
        // decides whether procfs pays for kcmp.
        try {
            if (bpf::scan_bpf(opts, snap, why)) return true;
        } catch (const std::exception& e) {  // out of memory or threads: procfs may still do
            why = std::string("the BPF scan failed: ") + e.what();
        }
#else
        why = "this fdscope was built without it (FDSCOPE_BPF=OFF, or clang, bpftool, libbpf-dev or "
              "/sys/kernel/btf/vmlinux were missing at build time)";
#endif
        if (backend == "bpf") return false;
    }
    snap = collect::scan(opts);
    return true;
}

int backend_unavailable(const char* command, const std::string& why) {
    std::fprintf(stderr, "fdscope%s%s: the BPF backend is not available: %s\n", *command ? " " : "", command, why.c_str());
    std::fprintf(stderr, "fdscope: use --backend procfs (or auto, which falls back to it)\n");
    return kExitBackend;
}

}  // namespace fdscope::cli
