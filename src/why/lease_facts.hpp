// File leases on the object an open names (/proc/locks LEASE lines): an
// open that breaks one waits for its holder.
#pragma once
#include <cstdint>
#include <vector>

#include "model/why_facts.hpp"

namespace fdscope::why {

// The leases on inode `ino` of device `dev` (st_dev), each as its holder
// with the note "read lease" or "write lease"; fdscope itself left out.
std::vector<Holder> lease_holders(std::uint64_t dev, std::uint64_t ino);

// fs.lease-break-time in seconds (45 when it cannot be read).
std::uint64_t lease_break_seconds();

}  // namespace fdscope::why
