// What both probes share: the notes on what an attempt leaves out, and
// the random name a mkdir attempt makes.
#pragma once
#include <linux/filter.h>

#include <string>
#include <vector>

#include "model/why_facts.hpp"
#include "why/probe_plan.hpp"

namespace fdscope::why {

// Twelve random hex digits (getrandom).
std::string random_letters();

// Appends `item` to a "; "-separated list.
void add_note(std::string& list, const std::string& item);

// A filter that may answer TRACE or USER_NOTIF (or returns A, which may be
// anything): without its tracer or supervisor the kernel answers ENOSYS.
bool filters_may_defer(const std::vector<std::vector<sock_filter>>& filters);

// For the probe child: what of the subject it cannot take on.
std::string child_not_reproduced(const Subject& subject, const Attempt& attempt);

// "uid 65534 gid 65534 in pid 812's namespaces": whom the child acted as.
std::string child_identity(const Subject& subject);

}  // namespace fdscope::why
