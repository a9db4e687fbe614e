#include "bpf/load.hpp"

#include <cerrno>
#include <sys/mman.h>
#include <sys/stat.h>

#include "bpf/btf_fingerprint.hpp"
#include "sys/files.hpp"

namespace fdscope::bpf {
namespace {

constexpr const char* kKernelBtf = "/sys/kernel/btf/vmlinux";

struct Fingerprint {
    std::uint64_t size = 0, value = 0;
    bool known = false;
};

// The running kernel's BTF fingerprint, computed once per process (~5 MB
// read, a few ms).
Fingerprint kernel_btf_fingerprint() {
    static const Fingerprint f = [] {
        Fingerprint out;
        std::string bytes;
        struct stat st {};
        if (::stat(kKernelBtf, &st) != 0) return out;
        bytes.reserve(static_cast<std::size_t>(st.st_size) + 1);  // room for the read that says it is the end
        if (sys::read_all(kKernelBtf, bytes) != 0) return out;
        return Fingerprint{bytes.size(), btf_fingerprint(bytes), true};
    }();
    return f;
}

// Whether the running kernel's BTF has this size and fingerprint. Another
// size is another kernel: no need to read 5 MB to know.
bool kernel_btf_is(std::uint64_t size, std::uint64_t fingerprint) {
    struct stat st {};
    if (::stat(kKernelBtf, &st) != 0 || static_cast<std::uint64_t>(st.st_size) != size) return false;
    const Fingerprint k = kernel_btf_fingerprint();
    return k.known && k.size == size && k.value == fingerprint;
}

}  // namespace

std::string load_hint(int err) {
    switch (err) {
        case EPERM:
        case EACCES: return " (needs root, or CAP_BPF and CAP_PERFMON; or kernel.unprivileged_bpf_disabled / lockdown forbids it)";
        case ENOENT:
        case ESRCH: return " (no kernel BTF? /sys/kernel/btf/vmlinux is needed for CO-RE)";
        case EINVAL: return " (the kernel refused the program or lacks BPF iterators)";
        default: return "";
    }
}

sys::UniqueFd min_btf_file(const EmbeddedBtf& btf) {
    if (!kernel_btf_is(btf.kernel_btf_size, btf.kernel_btf_fingerprint)) return {};
    sys::UniqueFd fd(::memfd_create("fdscope-min-btf", MFD_CLOEXEC));
    if (!fd) return {};
    const std::string_view bytes(reinterpret_cast<const char*>(btf.bytes), btf.size);
    if (sys::write_all(fd.get(), bytes) != 0) return {};
    return fd;
}

}  // namespace fdscope::bpf
