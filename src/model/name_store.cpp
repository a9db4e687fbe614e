#include "model/name_store.hpp"

#include <algorithm>
#include <cstring>

namespace fdscope {

std::string_view NameStore::add(std::string_view s) {
    if (s.empty()) return {};
    if (capacity_ - used_ < s.size()) {
        // Start small (most processes hold a handful of fds), double up to 64 KiB.
        std::size_t next = blocks_.empty() ? 512 : std::min<std::size_t>(capacity_ * 2, 64 * 1024);
        next = std::max(next, s.size());
        blocks_.push_back(std::make_unique<char[]>(next));
        capacity_ = next;
        used_ = 0;
    }
    char* dst = blocks_.back().get() + used_;
    std::memcpy(dst, s.data(), s.size());
    used_ += s.size();
    return {dst, s.size()};
}

}  // namespace fdscope
