// The tick grid of `watch`, `top` (and later `serve`): ticks fall on
// start + k * interval; a tick that runs late skips the grid points it
// missed instead of drifting. The clock is injected so that tests drive it.
#pragma once
#include <functional>

namespace fdscope::live {

class Ticker {
public:
    using Clock = std::function<double()>;  // seconds, monotonic
    Ticker(double interval, Clock now);

    // The first grid point after now: the deadline of the next tick.
    double advance();
    double origin() const { return origin_; }
    double next() const { return next_; }

    // Until stop(): on_tick(), then the next deadline, then wait(deadline).
    // Ends when on_tick or wait returns false, or, with `limit` > 0 (seconds),
    // before a deadline past origin + limit.
    void run(const std::function<bool()>& on_tick, const std::function<bool(double deadline)>& wait,
             const std::function<bool()>& stop, double limit = 0);

private:
    double interval_;
    Clock now_;
    double origin_, next_;
};

}  // namespace fdscope::live
