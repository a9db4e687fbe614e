#include "trace/bpf/stack_stops.hpp"

#include <algorithm>

namespace fdscope::trace {

void StackStops::observe(std::span<const RawFrame> frames, unsigned asked) {
    if (frames.empty()) return;
    ++stacks_;
    // A walk that went on from a frame without frame pointers reads
    // whatever that code left in rbp: the next "frames" lie in no module.
    std::size_t walked = frames.size();
    for (std::size_t i = 1; i < frames.size(); ++i)
        if (frames[i].module.empty()) {
            walked = i;
            break;
        }
    if (walked == frames.size() && (walked > 2 || walked >= asked)) return;
    const RawFrame& last = frames[walked - 1];
    if (!last.module.empty()) ++stops_[last.module];
}

std::vector<std::string> StackStops::notes() const {
    std::vector<std::pair<std::string, std::uint64_t>> by_count(stops_.begin(), stops_.end());
    std::stable_sort(by_count.begin(), by_count.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    std::vector<std::string> out;
    for (const auto& [module, n] : by_count)
        out.push_back("stacks stop in " + module + " (no frame pointers): " + std::to_string(n) + " of " +
                      std::to_string(stacks_) + " stacks; --engine ptrace unwinds with DWARF");
    return out;
}

}  // namespace fdscope::trace
