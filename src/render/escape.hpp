// Names are bytes, not text. These turn arbitrary bytes into something that
// cannot break a table row, a CSV record or a JSON document.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace fdscope::render {

// Length of the valid UTF-8 sequence at s[i], or 0 if the byte there does
// not start one (overlong forms, surrogates and > U+10FFFF are invalid);
// `cp` is the code point when valid. For every writer that must carry
// arbitrary bytes as text.
std::size_t utf8_length(std::string_view s, std::size_t i, std::uint32_t& cp);

// For tables: printable UTF-8 kept; \n \t \r \\ as C escapes; other control
// bytes and invalid UTF-8 bytes as \xHH. The result never contains a
// control character, so a row stays one line.
void escape_for_table(std::string_view in, std::string& out);
std::string escape_for_table(std::string_view in);

// Appends `in` as the *contents* of a JSON string (no quotes). Valid UTF-8 is
// kept; control characters use \n, \t, \u00XX. A byte that is not part of
// valid UTF-8 cannot be carried by JSON, so it becomes the text "\xHH"
// (backslash escaped for JSON) and `lossy` is set, so the caller can flag the
// value ("name_escaped" in docs/json.md) and readers know to decode it.
void append_json_string(std::string_view in, std::string& out, bool& lossy);

// Terminal columns of one code point (wcwidth in a UTF-8 locale): 2 for
// wide CJK and emoji, 0 for combining marks and zero-width characters.
std::size_t columns_of(std::uint32_t cp);

// Terminal columns of UTF-8 text: the sum over its code points.
std::size_t display_width(std::string_view s);

// Shortens to at most `width` columns by cutting the middle
// ("/very/lo…/file.txt"), on code point boundaries; a wide character that
// does not fit leaves it one column short.
std::string truncate_middle(std::string_view s, std::size_t width);

// Exactly `width` columns: cut in the middle when wider, padded with
// spaces when narrower. For a name in a column of a text table.
std::string fit_columns(std::string_view s, std::size_t width);

}  // namespace fdscope::render
