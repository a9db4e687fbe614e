#include "render/table.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <random>
#include <sstream>
#include <unistd.h>

#include "render/capture.hpp"
#include "render/escape.hpp"

using fdscope::render::ColumnSpec;
using fdscope::render::display_width;
using fdscope::render::Output;
using fdscope::render::TableStyle;
using fdscope::render::truncate_middle;
using fdscope::render::write_csv;
using fdscope::render::write_table;
using fdscope::render::testing::Capture;

namespace {

using Grid = std::vector<std::vector<std::string>>;

std::string table(const std::vector<ColumnSpec>& cols, const Grid& rows, const TableStyle& style) {
    Capture c;
    write_table(c.out(), cols, rows.size(),
                [&](std::size_t r, std::size_t col, std::string& cell) { cell += rows.at(r).at(col); }, style);
    return c.text();
}

std::string csv(const std::vector<ColumnSpec>& cols, const Grid& rows) {
    Capture c;
    write_csv(c.out(), cols, rows.size(),
              [&](std::size_t r, std::size_t col, std::string& cell) { cell += rows.at(r).at(col); });
    return c.text();
}

std::string sp(std::size_t n) { return std::string(n, ' '); }

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
        out.push_back(text.substr(start, nl - start));
    EXPECT_EQ(start, text.size()) << "text does not end with a newline";
    return out;
}

std::string strip_sgr(std::string s) {
    for (std::size_t at; (at = s.find("\x1b[")) != std::string::npos;) {
        std::size_t m = s.find('m', at);
        s.erase(at, m - at + 1);
    }
    return s;
}

const std::string kEllipsis = "\xe2\x80\xa6";

// RFC 4180 reader for round trips: records end with CRLF, quoted fields may
// hold anything, "" is a quote.
std::vector<std::vector<std::string>> parse_csv(const std::string& s) {
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> rec;
    std::string field;
    std::size_t i = 0;
    bool quoted_field = false;
    while (i < s.size()) {
        if (field.empty() && !quoted_field && s[i] == '"') {
            quoted_field = true;
            ++i;
            for (;;) {
                if (i >= s.size()) {
                    ADD_FAILURE() << "unterminated quoted field";
                    return records;
                }
                if (s[i] == '"') {
                    if (i + 1 < s.size() && s[i + 1] == '"') field += '"', i += 2;
                    else {
                        ++i;
                        break;
                    }
                } else {
                    field += s[i++];
                }
            }
            continue;
        }
        if (s[i] == ',') {
            rec.push_back(field), field.clear(), quoted_field = false, ++i;
        } else if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
            rec.push_back(field), field.clear(), quoted_field = false, i += 2;
            records.push_back(rec), rec.clear();
        } else {
            EXPECT_FALSE(quoted_field) << "text after closing quote at " << i;
            EXPECT_FALSE(s[i] == '"' || s[i] == '\r' || s[i] == '\n') << "bare special character at " << i;
            field += s[i++];
        }
    }
    EXPECT_TRUE(rec.empty() && field.empty()) << "last record not ended by CRLF";
    return records;
}

}  // namespace

// ---------------------------------------------------------------- write_table

TEST(WriteTable, AlignmentAndHeader) {
    std::vector<ColumnSpec> cols = {{"COMMAND", false, false}, {"PID", true, false}, {"NAME", false, true}};
    Grid rows = {{"bash", "1", "/etc/passwd"}, {"systemd-journal", "12345", "/x"}};
    std::string want = "COMMAND" + sp(8) + " " + "  PID" + " " + "NAME\n" +
                       "bash" + sp(11) + " " + "    1" + " " + "/etc/passwd\n" +
                       "systemd-journal" + " " + "12345" + " " + "/x\n";
    EXPECT_EQ(table(cols, rows, TableStyle{}), want);
}

TEST(WriteTable, LastColumnRightAlignedIsPadded) {
    std::vector<ColumnSpec> cols = {{"NAME", false, false}, {"FDS", true, false}};
    Grid rows = {{"a", "5"}, {"longer", "12345"}};
    std::string want = "NAME" + sp(2) + " " + "  FDS\n" +
                       "a" + sp(5) + " " + "    5\n" +
                       "longer 12345\n";
    EXPECT_EQ(table(cols, rows, TableStyle{}), want);
}

TEST(WriteTable, LeftAlignedLastColumnHasNoTrailingSpaces) {
    std::vector<ColumnSpec> cols = {{"A", false, false}, {"LONGHEADER", false, false}};
    Grid rows = {{"x", "y"}};
    std::string text = table(cols, rows, TableStyle{});
    EXPECT_EQ(text, "A LONGHEADER\nx y\n");
}

