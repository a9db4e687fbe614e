// Feeds arbitrary bytes to the watch-record reader (fdscope plot's input)
// and draws what it read: neither may crash on a cut or hostile record.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "render/plot_svg.hpp"
#include "report/recording.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto rec = fdscope::report::read_record(text);
    auto top = fdscope::report::select_top(std::move(rec.series), 4);
    (void)fdscope::render::plot_svg(top, fdscope::render::PlotOptions{});
    return 0;
}
