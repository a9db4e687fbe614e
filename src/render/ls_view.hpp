// `fdscope ls` output: table, CSV, JSON (schema 1) and NDJSON.
#pragma once
#include <string>
#include <vector>

#include "render/output.hpp"
#include "render/table.hpp"
#include "report/ls.hpp"

namespace fdscope::render {

// Column names for -o (lower case); the default set; all known names.
std::vector<std::string> ls_default_columns(const report::LsReport& r);
std::vector<std::string> ls_all_columns();
// Empty when every name is known; else the first unknown name.
std::string ls_unknown_column(const std::vector<std::string>& names);

void write_ls_table(Output& out, const report::LsReport& r, const std::vector<std::string>& columns,
                    const TableStyle& style);
void write_ls_csv(Output& out, const report::LsReport& r, const std::vector<std::string>& columns);
void write_ls_json(Output& out, const report::LsReport& r, const std::string& backend);
void write_ls_ndjson(Output& out, const report::LsReport& r);

}  // namespace fdscope::render
