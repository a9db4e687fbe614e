// The options `watch` and `top` share, and the monitor they describe.
#pragma once
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "live/monitor.hpp"

namespace fdscope::cli {

void add_sampling_options(CLI::App& cmd, SamplingArgs& a);
// The error message of a bad option, nullopt when `m` was filled.
std::optional<std::string> monitor_options(const SamplingArgs& a, live::MonitorOptions& m);

}  // namespace fdscope::cli
