// Decodes an arbitrary fd syscall against arbitrary memory, then renders
// its events. Layout: byte 0 picks the syscall (of traced_syscalls), byte 1
// says which arguments point into the memory, byte 2 whether the exit was
// seen; then six 8-byte arguments (a pointer argument is an offset into the
// memory), the 8-byte return value, and the memory itself, at kBase.
// Whatever the bytes, decoding must end, stay bounded, make
// only the syscall's ops, and every line must stay one line.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "render/output.hpp"
#include "render/trace_line.hpp"
#include "trace/decode/captured_memory.hpp"
#include "trace/decode/syscall.hpp"

namespace {

constexpr std::uint64_t kBase = 0x10000;

std::uint64_t take(const std::uint8_t*& p, const std::uint8_t* end) {
    std::uint64_t v = 0;
    const std::size_t n = std::min<std::size_t>(8, static_cast<std::size_t>(end - p));
    std::memcpy(&v, p, n);
    p += n;
    return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace fdscope;
    using namespace fdscope::trace;
    if (size < 3) return 0;
    const auto traced = traced_syscalls(Abi::X86_64);
    const std::uint8_t* p = data + 3;
    const std::uint8_t* end = data + size;
    SyscallCall call;
    call.nr = traced[data[0] % traced.size()];
    std::uint64_t raw[6];
    for (auto& r : raw) r = take(p, end);
    const auto ret = static_cast<std::int64_t>(take(p, end));
    const std::size_t mem_size = static_cast<std::size_t>(end - p);
    for (int i = 0; i < 6; ++i)
        call.args[static_cast<std::size_t>(i)] =
            (data[1] >> i) & 1 ? kBase + raw[i] % (mem_size + 1) : raw[i];
    if (data[2] & 1) call.ret = ret;

    CapturedMemory memory;
    memory.add(kBase, std::span(reinterpret_cast<const std::byte*>(p), mem_size));

    (void)needs_exit(call, data[2] & 2);
    const auto events = decode(call, memory);
    const auto info = syscall_info(Abi::X86_64, call.nr);
    if (!info) std::abort();
    // SCM_RIGHTS is the only source of many events: bounded by the copy.
    if (events.size() > 2 + kMaxMmsgMessages * 1024) std::abort();
    render::Output out(render::Output::kMemory);
    for (const FdEvent& e : events) {
        if (std::find(info->ops.begin(), info->ops.end(), e.op) == info->ops.end()) std::abort();
        const std::string line = render::live_line(e, "f (x.c:1)");
        if (line.find('\n') != std::string::npos) std::abort();
        out.buffer().clear();
        render::write_event_line(out, e);
        if (!nlohmann::json::accept(out.buffer())) std::abort();
    }
    return 0;
}
