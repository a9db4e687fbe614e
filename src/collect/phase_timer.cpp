#include "collect/phase_timer.hpp"

#include <cstdio>
#include <cstdlib>

namespace fdscope::collect {

PhaseTimer::PhaseTimer() : on_(std::getenv("FDSCOPE_TIMING") != nullptr), last_(std::chrono::steady_clock::now()) {}

void PhaseTimer::mark(const char* phase) {
    if (!on_) return;
    auto now = std::chrono::steady_clock::now();
    long size = 0, resident = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld", &size, &resident) != 2) resident = 0;
        std::fclose(f);
    }
    std::fprintf(stderr, "fdscope: %-12s %8.3f s  rss %6.1f MiB\n", phase,
                 std::chrono::duration<double>(now - last_).count(), static_cast<double>(resident) * 4096 / 1048576);
    last_ = now;
}

}  // namespace fdscope::collect
