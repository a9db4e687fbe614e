// Runs arbitrary bytes as a seccomp filter: the first 64 bytes are the
// syscall (struct seccomp_data), the rest the instructions. A program that
// is accepted must end at one of its RET instructions.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "report/why/seccomp_filter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    seccomp_data call{};
    const std::size_t head = size < sizeof call ? size : sizeof call;
    std::memcpy(&call, data, head);
    std::vector<sock_filter> prog((size - head) / sizeof(sock_filter));
    if (!prog.empty()) std::memcpy(prog.data(), data + head, prog.size() * sizeof(sock_filter));
    const auto r = fdscope::report::why::run_filter(prog, call);
    if (r.valid && (r.pc >= prog.size() || BPF_CLASS(prog[r.pc].code) != BPF_RET)) {
        // Only a division by zero may end elsewhere.
        if (r.pc >= prog.size() || BPF_OP(prog[r.pc].code) != BPF_DIV || r.value != 0) std::abort();
    }
    if (!r.valid && r.error.empty()) std::abort();
    const auto d = fdscope::report::why::decide({prog, prog}, call);
    if (d.valid != r.valid) std::abort();
    (void)fdscope::report::why::action_text(r.value);
    return 0;
}
