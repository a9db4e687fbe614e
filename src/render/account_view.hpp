// `fdscope account` for people (verdict, attribution, processes, segments)
// and as JSON (schema 1, docs/json.md).
#pragma once
#include <cstddef>

#include "render/output.hpp"
#include "render/table.hpp"
#include "report/account.hpp"

namespace fdscope::render {

void write_account_text(Output& out, const report::Account& a, std::size_t top, const TableStyle& style);
void write_account_json(Output& out, const report::Account& a);

}  // namespace fdscope::render
