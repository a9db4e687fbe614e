// A fingerprint of a kernel's BTF: tells whether the BTF fdscope was built
// against (and whose minimal subset it embeds, see cmake/btf_embed.cpp) is
// the running kernel's. Shared by the build-time tool and the loader, so
// both compute the same number. Pure; not cryptographic: it guards against
// another kernel build, not against an adversary (who could not write
// /sys/kernel/btf/vmlinux anyway).
#pragma once
#include <cstdint>
#include <cstring>
#include <string_view>

namespace fdscope::bpf {

// FNV-1a over 8-byte words (the tail byte by byte), seeded with the length.
inline std::uint64_t btf_fingerprint(std::string_view bytes) {
    constexpr std::uint64_t kPrime = 0x100000001b3ULL;
    std::uint64_t h = 0xcbf29ce484222325ULL ^ bytes.size();
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, bytes.data() + i, sizeof w);
        h = (h ^ w) * kPrime;
    }
    for (; i < bytes.size(); ++i) h = (h ^ static_cast<unsigned char>(bytes[i])) * kPrime;
    return h;
}

}  // namespace fdscope::bpf
