#include "trace/ptrace/tracee_memory.hpp"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace fdscope::trace::ptrace {

namespace {
constexpr std::uint64_t kPage = 4096;
}

long TraceeMemory::read_some(std::uint64_t addr, std::span<std::byte> out) {
    if (out.empty()) return 0;
    if (!vm_readv_refused_) {
        iovec local{out.data(), out.size()};
        iovec remote{reinterpret_cast<void*>(addr), out.size()};
        const ssize_t n = ::process_vm_readv(tid_, &local, 1, &remote, 1, 0);
        if (n >= 0) return n;
        if (errno != ENOSYS && errno != EPERM) return -1;
        vm_readv_refused_ = true;
    }
    if (!mem_) {
        const std::string path = "/proc/" + std::to_string(tid_) + "/mem";
        mem_ = sys::UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!mem_) return -1;
    }
    return ::pread(mem_.get(), out.data(), out.size(), static_cast<off_t>(addr));
}

bool TraceeMemory::read(std::uint64_t addr, std::span<std::byte> out) {
    std::size_t done = 0;
    while (done < out.size()) {
        const long n = read_some(addr + done, out.subspan(done));
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

// Page by page, never past the page holding the NUL: the rest of a page
// may be mapped while the next is not, and a read crossing into an
// unmapped page would fail for a string that is readable.
std::optional<std::string> TraceeMemory::read_string(std::uint64_t addr, std::size_t max, bool& truncated) {
    truncated = false;
    std::string text;
    std::byte chunk[kPage];
    while (text.size() < max) {
        const std::uint64_t at = addr + text.size();
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kPage - at % kPage, max - text.size()));
        const long n = read_some(at, std::span<std::byte>(chunk, want));
        if (n <= 0) {
            if (text.empty()) return std::nullopt;
            truncated = true;  // it runs into unreadable memory: what could be read
            return text;
        }
        const auto* begin = reinterpret_cast<const char*>(chunk);
        const auto* nul = static_cast<const char*>(std::memchr(begin, 0, static_cast<std::size_t>(n)));
        if (nul) {
            text.append(begin, nul);
            return text;
        }
        text.append(begin, static_cast<std::size_t>(n));
    }
    truncated = true;
    return text;
}

}  // namespace fdscope::trace::ptrace
