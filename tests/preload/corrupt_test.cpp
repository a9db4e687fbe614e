// A process that scribbles on its own table (tests/preload/fixture/
// scribble.cpp, one corruption per case) must not take fdscope down:
// `fdscope ls` lists its fds as the kernel has them, the JSON stays valid,
// and with the origin column a corrupt table is a note, not a crash.
#include <gtest/gtest.h>
#include <set>

#include "preload/preload_helpers.hpp"
#include "support/support.hpp"

namespace fdscope::test {
namespace {

using preload::preload_wrapper;

class PreloadCorrupt : public ::testing::TestWithParam<const char*> {};

nlohmann::json parse(const RunResult& r) {
    try {
        return nlohmann::json::parse(r.out);
    } catch (const std::exception& e) {
        ADD_FAILURE() << "invalid JSON: " << e.what() << "\n" << r.out;
        return {};
    }
}

// The fds of pid in a `ls --json` document.
std::set<int> listed_fds(const nlohmann::json& doc, pid_t pid) {
    std::set<int> out;
    if (!doc.contains("files")) return out;
    for (const auto& f : doc["files"])
        if (f["pid"] == pid && f["fd"].is_number_integer()) out.insert(f["fd"].get<int>());
    return out;
}

std::set<int> kernel_fds(pid_t pid) {
    std::set<int> out;
    for (const auto& [fd, link] : preload::proc_fds(pid)) out.insert(fd);
    return out;
}

TEST_P(PreloadCorrupt, LsListsTheKernelsFds) {
    Fixture fx("preload/scribble", {GetParam()}, preload_wrapper());
    const pid_t pid = fx.facts()["pid"];
    RunResult text = run({fdscope_bin(), "ls", "-p", std::to_string(pid)});
    EXPECT_EQ(text.status, 0) << text.err;
    RunResult json = run({fdscope_bin(), "ls", "-p", std::to_string(pid), "--json"});
    ASSERT_EQ(json.status, 0) << json.err;
    EXPECT_EQ(listed_fds(parse(json), pid), kernel_fds(pid));
}

// `ls --origin`: the table is read, found wanting, and said so; the fds
// are still the kernel's and the JSON stays valid.
TEST_P(PreloadCorrupt, OriginColumnGivesANoteNotACrash) {
    const std::string what = GetParam();
    Fixture fx("preload/scribble", {what}, preload_wrapper());
    const pid_t pid = fx.facts()["pid"];
    const std::string note = "pid " + std::to_string(pid) + ": preload table";
    RunResult text = run({fdscope_bin(), "ls", "-p", std::to_string(pid), "-o", "fd,kind,name,origin"});
    EXPECT_EQ(text.status, 0) << text.err;
    RunResult json = run({fdscope_bin(), "ls", "-p", std::to_string(pid), "--origin", "--json"});
    ASSERT_EQ(json.status, 0) << json.err;
    const auto doc = parse(json);
    EXPECT_EQ(listed_fds(doc, pid), kernel_fds(pid));
    std::string notes;
    for (const auto& n : doc.value("notes", nlohmann::json::array())) notes += n.get<std::string>() + "\n";
    // A header, region or seqlock corruption makes the whole table
    // untrusted: a note on stderr (text) and in "notes" (JSON).
    const bool whole = what == "magic" || what == "version" || what == "sizes" || what == "offsets" ||
                       what == "noise" || what == "seq";
    if (what == "none") {
        EXPECT_EQ(notes.find(note), std::string::npos) << notes;
    }
    if (whole) {
        EXPECT_NE(text.err.find(note), std::string::npos) << "stderr: " << text.err;
        EXPECT_NE(notes.find(note), std::string::npos) << "notes: " << notes;
    }
    // Whatever survived of the table: an origin is null or an object whose
    // stack is an array of frames, and a name keeps its bytes escaped.
    for (const auto& f : doc["files"]) {
        if (f["pid"] != pid || !f.contains("origin")) continue;
        const auto& o = f["origin"];
        ASSERT_TRUE(o.is_null() || o.is_object()) << f.dump();
        if (whole) {
            EXPECT_TRUE(o.is_null()) << what << ": nothing of an untrusted table is shown: " << f.dump();
        }
        if (what == "none" && f["fd"].is_number_integer() && f["fd"].get<int>() > 2) {
            EXPECT_TRUE(o.is_object()) << "the control: an intact table gives each fd its origin: " << f.dump();
        }
        if (o.is_object() && o.contains("stack")) {
            EXPECT_TRUE(o["stack"].is_array()) << f.dump();
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Corruptions, PreloadCorrupt,
                         ::testing::Values("none", "magic", "version", "sizes", "offsets", "stackrefs", "arena", "seq", "names",
                                           "noise"));

}  // namespace
}  // namespace fdscope::test
