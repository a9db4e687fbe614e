#include "procfs/parse_maps.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testdata.hpp"

using fdscope::procfs::MapEntry;
using fdscope::procfs::parse_maps;
using fdscope::procfs::testing::sample;
using namespace std::literals;

namespace {
struct Row {
    MapEntry e;
    std::string path;  // owned copy for checks
};
std::vector<Row> collect(std::string_view text, std::size_t* skipped = nullptr) {
    std::vector<Row> rows;
    std::size_t s = parse_maps(text, [&](const MapEntry& e) { rows.push_back({e, std::string(e.path)}); });
    if (skipped) *skipped = s;
    return rows;
}
const Row* find(const std::vector<Row>& rows, std::uint64_t start) {
    for (const auto& r : rows)
        if (r.e.start == start) return &r;
    return nullptr;
}
}  // namespace

TEST(ParseMaps, RealSample) {
    std::size_t skipped = 99;
    auto rows = collect(sample("maps/python3.txt"), &skipped);
    EXPECT_EQ(skipped, 0u);
    ASSERT_EQ(rows.size(), 130u);
    const MapEntry& first = rows[0].e;
    EXPECT_EQ(first.start, 0x555c935ca000u);
    EXPECT_EQ(first.end, 0x555c935cb000u);
    EXPECT_STREQ(first.perms, "r--p");
    EXPECT_EQ(first.offset, 0u);
    EXPECT_EQ(first.major, 0xfeu);
    EXPECT_EQ(first.minor, 0u);
    EXPECT_EQ(first.inode, 18624u);
    EXPECT_EQ(rows[0].path, "/root/.pyenv/versions/3.11.7/bin/python3.11");
    EXPECT_FALSE(first.deleted);
    EXPECT_EQ(rows[1].e.offset, 0x1000u);
    EXPECT_STREQ(rows[1].e.perms, "r-xp");

    const MapEntry& last = rows.back().e;
    EXPECT_EQ(last.start, 0xffffffffff600000u);
    EXPECT_STREQ(last.perms, "--xp");
    EXPECT_EQ(rows.back().path, "[vsyscall]");
}

TEST(ParseMaps, WeirdNamesAnonAndDeleted) {
    std::size_t skipped = 99;
    auto rows = collect(sample("maps/weird_names.txt"), &skipped);
    EXPECT_EQ(skipped, 0u);
    ASSERT_EQ(rows.size(), 126u);

    const Row* heap = find(rows, 0x55b096b44000u);
    ASSERT_TRUE(heap);
    EXPECT_EQ(heap->path, "[heap]");
    EXPECT_EQ(heap->e.inode, 0u);

    const Row* anon = find(rows, 0x7f04835f0000u);  // "... 00:00 0 " then nothing
    ASSERT_TRUE(anon);
    EXPECT_EQ(anon->path, "");
    EXPECT_FALSE(anon->e.deleted);

    const Row* memfd = find(rows, 0x7f048372b000u);
    ASSERT_TRUE(memfd);
    EXPECT_EQ(memfd->path, "/memfd:memfd name");
    EXPECT_TRUE(memfd->e.deleted);
    EXPECT_STREQ(memfd->e.perms, "rw-s");
    EXPECT_EQ(memfd->e.minor, 1u);

    const Row* tab = find(rows, 0x7f04837e6000u);
    ASSERT_TRUE(tab);
    EXPECT_EQ(tab->path, "/tmp/cap/tab\there");
    EXPECT_TRUE(tab->e.deleted);

    const Row* keep = find(rows, 0x7f04837e7000u);
    ASSERT_TRUE(keep);
    EXPECT_EQ(keep->path, "/tmp/cap/keep me");
    EXPECT_FALSE(keep->e.deleted);
    EXPECT_EQ(keep->e.offset, 0x1000u);
    EXPECT_EQ(keep->e.inode, 10952761u);

    // A live file literally named "ends (deleted)": indistinguishable here.
    const Row* ends = find(rows, 0x7f04837e8000u);
    ASSERT_TRUE(ends);
    EXPECT_EQ(ends->path, "/tmp/cap/ends");
    EXPECT_TRUE(ends->e.deleted);

    // The kernel writes '\n' in a name as "\012" and leaves other bytes raw.
    const Row* nl = find(rows, 0x7f04837e9000u);
    ASSERT_TRUE(nl);
    EXPECT_EQ(nl->path, "/tmp/cap/we ird\\012name\xff\xfe");
    EXPECT_TRUE(nl->e.deleted);
}

TEST(ParseMaps, PathWithLeadingSpacesKeepsInnerSpaces) {
    auto rows = collect("00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/a  b   c\n");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].path, "/usr/bin/a  b   c");
    EXPECT_EQ(rows[0].e.major, 8u);
    EXPECT_EQ(rows[0].e.minor, 2u);
}

TEST(ParseMaps, HugeValues) {
    auto rows = collect("fffffffffffff000-ffffffffffffffff rw-p ffffffffffffffff fff:fffff 18446744073709551615 [x]\n");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].e.end, UINT64_MAX);
    EXPECT_EQ(rows[0].e.offset, UINT64_MAX);
    EXPECT_EQ(rows[0].e.major, 0xfffu);
    EXPECT_EQ(rows[0].e.minor, 0xfffffu);
    EXPECT_EQ(rows[0].e.inode, UINT64_MAX);
}

TEST(ParseMaps, MalformedLinesAreCountedAndSkipped) {
    std::size_t skipped = 0;
    auto rows = collect(
        "garbage\n"
        "00400000-00452000\n"
        "00400000-00452000 r-xp\n"
        "00400000-00452000 r-xq 00000000 08:02 1 /a\n"          // bad perms
        "00400000-00452000 r-x 00000000 08:02 1 /a\n"
        "00452000-00400000 r-xp 00000000 08:02 1 /a\n"          // end < start
        "10000000000000000-1 r-xp 00000000 08:02 1 /a\n"        // overflow
        "00400000-00452000 r-xp 00000000 0802 1 /a\n"
        "00400000-00452000 r-xp 00000000 08:02 x /a\n"
        "00400000-00452000 r-xp 00000000 08:02 1/a\n"
        "-00400000-00452000 r-xp 00000000 08:02 1 /a\n"
        "\n"
        "00400000-00452000 r-xp 00000000 08:02 1\n"             // ok: no name at all
        "00400000-00452000 r-xp 00000000 08:02 1 /ok",          // ok: no final newline
        &skipped);
    EXPECT_EQ(skipped, 11u);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].path, "");
    EXPECT_EQ(rows[1].path, "/ok");
}

TEST(ParseMaps, EmptyAndNul) {
    std::size_t skipped = 7;
    EXPECT_TRUE(collect("", &skipped).empty());
    EXPECT_EQ(skipped, 0u);
    auto rows = collect("00400000-00452000 r-xp 00000000 08:02 1 /a\0b\n"sv, &skipped);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].path, "/a\0b"sv);
    rows = collect("00400000\0-00452000 r-xp 00000000 08:02 1 /a\n"sv, &skipped);
    EXPECT_TRUE(rows.empty());
    EXPECT_EQ(skipped, 1u);
}

TEST(ParseMaps, EveryTruncationIsSafe) {
    std::string full = sample("maps/weird_names.txt").substr(0, 4000);
    for (std::size_t n = 0; n <= full.size(); ++n) {
        std::size_t count = 0;
        parse_maps(std::string_view(full).substr(0, n), [&](const MapEntry& e) {
            EXPECT_LE(e.start, e.end);
            ++count;
        });
        EXPECT_LE(count, 40u);
    }
}
