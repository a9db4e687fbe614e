// Every layer in the kernel's order for the operation, added up to a verdict.
#pragma once
#include "report/why/check.hpp"

namespace fdscope::report::why {

Verdict evaluate(const Facts& facts);

}  // namespace fdscope::report::why
