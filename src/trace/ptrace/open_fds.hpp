// Which fd numbers one fd table has open, as far as the events sent for it
// say. The engine asks it at the entry of close(n): a close of an fd known
// open needs no exit stop (the kernel releases an open fd whatever close
// returns), which halves the stops of a close. A number it is unsure of
// counts as not open: that costs a stop, never a wrong event.
#pragma once
#include <cstdint>
#include <vector>

#include "model/event.hpp"

namespace fdscope::trace::ptrace {

class OpenFds {
public:
    bool is_open(std::int64_t fd) const;
    // Follows one event sent for this table. A Reconcile event empties the
    // set (its Present events refill it: the kernel's table is the truth).
    void apply(const FdEvent& e);
    void clear() { open_.clear(); }

private:
    void set(std::int64_t fd, bool open);
    std::vector<bool> open_;
};

}  // namespace fdscope::trace::ptrace
