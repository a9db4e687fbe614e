// The BPF scan of a build without the BPF backend (CMake compiles this file
// instead of bpf_scan.cpp): every request for it gets the reason.
#include "collect/bpf_scan.hpp"

namespace fdscope::collect {

bool bpf_built() { return false; }

bool scan_bpf(const ScanOptions&, Snapshot&, std::string& why) {
    why = "this fdscope was built without it (FDSCOPE_BPF=OFF, or clang, bpftool, libbpf-dev or "
          "/sys/kernel/btf/vmlinux were missing at build time)";
    return false;
}

}  // namespace fdscope::collect
