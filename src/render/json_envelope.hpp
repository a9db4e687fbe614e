// What every JSON output of fdscope starts with (docs/json.md): the schema
// version, and for a document the command and backend that made it.
#pragma once
#include <optional>
#include <string>

#include "render/json_writer.hpp"

namespace fdscope::render {

inline constexpr int kJsonSchema = 1;

// {"schema":1,"command":...,"backend":...[,"time":...], left open.
void begin_document(JsonWriter& j, const char* command, const std::string& backend,
                    std::optional<double> time = std::nullopt);

// {"type":"header","schema":1, left open: the first line of an NDJSON stream.
void begin_stream_header(JsonWriter& j);

}  // namespace fdscope::render
