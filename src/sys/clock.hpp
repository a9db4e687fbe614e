// The two clocks fdscope reads: wall time for time stamps a user sees,
// monotonic time for schedules and durations (a wall-clock step must not
// stretch or skip a tick).
#pragma once

namespace fdscope::sys {

// Seconds since the Unix epoch (CLOCK_REALTIME).
double unix_now();

// Seconds of CLOCK_MONOTONIC.
double now_monotonic();

}  // namespace fdscope::sys
