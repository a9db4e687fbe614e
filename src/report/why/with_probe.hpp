// The kernel's answer beside the prediction: a disagreement makes the
// outcome Unknown and says which layers fdscope cannot see; the subject's
// own answer (--in-target) settles what the static layers could not.
#pragma once
#include "report/why/check.hpp"

namespace fdscope::report::why {

Verdict with_probe(Verdict verdict, const Tried& tried);

}  // namespace fdscope::report::why
