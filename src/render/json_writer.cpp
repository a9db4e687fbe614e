#include "render/json_writer.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "render/escape.hpp"

namespace fdscope::render {

JsonWriter& JsonWriter::begin_object() {
    separate();
    out_.buffer() += '{';
    first_.push_back(true);
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    newline_pending_ = false;  // a break before the next element that never came
    out_.buffer() += '}';
    first_.pop_back();
    out_.maybe_flush();
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    separate();
    out_.buffer() += '[';
    first_.push_back(true);
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    newline_pending_ = false;
    out_.buffer() += ']';
    first_.pop_back();
    return *this;
}

void JsonWriter::append_escaped_key(std::string_view k, std::string& b) {
    bool lossy = false;
    append_json_string(k, b, lossy);
}

bool JsonWriter::string_value(std::string_view s) {
    separate();
    auto& b = out_.buffer();
    b += '"';
    bool lossy = false;
    append_json_string(s, b, lossy);
    b += '"';
    return lossy;
}

JsonWriter& JsonWriter::value(std::string_view s) {
    string_value(s);
    return *this;
}

// fmt::format_int formats into its own buffer: one append, not one
// push_back per digit as format_to through a back_inserter would.
JsonWriter& JsonWriter::value(std::int64_t v) {
    separate();
    fmt::format_int f(v);
    out_.buffer().append(f.data(), f.size());
    return *this;
}

JsonWriter& JsonWriter::value(std::uint64_t v) {
    separate();
    fmt::format_int f(v);
    out_.buffer().append(f.data(), f.size());
    return *this;
}

JsonWriter& JsonWriter::value(double v) {
    separate();
    if (std::isfinite(v)) fmt::format_to(std::back_inserter(out_.buffer()), "{}", v);
    else out_.buffer() += "null";
    return *this;
}

JsonWriter& JsonWriter::value(bool v) {
    separate();
    out_.buffer() += v ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::null() {
    separate();
    out_.buffer() += "null";
    return *this;
}

void JsonWriter::newline() {
    if (!first_.empty()) {
        newline_pending_ = true;  // after the comma that the next element brings
        return;
    }
    out_.buffer() += '\n';
    out_.maybe_flush();
}

}  // namespace fdscope::render