TEST(WriteTable, HeaderWiderThanCellsAndNoHeader) {
    std::vector<ColumnSpec> cols = {{"LONGHEADER", false, false}, {"N", true, false}};
    Grid rows = {{"a", "1"}, {"bb", "22"}};
    EXPECT_EQ(table(cols, rows, TableStyle{}), "LONGHEADER  N\na" + sp(9) + "  1\nbb" + sp(8) + " 22\n");
    TableStyle no_header;
    no_header.header = false;
    // Widths come from the cells alone.
    EXPECT_EQ(table(cols, rows, no_header), "a   1\nbb 22\n");
}

TEST(WriteTable, EmptyInputs) {
    std::vector<ColumnSpec> cols = {{"PID", true, false}, {"NAME", false, false}};
    EXPECT_EQ(table(cols, {}, TableStyle{}), "PID NAME\n");
    TableStyle no_header;
    no_header.header = false;
    EXPECT_EQ(table(cols, {}, no_header), "");
    EXPECT_EQ(table({}, {}, TableStyle{}), "");
}

TEST(WriteTable, FitsTerminalByCuttingFlexibleColumnInTheMiddle) {
    const std::string name = "/home/user/" + std::string(25, 'x') + ".log";  // 40 columns
    ASSERT_EQ(name.size(), 40u);
    std::vector<ColumnSpec> cols = {{"PID", true, false}, {"NAME", false, true}, {"TYPE", false, false}};
    Grid rows = {{"1", name, "pipe"}, {"22", "short", "unix"}};
    TableStyle style;
    style.width = 30;
    std::string text = table(cols, rows, style);
    // NAME shrinks from 40 to 21 columns: 3 + 1 + 21 + 1 + 4 = 30.
    std::string want = "PID NAME" + sp(17) + " TYPE\n" +
                       "  1 /home/user" + kEllipsis + "xxxxxx.log pipe\n" +
                       " 22 short" + sp(16) + " unix\n";
    EXPECT_EQ(text, want);
    for (const auto& l : lines(text)) {
        EXPECT_LE(display_width(l), 30u) << l;
    }
}

TEST(WriteTable, EveryLineFitsForManyWidths) {
    std::vector<ColumnSpec> cols = {{"PID", true, false}, {"COMMAND", false, false}, {"NAME", false, true}};
    Grid rows = {{"1", "init", "/usr/lib/systemd/systemd-journald.socket"},
                 {"4242", "postgres", "/var/lib/postgresql/16/main/base/16384/2619_fsm"},
                 {"7", "x", "caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac/\xf0\x9f\x98\x80/\xe6\x97\xa5\xe6\x9c\xac\xe6\x97\xa5\xe6\x9c\xac"}};
    // Fixed part: 4 + 1 + 8 + 1 = 14; NAME's floor is 10, so every width >= 24 fits.
    for (std::size_t w = 24; w <= 80; ++w) {
        TableStyle style;
        style.width = w;
        std::string text = table(cols, rows, style);
        auto ls = lines(text);
        ASSERT_EQ(ls.size(), 4u);
        for (const auto& l : ls) {
            EXPECT_LE(display_width(l), w) << "width " << w << ": " << l;
        }
        for (std::size_t r = 0; r < rows.size(); ++r) {
            // Non-flexible cells intact, flexible cell a middle cut of the original.
            EXPECT_NE(ls[r + 1].find(rows[r][1]), std::string::npos) << w;
            std::string tail = ls[r + 1].substr(14);
            while (!tail.empty() && tail.back() == ' ') tail.pop_back();
            if (display_width(rows[r][2]) <= w - 14) {
                EXPECT_EQ(tail, rows[r][2]) << w;
            } else {
                EXPECT_EQ(tail, truncate_middle(rows[r][2], w - 14)) << w;
            }
        }
    }
}

TEST(WriteTable, NonFlexibleColumnsAreNeverCut) {
    const std::string name = "/home/user/" + std::string(25, 'x') + ".log";
    const std::string type = "a-very-long-non-flexible-cell-value";
    std::vector<ColumnSpec> cols = {{"PID", true, false}, {"NAME", false, true}, {"TYPE", false, false}};
    Grid rows = {{"123", name, type}};
    TableStyle style;
    style.width = 30;
    std::string text = table(cols, rows, style);
    // NAME stops at its floor of 10 columns; the line is wider than 30, TYPE is whole.
    EXPECT_EQ(text, "PID NAME" + sp(6) + " TYPE\n" + "123 /hom" + kEllipsis + "x.log " + type + "\n");
}

TEST(WriteTable, FlexibleFloorIsTheHeaderWidth) {
    const std::string name(40, 'n');
    std::vector<ColumnSpec> cols = {{"NAME-OF-THE-FILE", false, true}, {"X", false, false}};
    Grid rows = {{name, "x"}};
    TableStyle style;
    style.width = 5;
    std::string text = table(cols, rows, style);
    EXPECT_EQ(text, "NAME-OF-THE-FILE X\n" + std::string(7, 'n') + kEllipsis + std::string(8, 'n') + " x\n");
}

