#include "report/sampling_policy.hpp"

#include <algorithm>
#include <cmath>

namespace fdscope::report {

std::optional<std::string> policy_error(const SamplingPolicy& p) {
    if (p.window < p.interval * 3) return "--window must cover at least 3 intervals";
    return std::nullopt;
}

TrendOptions trend_options(const SamplingPolicy& p) {
    TrendOptions t;
    t.leak.window = p.window;
    t.leak.min_rate = p.min_rate;
    // Fewer samples per window at a long interval: ask for what it can hold
    // (extra samples of rising processes come in between ticks anyway).
    const double per_window = std::floor(p.window / p.interval * 0.6);
    t.leak.min_samples = static_cast<std::size_t>(std::clamp(per_window, 4.0, 8.0));
    t.keep_seconds = std::max(120.0, p.window * 2);
    return t;
}

}  // namespace fdscope::report
