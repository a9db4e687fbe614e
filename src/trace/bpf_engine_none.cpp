// Compiled instead of trace/bpf/ when the BPF backend is not built
// (CMakeLists.txt: FDSCOPE_BPF off, or clang, bpftool, libbpf-dev or the
// kernel BTF missing at build time).
#include "trace/engine.hpp"

namespace fdscope::trace {

std::unique_ptr<Engine> make_bpf_engine(std::string& why) {
    why = "built without the BPF backend (clang, bpftool, libbpf-dev or /sys/kernel/btf/vmlinux were missing at "
          "build time, or FDSCOPE_BPF=OFF); --engine ptrace works without it";
    return nullptr;
}

}  // namespace fdscope::trace