TEST(WriteTable, WideEnoughTerminalChangesNothing) {
    std::vector<ColumnSpec> cols = {{"PID", true, false}, {"NAME", false, true}};
    Grid rows = {{"1", "/a/rather/long/path/name/that/fits"}};
    TableStyle wide;
    wide.width = 200;
    EXPECT_EQ(table(cols, rows, wide), table(cols, rows, TableStyle{}));
}

TEST(WriteTable, NoColourCodesWithoutColour) {
    std::vector<ColumnSpec> cols = {{"PID", true, false}, {"NAME", false, true}};
    Grid rows = {{"1", "a"}, {"2", "b"}};
    std::string text = table(cols, rows, TableStyle{});
    EXPECT_EQ(text.find('\x1b'), std::string::npos);
}

TEST(WriteTable, ColourBoldHeaderResetBeforeNewline) {
    std::vector<ColumnSpec> cols = {{"PID", true, false}, {"COMMAND", false, false}, {"NAME", false, true}};
    Grid rows = {{"1", "init", "/sbin/init"}, {"12345", "bash", "/dev/pts/0"}};
    TableStyle color;
    color.color = true;
    std::string text = table(cols, rows, color);
    EXPECT_EQ(text, "\x1b[1m  PID COMMAND NAME\x1b[0m\n"
                    "    1 init    /sbin/init\n"
                    "12345 bash    /dev/pts/0\n");
    EXPECT_EQ(strip_sgr(text), table(cols, rows, TableStyle{}));
    // Header off: no codes at all.
    color.header = false;
    EXPECT_EQ(table(cols, rows, color).find('\x1b'), std::string::npos);
}

TEST(WriteTable, ColourNeverLeaksPastALine) {
    std::vector<ColumnSpec> cols = {{"A", false, false}, {"B", true, false}, {"C", false, true}};
    Grid rows = {{"x", "1", "y"}};
    for (std::size_t w : {0UL, 5UL, 40UL}) {
        TableStyle color;
        color.color = true;
        color.width = w;
        for (const auto& l : lines(table(cols, rows, color))) {
            auto on = l.rfind("\x1b[1m");
            if (on != std::string::npos) {
                EXPECT_TRUE(l.ends_with("\x1b[0m")) << l;
            }
        }
    }
}

// Regression test for a fixed bug: with color=true the last header is appended
// without going through the alignment code, so a right-aligned last column
// (the summary table's HEADROOM) gets an unpadded header: colour changes the
// layout. Expected (after removing the SGR codes) "NAME     FDS", actual
// "NAME   FDS".
TEST(WriteTable, ColourDoesNotChangeLayoutOfRightAlignedLastColumn) {
    std::vector<ColumnSpec> cols = {{"NAME", false, false}, {"FDS", true, false}};
    Grid rows = {{"a", "5"}, {"longer", "12345"}};
    TableStyle color;
    color.color = true;
    std::string text = table(cols, rows, color);
    EXPECT_EQ(strip_sgr(text), table(cols, rows, TableStyle{}));
    EXPECT_EQ(text, "\x1b[1mNAME" + sp(5) + "FDS\x1b[0m\n" + "a" + sp(10) + "5\n" + "longer 12345\n");
}

TEST(WriteTable, ManyRowsAcrossFlushes) {
    std::vector<ColumnSpec> cols = {{"N", true, false}, {"NAME", false, false}};
    const std::size_t n = 20000;
    Capture c;
    write_table(c.out(), cols, n,
                [](std::size_t r, std::size_t col, std::string& cell) {
                    cell += col == 0 ? std::to_string(r) : "/path/" + std::to_string(r);
                },
                TableStyle{});
    auto ls = lines(c.text());
    ASSERT_EQ(ls.size(), n + 1);
    EXPECT_EQ(ls[1], "    0 /path/0");
    EXPECT_EQ(ls[n], "19999 /path/19999");
}

