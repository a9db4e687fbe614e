// Exec's format facts for a file: its head read and its interpreter looked
// up inside the subject's root.
#pragma once
#include "model/why_facts.hpp"

namespace fdscope::why {

// `path` as the subject sees it (absolute, inside `root`, which is "/" or
// /proc/PID/root).
ExecFormat read_exec_format(const std::string& root, const std::string& path);

}  // namespace fdscope::why
