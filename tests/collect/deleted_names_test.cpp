// Deleted-but-open on procfs is the inode's link count, not the name: the
// kernel's " (deleted)" suffix is also what a live file may be called.
#include <gtest/gtest.h>
#include <string>

#include "collect/classify.hpp"
#include "collect/snapshot_helpers.hpp"
#include "support/support.hpp"

namespace fdscope::test {
namespace {

std::string bytes_of(const nlohmann::json& a) {
    std::string s;
    for (const auto& b : a) s += static_cast<char>(b.get<int>());
    return s;
}

TEST(DeletedNames, LinkCountDecidesForFdsAndMappings) {
    Fixture fx("path_names");
    const pid_t pid = fx.facts()["pid"];
    Snapshot s = scan_pids({pid});
    const Process* p = find_process(s, pid);
    ASSERT_NE(p, nullptr);
    int checked = 0;
    for (const auto& f : fx.facts()["files"]) {
        if (f.contains("pid")) continue;  // the mount-namespace child's
        const std::string path = bytes_of(f["path"]), role = f["role"];
        const bool deleted = f["deleted"];
        if (f.contains("fd")) {
            const OpenFile* o = find_fd(*p, f["fd"].get<int>());
            ASSERT_NE(o, nullptr) << role;
            EXPECT_EQ(o->name, path) << role;
            EXPECT_EQ(o->deleted, deleted) << role;
            ++checked;
        }
        const OpenFile* m = nullptr;
        for (const auto& a : p->assocs)
            if (a.range && a.range->start == f["addr"].get<std::uint64_t>()) m = &a;
        ASSERT_NE(m, nullptr) << role;
        EXPECT_EQ(m->name, path) << "mapping of " << role;
        EXPECT_EQ(m->deleted, deleted) << "mapping of " << role;
        ++checked;
    }
    EXPECT_EQ(checked, 11);
}

TEST(DeletedNames, PathNameRule) {
    std::string storage;
    using collect::path_name;
    // Link count known: 0 is deleted (the suffix was the kernel's), links
    // left keep the suffix as part of the name.
    auto a = path_name("/tmp/x", true, 0, Kind::File, storage);
    EXPECT_TRUE(a.deleted);
    EXPECT_EQ(a.name, "/tmp/x");
    auto b = path_name("/tmp/live", true, 1, Kind::File, storage);
    EXPECT_FALSE(b.deleted);
    EXPECT_EQ(b.name, "/tmp/live (deleted)");
    // Unmarked, 0 links (a FUSE server's st_nlink): the kernel did not say deleted.
    auto c = path_name("/tmp/y", false, 0, Kind::File, storage);
    EXPECT_FALSE(c.deleted);
    EXPECT_EQ(c.name, "/tmp/y");
    // Unknown: the suffix decides, as before.
    auto d = path_name("/tmp/z", true, collect::kLinksUnknown, Kind::File, storage);
    EXPECT_TRUE(d.deleted);
    EXPECT_FALSE(path_name("/tmp/z", false, collect::kLinksUnknown, Kind::File, storage).deleted);
    // Never deleted in the users' sense: memfds, SysV segments, shared anonymous memory.
    EXPECT_FALSE(path_name("/memfd:x", true, 0, Kind::Memfd, storage).deleted);
    EXPECT_FALSE(path_name("/SYSV00000000", true, 0, Kind::File, storage).deleted);
    EXPECT_FALSE(path_name("/dev/zero", true, 0, Kind::File, storage).deleted);
}

}  // namespace
}  // namespace fdscope::test
