// Short constructors for the checks the path rules produce.
#pragma once
#include <string>
#include <vector>

#include "report/why/check.hpp"

namespace fdscope::report::why {

Check passed(Layer layer, std::string path, std::string detail);
Check skipped(Layer layer, std::string path, std::string detail);
Check noted(Layer layer, std::string path, std::string detail);
Check unknown_check(Layer layer, std::string path, std::string detail, std::string explain);
Check failed(Layer layer, std::string path, int error, std::string detail, std::string explain,
             std::string fix);

// Moves `more` to the end of `out`, keeping the kernel's order.
void append_checks(std::vector<Check>& out, std::vector<Check> more);

// A later check of the same operation that the walk never got to.
Check not_reached(Layer layer, std::string path, std::string what);

}  // namespace fdscope::report::why
