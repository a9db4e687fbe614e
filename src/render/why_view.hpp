// `fdscope why` for people (the verdict line first, then every check in the
// kernel's order) and as JSON (docs/json.md, "why").
#pragma once
#include "model/why_facts.hpp"
#include "render/output.hpp"
#include "report/why/check.hpp"

namespace fdscope::render {

struct WhyStyle {
    bool verbose = false;  // passes and skips too
    bool color = false;
};

void write_why_text(Output& out, const why::Facts& facts, const report::why::Verdict& v, const WhyStyle& style);
void write_why_json(Output& out, const why::Facts& facts, const report::why::Verdict& v);

}  // namespace fdscope::render
