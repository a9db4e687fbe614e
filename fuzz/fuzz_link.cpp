// Feeds arbitrary bytes to parse_link; the views must stay inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "procfs/parse_link.hpp"

namespace {
void check_inside(std::string_view part, std::string_view whole) {
    if (part.empty()) return;
    if (part.data() < whole.data() || part.data() + part.size() > whole.data() + whole.size()) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto t = fdscope::procfs::parse_link(text);
    check_inside(t.path, text);
    check_inside(t.anon_class, text);
    if (t.deleted && t.type != fdscope::procfs::LinkTarget::Type::Path) std::abort();
    std::uint64_t sum = t.inode;
    for (char c : t.path) sum += static_cast<unsigned char>(c);
    for (char c : t.anon_class) sum += static_cast<unsigned char>(c);
    volatile std::uint64_t sink = sum;
    (void)sink;
    return 0;
}
