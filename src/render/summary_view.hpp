// The machine summary for people (one screen) and as JSON.
#pragma once
#include <string>

#include "model/snapshot.hpp"
#include "render/output.hpp"
#include "render/table.hpp"
#include "report/summary.hpp"

namespace fdscope::render {

void write_summary_text(Output& out, const report::Summary& s, const Snapshot& snap, const TableStyle& style,
                        double seconds);
void write_summary_json(Output& out, const report::Summary& s, const Snapshot& snap);

}  // namespace fdscope::render
