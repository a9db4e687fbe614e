// What loading any BPF object needs beyond libbpf: a hint for the usual
// failures, and the embedded BTF subset that speeds up CO-RE relocation.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "sys/unique_fd.hpp"

namespace fdscope::bpf {

// A hint after the errno text of a failed load or attach: " (needs root,
// ...)", "" when there is none.
std::string load_hint(int err);

// A program's embedded BTF subset (NAME.min_btf.h, cmake/Bpf.cmake): only
// the kernel types it relocates against, and the size and fingerprint of
// the kernel BTF it was cut from.
struct EmbeddedBtf {
    const unsigned char* bytes;
    std::size_t size;
    std::uint64_t kernel_btf_size;
    std::uint64_t kernel_btf_fingerprint;
};

// The subset as a file libbpf can open (/proc/self/fd/N as
// bpf_object_open_opts::btf_custom_path), when the running kernel's BTF
// is the one it was cut from; invalid otherwise. libbpf then relocates
// against a few KB instead of searching every kernel type (half of the
// iterators' start-up, bench/RESULTS.md).
sys::UniqueFd min_btf_file(const EmbeddedBtf& btf);

}  // namespace fdscope::bpf
