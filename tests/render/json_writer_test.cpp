#include "render/json_writer.hpp"

#include <cmath>
#include <cstdint>
#include <gtest/gtest.h>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "render/capture.hpp"

using fdscope::render::JsonWriter;
using fdscope::render::testing::Capture;

TEST(JsonWriter, NestedDocumentExactText) {
    Capture c;
    JsonWriter j(c.out());
    j.begin_object();
    j.key("a").value(1);
    j.key("b").begin_array();
    j.value("x");
    j.begin_object().key("k").value("v").end_object();
    j.begin_object().end_object();
    j.begin_array().end_array();
    j.null();
    j.begin_array().begin_array().value(2).end_array().end_array();
    j.end_array();
    j.key("c").begin_object().key("d").value(true).key("e").value(false).key("f").begin_array().end_array().end_object();
    j.key("g").begin_object().end_object();
    j.end_object();
    const std::string want =
        R"({"a":1,"b":["x",{"k":"v"},{},[],null,[[2]]],"c":{"d":true,"e":false,"f":[]},"g":{}})";
    std::string text = c.text();
    EXPECT_EQ(text, want);
    auto parsed = nlohmann::json::parse(text);
    EXPECT_EQ(parsed["b"][1]["k"], "v");
    EXPECT_TRUE(parsed["b"][4].is_null());
    EXPECT_EQ(parsed["b"][5][0][0], 2);
    EXPECT_EQ(parsed["c"]["d"], true);
    EXPECT_TRUE(parsed["g"].is_object() && parsed["g"].empty());
}

TEST(JsonWriter, ObjectsInArraysInObjects) {
    Capture c;
    JsonWriter j(c.out());
    j.begin_object().key("procs").begin_array();
    for (int pid : {1, 2}) {
        j.begin_object().key("pid").value(pid).key("fds").begin_array();
        for (int fd = 0; fd < pid + 1; ++fd) j.begin_object().key("fd").value(fd).end_object();
        j.end_array().end_object();
    }
    j.end_array().end_object();
    std::string text = c.text();
    EXPECT_EQ(text, R"({"procs":[{"pid":1,"fds":[{"fd":0},{"fd":1}]},{"pid":2,"fds":[{"fd":0},{"fd":1},{"fd":2}]}]})");
    auto parsed = nlohmann::json::parse(text);
    EXPECT_EQ(parsed["procs"][1]["fds"].size(), 3u);
}

TEST(JsonWriter, EmptyTopLevelContainers) {
    Capture c;
    JsonWriter j(c.out());
    j.begin_array().end_array();
    j.newline();
    j.begin_object().end_object();
    j.newline();
    EXPECT_EQ(c.text(), "[]\n{}\n");
}

TEST(JsonWriter, NewlineBetweenArrayElements) {
    // How `ls --json` writes "files": a newline before each element.
    Capture c;
    JsonWriter j(c.out());
    j.begin_object().key("files").begin_array();
    for (int i = 1; i <= 3; ++i) {
        j.newline();
        j.begin_object().key("fd").value(i).end_object();
    }
    j.end_array().end_object();
    j.newline();
    std::string text = c.text();
    EXPECT_EQ(text, "{\"files\":[\n{\"fd\":1},\n{\"fd\":2},\n{\"fd\":3}]}\n");
    EXPECT_EQ(nlohmann::json::parse(text)["files"].size(), 3u);
}

TEST(JsonWriter, NewlineInEmptyArrayStaysValid) {
    Capture c;
    JsonWriter j(c.out());
    j.begin_object().key("files").begin_array().end_array().end_object();
    j.newline();
    std::string text = c.text();
    EXPECT_EQ(text, "{\"files\":[]}\n");
    EXPECT_TRUE(nlohmann::json::accept(text));
}

TEST(JsonWriter, NdjsonRecords) {
    Capture c;
    JsonWriter j(c.out());
    for (int i = 0; i < 3; ++i) {
        j.begin_object().key("i").value(i).key("tags").begin_array().value("t").end_array().end_object();
        j.newline();
    }
    std::string text = c.text();
    EXPECT_EQ(text, "{\"i\":0,\"tags\":[\"t\"]}\n{\"i\":1,\"tags\":[\"t\"]}\n{\"i\":2,\"tags\":[\"t\"]}\n");
    std::istringstream in(text);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        auto rec = nlohmann::json::parse(line);
        EXPECT_EQ(rec["i"], n);
        ++n;
    }
    EXPECT_EQ(n, 3);
}

