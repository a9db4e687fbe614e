// FDSCOPE_TIMING=1 prints how long each phase took and the resident set
// size after it, for benchmarking. Costs one getenv when off.
#pragma once
#include <chrono>

namespace fdscope::collect {

class PhaseTimer {
public:
    PhaseTimer();
    void mark(const char* phase);

private:
    bool on_;
    std::chrono::steady_clock::time_point last_;
};

}  // namespace fdscope::collect
