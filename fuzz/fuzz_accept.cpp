// An Accept header is whatever a client sends: negotiation must answer one
// of the two formats for any bytes, its content type must say which, and
// OpenMetrics is only ever chosen when the header names it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "export/exposition.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace fdscope::exporter;
    const std::string_view accept(reinterpret_cast<const char*>(data), size);
    const Format format = negotiate(accept);
    if (format != Format::Text && format != Format::OpenMetrics) std::abort();
    if (content_type(format).starts_with("application/openmetrics-text") != (format == Format::OpenMetrics))
        std::abort();
    std::string lowered(accept);
    for (char& c : lowered)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (format == Format::OpenMetrics && lowered.find("application/openmetrics-text") == std::string::npos)
        std::abort();
    return 0;
}
