// How `watch` and `top` sample (interval, window, slowest leak) and what a
// leak verdict may ask of that: how many samples, how much history. Pure.
#pragma once
#include <optional>
#include <string>

#include "report/trend.hpp"

namespace fdscope::report {

struct SamplingPolicy {
    double interval = 1.0;  // seconds between ticks
    double window = 8.0;    // seconds of history a leak verdict looks at
    double min_rate = 30.0; // fds per minute below which growth is not a leak
};

// What is wrong with the policy (an option's message), nullopt when it holds.
std::optional<std::string> policy_error(const SamplingPolicy& p);

// The trend options for the policy; the alerts are left off.
TrendOptions trend_options(const SamplingPolicy& p);

}  // namespace fdscope::report
