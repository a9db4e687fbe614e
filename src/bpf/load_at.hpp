// A value of type T copied out of a byte buffer at `p`: BPF records are
// byte streams with no alignment promise, so a field is never read in place.
#pragma once
#include <cstring>

namespace fdscope::bpf {

template <class T>
T load_at(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

}  // namespace fdscope::bpf
