// A streaming JSON writer. nlohmann::json would build the whole document in
// memory first: for 200,000 fds with ~25 keys each that is hundreds of MiB
// and seconds of allocation, so documents are written as they are produced.
// (nlohmann::json is still used to read JSON, e.g. in the tests.)
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "render/output.hpp"

namespace fdscope::render {

class JsonWriter {
public:
    explicit JsonWriter(Output& out) : out_(out) {}

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view k) {
        separate();
        auto& b = out_.buffer();
        b += '"';
        append_key(k, b);
        b.append("\":", 2);
        after_key_ = true;
        return *this;
    }
    JsonWriter& value(std::string_view s);  // bytes; invalid UTF-8 escaped (see escape.hpp)
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(std::int64_t v);
    JsonWriter& value(std::uint64_t v);
    JsonWriter& value(int v) { return value(static_cast<std::int64_t>(v)); }
    JsonWriter& value(unsigned v) { return value(static_cast<std::uint64_t>(v)); }
    JsonWriter& value(double v);
    JsonWriter& value(bool b);
    JsonWriter& null();
    // A string value; returns true when bytes had to be escaped as \xHH.
    bool string_value(std::string_view s);
    void newline();  // between top-level records (NDJSON) or for readability
    // Continue an array opened by another writer: the elements written next
    // are separated as if they followed `first ? nothing : an element`.
    // (Blocks of one array rendered apart, then written in order.)
    void continue_array(bool first) { first_.push_back(first); }
    // Marks the innermost container as holding elements (written elsewhere).
    void mark_not_empty() {
        if (!first_.empty()) first_.back() = false;
    }
    Output& output() { return out_; }

private:
    void separate() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (!first_.empty()) {
            if (!first_.back()) out_.buffer() += ',';
            first_.back() = false;
        }
        if (newline_pending_) {
            out_.buffer() += '\n';
            newline_pending_ = false;
        }
    }
    // Keys are nearly always fdscope's own ASCII literals, copied whole (the
    // check folds away when key() is inlined with a literal); others escaped.
    static void append_key(std::string_view k, std::string& b) {
        for (char c : k)
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') return append_escaped_key(k, b);
        b.append(k.data(), k.size());
    }
    static void append_escaped_key(std::string_view k, std::string& b);
    Output& out_;
    std::vector<char> first_;  // per open container: no element written yet (char: vector<bool> is slow)
    bool after_key_ = false;
    bool newline_pending_ = false;
};

}  // namespace fdscope::render
