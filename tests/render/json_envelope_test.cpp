// The head every JSON output shares, byte for byte.
#include "render/json_envelope.hpp"

#include <gtest/gtest.h>

#include "render/capture.hpp"

namespace fdscope::render {
namespace {

TEST(JsonEnvelope, DocumentHead) {
    testing::Capture c;
    {
        JsonWriter j(c.out());
        begin_document(j, "ls", "bpf", 12.5);
        j.end_object();
    }
    EXPECT_EQ(c.text(), R"({"schema":1,"command":"ls","backend":"bpf","time":12.5})");
}

TEST(JsonEnvelope, DocumentHeadWithoutTime) {
    testing::Capture c;
    {
        JsonWriter j(c.out());
        begin_document(j, "audit", "procfs");
        j.end_object();
    }
    EXPECT_EQ(c.text(), R"({"schema":1,"command":"audit","backend":"procfs"})");
}

TEST(JsonEnvelope, StreamHeader) {
    testing::Capture c;
    {
        JsonWriter j(c.out());
        begin_stream_header(j);
        j.end_object();
    }
    EXPECT_EQ(c.text(), R"({"type":"header","schema":1})");
}

}  // namespace
}  // namespace fdscope::render