TEST(WriteTable, WorksOnAPipe) {
    int p[2];
    ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
    {
        Output out(p[1]);
        write_table(out, {{"FD", true, false}, {"NAME", false, false}}, 2,
                    [](std::size_t r, std::size_t col, std::string& cell) { cell += col == 0 ? std::to_string(r * 10) : "n"; },
                    TableStyle{});
        out.flush();
    }
    close(p[1]);
    std::string got;
    char buf[4096];
    for (ssize_t n; (n = read(p[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
    close(p[0]);
    EXPECT_EQ(got, "FD NAME\n 0 n\n10 n\n");
}

// ---------------------------------------------------------------- write_csv

TEST(WriteCsv, QuotingAndCrlf) {
    std::vector<ColumnSpec> cols = {{"FD", true, false}, {"NAME", false, true}, {"NOTE", false, false}};
    Grid rows = {{"3", "/tmp/a,b", "say \"hi\""}, {"4", "line\nbreak", "cr\rhere"}, {"5", "plain", ""}};
    EXPECT_EQ(csv(cols, rows),
              "FD,NAME,NOTE\r\n"
              "3,\"/tmp/a,b\",\"say \"\"hi\"\"\"\r\n"
              "4,\"line\nbreak\",\"cr\rhere\"\r\n"
              "5,plain,\r\n");
}

TEST(WriteCsv, PlainFieldsUnquoted) {
    std::vector<ColumnSpec> cols = {{"A", false, false}, {"B", false, false}};
    Grid rows = {{" spaced ", "caf\xc3\xa9\xff"}, {"tab\there", "semi;colon"}};
    EXPECT_EQ(csv(cols, rows), "A,B\r\n spaced ,caf\xc3\xa9\xff\r\ntab\there,semi;colon\r\n");
}

TEST(WriteCsv, HeaderIsQuotedToo) {
    std::vector<ColumnSpec> cols = {{"A,B", false, false}, {"C\"D", false, false}};
    EXPECT_EQ(csv(cols, {}), "\"A,B\",\"C\"\"D\"\r\n");
}

TEST(WriteCsv, OnlyQuotes) {
    std::vector<ColumnSpec> cols = {{"Q", false, false}};
    Grid rows = {{"\""}, {"\"\""}, {"\r\n"}};
    EXPECT_EQ(csv(cols, rows), "Q\r\n\"\"\"\"\r\n\"\"\"\"\"\"\r\n\"\r\n\"\r\n");
}

TEST(WriteCsv, RandomFieldsRoundTrip) {
    std::mt19937 rng(2024);
    const std::string alphabet = std::string("ab ,\"\r\n\t;x\xc3\xa9");
    std::uniform_int_distribution<std::size_t> len(0, 12), pick(0, alphabet.size() - 1);
    std::vector<ColumnSpec> cols = {{"ONE", false, false}, {"TWO", false, false}, {"THREE", false, false}};
    Grid rows(300, std::vector<std::string>(3));
    for (auto& r : rows)
        for (auto& f : r)
            for (std::size_t k = len(rng); k > 0; --k) f += alphabet[pick(rng)];
    auto records = parse_csv(csv(cols, rows));
    ASSERT_EQ(records.size(), rows.size() + 1);
    EXPECT_EQ(records[0], (std::vector<std::string>{"ONE", "TWO", "THREE"}));
    for (std::size_t r = 0; r < rows.size(); ++r) EXPECT_EQ(records[r + 1], rows[r]) << r;
}

namespace {

// The same table written one row at a time, as a reference for the
// multi-threaded writer (widths from every cell, rows in order).
std::string reference_table(const std::vector<ColumnSpec>& cols, const Grid& rows) {
    std::vector<std::size_t> w(cols.size());
    for (std::size_t c = 0; c < cols.size(); ++c) w[c] = display_width(cols[c].header);
    for (const auto& row : rows)
        for (std::size_t c = 0; c < cols.size(); ++c) w[c] = std::max(w[c], display_width(row[c]));
    std::string out;
    auto line = [&](const std::vector<std::string>& cells) {
        for (std::size_t c = 0; c < cols.size(); ++c) {
            const std::size_t pad = w[c] - display_width(cells[c]);
            const bool last = c + 1 == cols.size();
            if (cols[c].right) out.append(pad, ' '), out += cells[c];
            else {
                out += cells[c];
                if (!last) out.append(pad, ' ');
            }
            out += last ? '\n' : ' ';
        }
    };
    std::vector<std::string> header;
    for (const auto& c : cols) header.push_back(c.header);
    line(header);
    for (const auto& row : rows) line(row);
    return out;
}

}  // namespace

// Large tables are measured and written on several threads: the result must
// be the single-threaded table, rows in order, the widest cell anywhere
// (here near the end) setting the width.
TEST(WriteTable, LargeTablesAreTheSameAsWrittenRowByRow) {
    std::vector<ColumnSpec> cols = {{"N", true, false}, {"NAME", false, true}, {"K", false, false}};
    Grid rows;
    std::mt19937 rng(7);
    for (int i = 0; i < 30000; ++i)
        rows.push_back({std::to_string(i), std::string(rng() % 20, 'a' + static_cast<char>(i % 26)),
                        i == 29990 ? "the-widest-cell-of-all" : "k"});
    TableStyle style;
    EXPECT_EQ(table(cols, rows, style), reference_table(cols, rows));
}
