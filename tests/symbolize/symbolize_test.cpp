// Symbolization of real code addresses from a fixture built four ways
// (frame pointers kept or omitted, -g or -g0): by pid while it runs, and by
// build-id + file offset after it exited. The function name must come
// every time (from .symtab without -g), file:line only with -g.
#include <gtest/gtest.h>
#include <string>
#include <vector>

#include "support/support.hpp"
#include "symbolize/demangle.hpp"
#include "symbolize/process_symbolizer.hpp"
#include "symbolize/symbolizer.hpp"

namespace fdscope::symbolize {
namespace {

constexpr const char* kKnownFunction = "fx_symbolize::known_function(int, unsigned long*)";

struct Variant {
    const char* name;  // test name: the frame-pointer and debug-info flags
    const char* fixture;
    bool debug_info;
};

class SymbolizeFixture : public testing::TestWithParam<Variant> {};

bool ends_with(const std::string& s, std::string_view tail) { return s.ends_with(tail); }

// What the fixture's three addresses must symbolize to, however they were found.
void expect_known_function_frames(const nlohmann::json& facts, const std::vector<SymbolizedFrame>& entry,
                                  const std::vector<SymbolizedFrame>& call,
                                  const std::vector<SymbolizedFrame>& inlined, bool debug_info) {
    ASSERT_EQ(entry.size(), 1u);
    EXPECT_EQ(entry[0].function, kKnownFunction);
    EXPECT_EQ(entry[0].function_offset, 0u);
    EXPECT_FALSE(entry[0].inlined);

    ASSERT_EQ(call.size(), 1u);
    EXPECT_EQ(call[0].function, kKnownFunction);
    EXPECT_GT(call[0].function_offset, 0u);

    ASSERT_FALSE(inlined.empty());
    EXPECT_EQ(inlined.back().function, kKnownFunction);
    EXPECT_FALSE(inlined.back().inlined);

    if (debug_info) {
        EXPECT_TRUE(ends_with(entry[0].file, "known_function.cpp")) << entry[0].file;
        EXPECT_EQ(entry[0].line, facts["definition_line"].get<unsigned>());
        EXPECT_TRUE(ends_with(call[0].file, "known_function.cpp")) << call[0].file;
        EXPECT_EQ(call[0].line, facts["call_line"].get<unsigned>());
        // DWARF records the inlined call: helper first, then its caller at the call site.
        ASSERT_EQ(inlined.size(), 2u);
        EXPECT_TRUE(inlined[0].inlined);
        EXPECT_EQ(inlined[0].function, "fx_symbolize::inlined_helper()");
        EXPECT_EQ(inlined[0].line, facts["inlined_line"].get<unsigned>());
        EXPECT_EQ(inlined[1].line, facts["inlined_call_line"].get<unsigned>());
    } else {
        for (const auto* frames : {&entry, &call, &inlined})
            for (const SymbolizedFrame& f : *frames) {
                EXPECT_EQ(f.file, "");
                EXPECT_EQ(f.line, 0u);
            }
        EXPECT_EQ(inlined.size(), 1u);
    }
}

TEST_P(SymbolizeFixture, ByPidThenByBuildIdAfterExit) {
    const Variant& v = GetParam();
    test::Fixture fx(v.fixture);
    const nlohmann::json& facts = fx.facts();
    auto entry_pc = facts["known_function"].get<std::uint64_t>();
    auto call_pc = facts["return_address"].get<std::uint64_t>();
    auto inlined_pc = facts["inlined_return_address"].get<std::uint64_t>();

    std::string error;
    auto live = ProcessSymbolizer::open(facts["pid"].get<pid_t>(), error);
    ASSERT_TRUE(live) << error;
    expect_known_function_frames(facts, live->symbolize(entry_pc, false), live->symbolize(call_pc),
                                 live->symbolize(inlined_pc), v.debug_info);

    auto entry = live->raw_frame(entry_pc, false);
    auto call = live->raw_frame(call_pc);
    auto inlined = live->raw_frame(inlined_pc);
    ASSERT_TRUE(entry && call && inlined);
    EXPECT_FALSE(call->build_id.empty());
    EXPECT_EQ(call->module, test::fixture_path(v.fixture));
    EXPECT_EQ(call->pc, call_pc);
    EXPECT_GT(call->offset, entry->offset);
    EXPECT_NE(call->offset, call_pc);  // a file offset, not the PIE's load address
    live.reset();
    fx.stop();

    // The process is gone: only the file and the frame's build-id + offset remain.
    Symbolizer offline;
    std::vector<SymbolizedFrame> by_file = offline.symbolize(*call);
    expect_known_function_frames(facts, offline.symbolize(*entry), by_file, offline.symbolize(*inlined),
                                 v.debug_info);
    ASSERT_FALSE(by_file.empty());
    EXPECT_EQ(by_file[0].module, call->module);
    EXPECT_EQ(by_file[0].offset, call->offset);
}

TEST_P(SymbolizeFixture, BuildIdIsTheIdentityNotThePath) {
    const Variant& v = GetParam();
    test::Fixture fx(v.fixture);
    std::string error;
    auto live = ProcessSymbolizer::open(fx.facts()["pid"].get<pid_t>(), error);
    ASSERT_TRUE(live) << error;
    auto call = live->raw_frame(fx.facts()["return_address"].get<std::uint64_t>());
    ASSERT_TRUE(call);
    fx.stop();

    Symbolizer offline;
    // A file at the path whose build-id differs is not the frame's ELF.
    RawFrame wrong_id = *call;
    wrong_id.build_id = *build_id_from_hex("00112233445566778899aabbccddeeff00112233");
    EXPECT_TRUE(offline.symbolize(wrong_id).empty());

    // Once a build-id was resolved, frames with it need no path.
    ASSERT_FALSE(offline.symbolize(*call).empty());
    RawFrame no_path = *call;
    no_path.module.clear();
    std::vector<SymbolizedFrame> cached = offline.symbolize(no_path);
    ASSERT_FALSE(cached.empty());
    EXPECT_EQ(cached.back().function, kKnownFunction);
    EXPECT_EQ(cached.back().module, call->module);

    // Without a build-id the path alone is used.
    RawFrame path_only = *call;
    path_only.build_id = {};
    ASSERT_FALSE(offline.symbolize(path_only).empty());
    EXPECT_EQ(offline.symbolize(path_only).back().function, kKnownFunction);
}

INSTANTIATE_TEST_SUITE_P(Builds, SymbolizeFixture,
                         testing::Values(Variant{"FramePointer_Debug", "known_function_fp_g", true},
                                         Variant{"NoFramePointer_Debug", "known_function_nofp_g", true},
                                         Variant{"FramePointer_NoDebug", "known_function_fp_g0", false},
                                         Variant{"NoFramePointer_NoDebug", "known_function_nofp_g0", false}),
                         [](const testing::TestParamInfo<Variant>& p) { return std::string(p.param.name); });

TEST(Symbolize, UnknownModuleGivesNothing) {
    Symbolizer offline;
    RawFrame f;
    f.module = "/nonexistent/lib.so";
    f.offset = 0x1000;
    EXPECT_TRUE(offline.symbolize(f).empty());
    f.build_id = *build_id_from_hex("ffeeddccbbaa99887766554433221100ffeeddcc");
    EXPECT_TRUE(offline.symbolize(f).empty());
}

TEST(Symbolize, ProcessThatDoesNotExistSaysWhy) {
    std::string error;
    EXPECT_FALSE(ProcessSymbolizer::open(0x3fffffff, error));
    EXPECT_FALSE(error.empty());
}

TEST(Demangle, ItaniumNamesAndPlainNames) {
    EXPECT_EQ(demangle("_ZN12fx_symbolize14known_functionEiPm"), kKnownFunction);
    EXPECT_EQ(demangle("main"), "main");
    EXPECT_EQ(demangle("_Znot_valid"), "_Znot_valid");
    EXPECT_EQ(demangle(""), "");
}

}  // namespace
}  // namespace fdscope::symbolize
