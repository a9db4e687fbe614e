// Arbitrary bytes as the head of a file exec is asked about (a #! line or
// an ELF header with program headers pointing anywhere).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "why/exec_head.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view head(reinterpret_cast<const char*>(data), size);
    const auto h = fdscope::why::parse_exec_head(head);
    if (h.interpreter.size() > size) std::abort();
    return 0;
}
