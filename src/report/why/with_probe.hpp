// The kernel's answer beside the prediction: a disagreement makes the
// outcome Unknown and says which layers fdscope cannot see; the subject's
// own answer (--in-target) settles what the static layers could not.
//
// `as_probed`: the verdict of what the probe actually did when that is not
// the operation asked about (an open without O_TRUNC, without O_CREAT on
// an existing name): the kernel's answer is compared with it, and the
// verdict of the operation asked about stands when they agree.
#pragma once
#include <optional>

#include "report/why/check.hpp"

namespace fdscope::report::why {

Verdict with_probe(Verdict verdict, const Tried& tried, const std::optional<Verdict>& as_probed = std::nullopt);

}  // namespace fdscope::report::why
