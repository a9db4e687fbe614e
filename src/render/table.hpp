// Tables for people and CSV for spreadsheets, from column definitions.
// Cells are produced by a callback so 200,000 rows are never held as strings:
// widths are measured in a first pass, rows written in a second, both on
// every core for large tables: the callback must be safe to call
// concurrently (it only reads).
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "render/output.hpp"

namespace fdscope::render {

struct ColumnSpec {
    std::string header;
    bool right = false;     // numbers align right
    bool flexible = false;  // may be truncated in the middle to fit the terminal
};

// Fills `cell` (already cleared) with the escaped text of (row, column).
using CellFn = std::function<void(std::size_t row, std::size_t column, std::string& cell)>;

struct TableStyle {
    std::size_t width = 0;  // terminal width; 0: unlimited (not a tty)
    bool color = false;     // bold header
    bool header = true;
};

void write_table(Output& out, const std::vector<ColumnSpec>& columns, std::size_t rows, const CellFn& cell,
                 const TableStyle& style);

// RFC 4180: fields with comma, quote or line breaks are quoted. Cells are
// raw bytes here (CSV carries bytes), except that the caller escapes.
void write_csv(Output& out, const std::vector<ColumnSpec>& columns, std::size_t rows, const CellFn& cell);

}  // namespace fdscope::render
