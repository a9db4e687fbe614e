#include "live/ticker.hpp"

#include <utility>

namespace fdscope::live {

Ticker::Ticker(double interval, Clock now) : interval_(interval), now_(std::move(now)), origin_(now_()), next_(origin_) {}

double Ticker::advance() {
    next_ += interval_;
    while (next_ <= now_()) next_ += interval_;
    return next_;
}

void Ticker::run(const std::function<bool()>& on_tick, const std::function<bool(double)>& wait,
                 const std::function<bool()>& stop, double limit) {
    while (!stop()) {
        if (!on_tick()) return;
        const double deadline = advance();
        // The epsilon keeps the last tick of a --duration that is a whole
        // number of intervals despite rounding of the sums.
        if (limit > 0 && deadline > origin_ + limit + 1e-6) return;
        if (!wait(deadline)) return;
    }
}

}  // namespace fdscope::live
