// `fdscope audit` for people (grouped by severity) and as JSON.
#pragma once
#include "render/output.hpp"
#include "render/table.hpp"
#include "report/audit.hpp"

namespace fdscope::render {

void write_audit_text(Output& out, const report::Audit& a, const TableStyle& style);
void write_audit_json(Output& out, const report::Audit& a, const std::string& backend);

}  // namespace fdscope::render
