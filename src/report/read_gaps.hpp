// What a scan could not read, in sentences for people (standard error
// under a table) and for JSON "notes": processes skipped, with the pids
// refused named, and processes listed with only part of their fds' facts.
#pragma once
#include <string>
#include <vector>

#include "model/snapshot.hpp"

namespace fdscope::report {

// "3 processes skipped (2 permission denied: pids 12, 40; 1 vanished)";
// "" when none was. At most `named` pids are named.
std::string skipped_sentence(const Snapshot& snap, std::size_t named = 8);

// One sentence per process listed although the kernel refused part of it
// ("pid 1 (init): fdinfo not readable (permission denied): 288 fds listed
// by number only"), or one for all when more than `named` are.
std::vector<std::string> partial_sentences(const Snapshot& snap, std::size_t named = 4);

}  // namespace fdscope::report
