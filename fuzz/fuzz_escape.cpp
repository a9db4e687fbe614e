// Names are bytes: whatever they hold, the JSON string must parse and the
// table cell must hold no control byte (a row stays one line).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "render/escape.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::string json = "\"";
    bool lossy = false;
    fdscope::render::append_json_string(in, json, lossy);
    json += '"';
    if (!nlohmann::json::accept(json)) std::abort();
    std::string cell = fdscope::render::escape_for_table(in);
    for (char ch : cell)
        if (const auto c = static_cast<unsigned char>(ch); c < 0x20 || c == 0x7f) std::abort();
    std::string cut = fdscope::render::truncate_middle(cell, size % 40);
    if (fdscope::render::display_width(cut) > size % 40 && size % 40 != 0) std::abort();
    return 0;
}