// Regression test for a fixed bug: newline() called after the last element of an
// array (before end_array) leaves newline_pending_ set; the pending newline
// then leaks out of the closed array and is written before the *next*
// top-level record, so NDJSON output gets an empty line.
// Expected "[1]\n{}\n" (or "[1\n]\n{}\n"), actual "[1]\n\n{}\n".
TEST(JsonWriter, PendingNewlineDoesNotLeakOutOfClosedArray) {
    Capture c;
    JsonWriter j(c.out());
    j.begin_array().value(1);
    j.newline();
    j.end_array();
    j.newline();
    j.begin_object().end_object();
    j.newline();
    std::string text = c.text();
    EXPECT_EQ(text.find("\n\n"), std::string::npos) << "blank line in NDJSON: " << ::testing::PrintToString(text);
    EXPECT_TRUE(text == "[1]\n{}\n" || text == "[1\n]\n{}\n") << ::testing::PrintToString(text);
}

TEST(JsonWriter, IntegerExtremes) {
    Capture c;
    JsonWriter j(c.out());
    j.begin_array();
    j.value(std::numeric_limits<std::int64_t>::min());
    j.value(std::numeric_limits<std::int64_t>::max());
    j.value(std::numeric_limits<std::uint64_t>::max());
    j.value(std::int64_t{0});
    j.value(-1);
    j.value(4294967295u);
    j.end_array();
    std::string text = c.text();
    EXPECT_EQ(text, "[-9223372036854775808,9223372036854775807,18446744073709551615,0,-1,4294967295]");
    auto p = nlohmann::json::parse(text);
    EXPECT_EQ(p[0].get<std::int64_t>(), std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(p[1].get<std::int64_t>(), std::numeric_limits<std::int64_t>::max());
    ASSERT_TRUE(p[2].is_number_unsigned());
    EXPECT_EQ(p[2].get<std::uint64_t>(), std::numeric_limits<std::uint64_t>::max());
    EXPECT_EQ(p[4].get<int>(), -1);
}

TEST(JsonWriter, Doubles) {
    Capture c;
    JsonWriter j(c.out());
    j.begin_array();
    j.value(0.5).value(-2.25).value(1.5e300);
    j.value(std::nan("")).value(std::numeric_limits<double>::infinity()).value(-std::numeric_limits<double>::infinity());
    j.end_array();
    std::string text = c.text();
    EXPECT_EQ(text, "[0.5,-2.25,1.5e+300,null,null,null]");
    auto p = nlohmann::json::parse(text);
    EXPECT_EQ(p[0].get<double>(), 0.5);
    EXPECT_EQ(p[2].get<double>(), 1.5e300);
    EXPECT_TRUE(p[3].is_null());
    EXPECT_TRUE(p[5].is_null());
}

TEST(JsonWriter, DoublesRoundTripExactly) {
    const double values[] = {0.1, 1.0 / 3, 1e-7, 123456789.125, 1e21, 1.7e9, 5e-324,
                             std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
                             std::numeric_limits<double>::min(), 0.0, -0.0, 1.0};
    for (double v : values) {
        Capture c;
        JsonWriter j(c.out());
        j.begin_object().key("v").value(v).end_object();
        std::string text = c.text();
        nlohmann::json p;
        ASSERT_NO_THROW(p = nlohmann::json::parse(text)) << text;
        EXPECT_EQ(p["v"].get<double>(), v) << text;
    }
}

TEST(JsonWriter, BooleansAndNull) {
    Capture c;
    JsonWriter j(c.out());
    j.begin_object().key("t").value(true).key("f").value(false).key("n").null().end_object();
    EXPECT_EQ(c.text(), R"({"t":true,"f":false,"n":null})");
}

TEST(JsonWriter, StringsAreEscapedAndLossyReported) {
    Capture c;
    JsonWriter j(c.out());
    j.begin_object();
    j.key("q\"k");
    bool lossy_ok = j.string_value("a\"b\\c\n");
    j.key("bad\xff");
    bool lossy_bad = j.string_value("x\xfey");
    j.end_object();
    EXPECT_FALSE(lossy_ok);
    EXPECT_TRUE(lossy_bad);
    std::string text = c.text();
    EXPECT_EQ(text, "{\"q\\\"k\":\"a\\\"b\\\\c\\n\",\"bad\\\\xff\":\"x\\\\xfey\"}");
    auto p = nlohmann::json::parse(text);
    EXPECT_EQ(p["q\"k"], "a\"b\\c\n");
    EXPECT_EQ(p["bad\\xff"], "x\\xfey");
}

TEST(JsonWriter, LargeDocumentFlushesAndParses) {
    // More than the 64 KiB chunk: the Output must flush mid-document without losing bytes.
    Capture c;
    {
        JsonWriter j(c.out());
        j.begin_array();
        for (int i = 0; i < 20000; ++i) {
            j.newline();
            j.begin_object().key("i").value(i).key("name").value("/some/path/name").end_object();
        }
        j.end_array();
        j.newline();
    }
    std::string text = c.text();
    EXPECT_GT(text.size(), 64u * 1024u);
    auto p = nlohmann::json::parse(text);
    ASSERT_EQ(p.size(), 20000u);
    EXPECT_EQ(p[19999]["i"], 19999);
}
