// Feeds arbitrary bytes to parse_trace_status.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "procfs/parse_trace_status.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto st = fdscope::procfs::parse_trace_status(text)) {
        volatile std::uint64_t sink = static_cast<std::uint64_t>(st->tracer_pid) + st->seccomp_filters;
        (void)sink;
    }
    return 0;
}
