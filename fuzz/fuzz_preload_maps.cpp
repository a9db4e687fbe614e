// Feeds arbitrary bytes to the preload report writer's pure parts: the
// maps-line parser (modules must lie inside the input, ascending, each
// start < end, and find_module must agree with a linear search) and the
// JSON escaper (its output must be valid JSON whatever the bytes).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <vector>

#include "preload/report_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const char* text = reinterpret_cast<const char*>(data);
    std::vector<fdscope::preload::Module> mods(size / 8 + 1);
    const std::size_t n = fdscope::preload::parse_modules(text, size, mods.data(), mods.size());
    if (n > mods.size()) std::abort();
    for (std::size_t i = 0; i < n; ++i) {
        const auto& m = mods[i];
        if (m.start > m.end || (i && m.start < mods[i - 1].end)) std::abort();
        if (m.path < text || m.path + m.path_len > text + size) std::abort();
        for (std::uint64_t pc : {m.start, m.end - 1, m.end}) {
            const fdscope::preload::Module* found = fdscope::preload::find_module(mods.data(), n, pc);
            const fdscope::preload::Module* linear = nullptr;
            for (std::size_t k = 0; k < n; ++k)
                if (pc >= mods[k].start && pc < mods[k].end) linear = &mods[k];
            if (found != linear) std::abort();
        }
    }
    std::vector<char> out(size * 6 + 2);
    fdscope::preload::JsonOut json(out.data(), out.size());
    json.string(text, size);
    if (json.failed()) std::abort();  // 6 bytes per input byte is the most an escape takes
    if (nlohmann::json::parse(out.data(), out.data() + json.size(), nullptr, false).is_discarded()) std::abort();
    return 0;
}
