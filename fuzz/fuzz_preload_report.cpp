// Feeds arbitrary bytes to the FDSCOPE_REPORT parser as a report file (a
// traced program writes it: nothing in it is trusted), then turns what it
// parsed into events as `trace --engine preload` does: every event must
// name a stack the table handed out.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "trace/preload/report_parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace fdscope;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> notes;
    std::vector<trace::preload::Report> reports = trace::preload::parse_reports(text, "fuzz", notes);
    if (reports.empty()) return 0;
    trace::preload::Launch launch;
    launch.root = reports.front().pid;
    StackTable stacks;
    const auto frame = [](const trace::preload::ReportFrame& f) {
        RawFrame r;
        r.module = f.module;
        r.offset = f.offset.value_or(0);
        r.pc = f.pc;
        return r;
    };
    const trace::preload::Conversion c = trace::preload::convert_reports(std::move(reports), launch, stacks, frame);
    for (const FdEvent& e : c.events)
        if (e.stack != kNoStack && stacks.frames(e.stack).empty()) std::abort();
    return 0;
}
