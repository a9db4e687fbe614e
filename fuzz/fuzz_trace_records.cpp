// Feeds arbitrary bytes to the BPF trace engine's record parser as one
// ring-buffer sample and as a table-iterator stream, and decodes what it
// read: a cut or hostile record must never crash or read outside the bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "trace/bpf/record_events.hpp"
#include "trace/bpf/trace_records.hpp"

using namespace fdscope::trace;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    TableIds tables;
    if (const auto rec = parse_trace_record(bytes)) {
        if (const auto* s = std::get_if<SyscallRecord>(&*rec)) (void)syscall_events(*s, tables);
        else if (const auto* f = std::get_if<ForkRecord>(&*rec)) (void)fork_event(*f, tables);
        else if (const auto* x = std::get_if<ExecRecord>(&*rec)) (void)exec_event(*x, tables);
        else if (const auto* e = std::get_if<ExitRecord>(&*rec)) (void)exit_event(*e, tables);
    }
    (void)parse_task_records(bytes, [](const TaskRecord&) {});
    return 0;
}
