// Every layer in the kernel's order for the operation, added up to a verdict.
#pragma once
#include "report/why/check.hpp"

namespace fdscope::report::why {

Verdict evaluate(const Facts& facts);

// The kernel's answer beside the prediction: a disagreement makes the
// outcome Unknown and says which layers fdscope cannot see.
Verdict with_probe(Verdict verdict, const Tried& tried, const Facts& facts);

}  // namespace fdscope::report::why
