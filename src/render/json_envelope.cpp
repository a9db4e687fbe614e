#include "render/json_envelope.hpp"

namespace fdscope::render {

void begin_document(JsonWriter& j, const char* command, const std::string& backend, std::optional<double> time) {
    j.begin_object();
    j.key("schema").value(kJsonSchema);
    j.key("command").value(command);
    j.key("backend").value(backend);
    if (time) j.key("time").value(*time);
}

void begin_stream_header(JsonWriter& j) {
    j.begin_object();
    j.key("type").value("header");
    j.key("schema").value(kJsonSchema);
}

}  // namespace fdscope::render
