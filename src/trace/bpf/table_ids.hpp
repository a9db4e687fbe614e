// The kernel's `struct files_struct *` of a traced task to an opaque
// FdTableId: 1, 2, 3... in order of first appearance, 0 for none. The
// pointer itself never leaves this map (never printed, never in an event).
#pragma once
#include <cstdint>
#include <unordered_map>

#include "model/event.hpp"

namespace fdscope::trace {

class TableIds {
public:
    FdTableId of(std::uint64_t files) {
        if (files == 0) return 0;
        auto [it, added] = ids_.try_emplace(files, next_);
        if (added) ++next_;
        return it->second;
    }

private:
    std::unordered_map<std::uint64_t, FdTableId> ids_;
    FdTableId next_ = 1;
};

}  // namespace fdscope::trace
