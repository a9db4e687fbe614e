#include "model/why_facts.hpp"

namespace fdscope::why {

const MountFacts* find_mount(const Facts& facts, std::int32_t id) {
    for (const auto& m : facts.mounts)
        if (m.id == id) return &m;
    return nullptr;
}

}  // namespace fdscope::why
