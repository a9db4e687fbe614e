#include "render/table.hpp"

#include <algorithm>

#include "render/blocks.hpp"
#include "render/escape.hpp"

namespace fdscope::render {

void write_table(Output& out, const std::vector<ColumnSpec>& columns, std::size_t rows, const CellFn& cell,
                 const TableStyle& style) {
    const std::size_t ncol = columns.size();
    if (ncol == 0) return;
    // Widths: the widest cell per column, measured on every core.
    const std::size_t workers = render_workers(rows);
    std::vector<std::vector<std::size_t>> part(workers, std::vector<std::size_t>(ncol, 0));
    for_row_ranges(rows, workers, [&](std::size_t begin, std::size_t end, std::size_t worker) {
        std::string text;
        auto& w = part[worker];
        for (std::size_t r = begin; r < end; ++r)
            for (std::size_t c = 0; c < ncol; ++c) {
                text.clear();
                cell(r, c, text);
                w[c] = std::max(w[c], display_width(text));
            }
    });
    std::vector<std::size_t> width(ncol, 0);
    for (std::size_t c = 0; c < ncol; ++c) {
        width[c] = style.header ? display_width(columns[c].header) : 0;
        for (const auto& w : part) width[c] = std::max(width[c], w[c]);
    }
    // Fit the terminal: shrink flexible columns (names) first, never below 10.
    if (style.width) {
        std::size_t total = ncol - 1;
        for (auto w : width) total += w;
        for (std::size_t c = 0; c < ncol && total > style.width; ++c) {
            if (!columns[c].flexible) continue;
            std::size_t floor = std::max<std::size_t>(10, display_width(columns[c].header));
            std::size_t cut = std::min(total - style.width, width[c] > floor ? width[c] - floor : 0);
            width[c] -= cut;
            total -= cut;
        }
    }
    auto emit = [&](std::string& b, std::string& cut, std::size_t c, std::string_view s) {
        std::size_t w = display_width(s);
        std::string_view shown = s;
        if (w > width[c]) {
            cut = truncate_middle(s, width[c]);
            shown = cut;
            w = display_width(shown);
        }
        std::size_t pad = width[c] - w;
        bool last = c + 1 == ncol;
        if (columns[c].right) b.append(pad, ' '), b += shown;
        else {
            b += shown;
            if (!last) b.append(pad, ' ');
        }
        b += last ? '\n' : ' ';
    };
    if (style.header) {
        auto& b = out.buffer();
        std::string cut;
        if (style.color) b += "\x1b[1m";
        for (std::size_t c = 0; c < ncol; ++c) emit(b, cut, c, columns[c].header);
        if (style.color) {
            // Reset before the newline so colour never leaks into the rows.
            b.pop_back();
            b += "\x1b[0m\n";
        }
    }
    // Rows: made again (not kept from the width pass: that would hold the
    // whole table in memory), in blocks on every core, written in order.
    render_blocks(out, rows, 4096, [&](std::size_t begin, std::size_t end, std::string& b) {
        std::string text, cut;
        for (std::size_t r = begin; r < end; ++r)
            for (std::size_t c = 0; c < ncol; ++c) {
                text.clear();
                cell(r, c, text);
                emit(b, cut, c, text);
            }
    });
}

void write_csv(Output& out, const std::vector<ColumnSpec>& columns, std::size_t rows, const CellFn& cell) {
    auto field = [&](std::string_view s) {
        auto& b = out.buffer();
        if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
            b += s;
            return;
        }
        b += '"';
        for (char ch : s) {
            if (ch == '"') b += '"';
            b += ch;
        }
        b += '"';
    };
    for (std::size_t c = 0; c < columns.size(); ++c) {
        if (c) out.buffer() += ',';
        field(columns[c].header);
    }
    out.buffer() += "\r\n";
    std::string text;
    for (std::size_t r = 0; r < rows; ++r) {
        for (std::size_t c = 0; c < columns.size(); ++c) {
            if (c) out.buffer() += ',';
            text.clear();
            cell(r, c, text);
            field(text);
        }
        out.buffer() += "\r\n";
        out.maybe_flush();
    }
}

}  // namespace fdscope::render
