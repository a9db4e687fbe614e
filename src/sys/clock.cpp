#include "sys/clock.hpp"

#include <ctime>

namespace fdscope::sys {
namespace {

double seconds_of(clockid_t clock) {
    timespec ts{};
    ::clock_gettime(clock, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

double unix_now() { return seconds_of(CLOCK_REALTIME); }

double now_monotonic() { return seconds_of(CLOCK_MONOTONIC); }

}  // namespace fdscope::sys
