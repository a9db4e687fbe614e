// The preload table's reader over hand-built byte buffers: what a valid
// table gives, and that every kind of corruption gives an error (never a
// read out of bounds, which ASan in the fuzzer and the bounds of these
// buffers would catch), with the seqlock's retries.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "collect/preload_table.hpp"
#include "collect/preload_image.hpp"

namespace fdscope::collect {
namespace {

using test::PreloadImage;
namespace pl = sys::preload;

// The reader over the image; `scribble` runs before each copy of the slots
// region (to play a writer mid-update).
TableMemory memory_of(PreloadImage& img, std::function<void(std::uint64_t)> before = {}) {
    return [&img, before](std::uint64_t offset, std::span<std::byte> to) {
        if (before) before(offset);
        if (offset > img.bytes.size() || img.bytes.size() - offset < to.size()) return EFAULT;
        std::memcpy(to.data(), img.bytes.data() + offset, to.size());
        return 0;
    };
}

ProcessOrigins read(PreloadImage& img, std::vector<std::int32_t> fds, std::uint64_t size = PreloadImage::kTotal) {
    ProcessOrigins out;
    read_preload_table(memory_of(img), size, fds, 77, out);
    return out;
}

TEST(PreloadTable, ValidTableGivesOriginsReconciledWithTheOpenFds) {
    PreloadImage img;
    const auto a = img.add_stack({0x1000, 0x2000, 0x3000});
    const auto b = img.add_stack({0x4000});
    img.open_slot(3, pl::CreateOp::Openat, a, pl::kCloexec);
    img.open_slot(4, pl::CreateOp::Socket, a, pl::kCloexecForced);
    img.open_slot(5, pl::CreateOp::Pipe2, b, pl::kHandedOn, 1111);  // made by a fork parent
    img.open_slot(6, pl::CreateOp::Fopen, b, pl::kOwnerFile);
    img.open_slot(8, pl::CreateOp::Openat, a);  // fd 8 is not open: stale
    img.open_slot(12, pl::CreateOp::Openat, a);  // above the highest open fd: not even copied
    img.open_slot(7, pl::CreateOp::Openat, a, 0, 4242, pl::SlotState::Quarantined);
    img.slot(7).close_stack = b;
    img.slot(7).close_tid = 99;
    const ProcessOrigins o = read(img, {0, 1, 2, 3, 4, 5, 6, 7, 10});
    ASSERT_EQ(o.error, "");
    EXPECT_TRUE(o.found);
    EXPECT_EQ(o.pid, 77);
    ASSERT_EQ(o.fds.size(), 5u);
    EXPECT_EQ(o.unseen, 4u);  // 0, 1, 2 and 10 have no slot
    EXPECT_EQ(o.stale_slots, 1u);
    ASSERT_EQ(o.stacks.size(), 3u);  // two distinct stacks, interned, + the empty one
    const Origin* f3 = o.find(3);
    ASSERT_TRUE(f3);
    EXPECT_EQ(f3->op, "openat");
    EXPECT_EQ(f3->tid, 4243);
    EXPECT_DOUBLE_EQ(f3->time, 1'700'000'005.0);
    EXPECT_FALSE(f3->inherited);
    EXPECT_EQ(o.stack_of(f3->stack).pcs, (std::vector<std::uint64_t>{0x1000, 0x2000, 0x3000}));
    EXPECT_EQ(o.find(4)->stack, f3->stack);
    EXPECT_TRUE(o.find(4)->cloexec_forced);
    EXPECT_TRUE(o.find(5)->inherited);
    EXPECT_TRUE(o.find(5)->handed_on);
    EXPECT_EQ(o.find(6)->owner, FdOwner::File);
    EXPECT_EQ(o.find(6)->op, "fopen");
    ASSERT_TRUE(o.find(7));
    EXPECT_TRUE(o.find(7)->quarantined);
    EXPECT_EQ(o.find(7)->close_tid, 99);
    EXPECT_EQ(o.stack_of(o.find(7)->close_stack).pcs, (std::vector<std::uint64_t>{0x4000}));
    EXPECT_FALSE(o.find(8));
    EXPECT_FALSE(o.find(10));
    EXPECT_FALSE(o.find(12));
}

TEST(PreloadTable, TheLibrarysOwnFdsHaveOriginsOfTheirOwnAndAreNotCopiedUpTo) {
    PreloadImage img;
    img.header().log_fd = 1000;  // beyond the slots: must not make the reader copy up to it
    img.header().placeholder_fd = 1001;
    img.header().unwind_fds[0] = 998;
    img.header().unwind_fds[1] = 999;
    img.open_slot(3, pl::CreateOp::Open, img.add_stack({0x10}));
    const ProcessOrigins o = read(img, {3, 998, 999, 1000, 1001});
    ASSERT_EQ(o.error, "");
    ASSERT_EQ(o.fds.size(), 5u);
    EXPECT_TRUE(o.find(1000)->library_fd);
    EXPECT_EQ(o.find(1000)->op, "fdscope-log");
    EXPECT_EQ(o.find(1001)->op, "fdscope-placeholder");
    EXPECT_TRUE(o.find(998)->library_fd);
    EXPECT_EQ(o.find(998)->op, "fdscope-unwind");
    EXPECT_EQ(o.find(999)->op, "fdscope-unwind");
    EXPECT_EQ(o.unseen, 0u);
}

TEST(PreloadTable, OnlyTheSlotsUpToTheHighestOpenFdAreCopied) {
    PreloadImage img;
    img.open_slot(3, pl::CreateOp::Open, img.add_stack({0x10}));
    std::uint64_t slot_bytes_copied = 0;
    ProcessOrigins o;
    auto mem = memory_of(img);
    read_preload_table(
        [&](std::uint64_t offset, std::span<std::byte> to) {
            if (offset == PreloadImage::kSlotsAt && to.size() > preload_slot_bytes()) slot_bytes_copied = to.size();
            return mem(offset, to);
        },
        PreloadImage::kTotal, std::vector<std::int32_t>{0, 3}, 77, o);
    ASSERT_EQ(o.error, "");
    EXPECT_EQ(slot_bytes_copied, 4 * preload_slot_bytes());
}

TEST(PreloadTable, CorruptHeadersAreErrors) {
    struct Case {
        const char* what;
        std::function<void(pl::TableHeader&)> scribble;
        const char* expect;
    };
    const Case cases[] = {
        {"magic", [](pl::TableHeader& h) { h.magic = 1; }, "bad magic"},
        {"version", [](pl::TableHeader& h) { h.version = 9; }, "version 9"},
        {"header size", [](pl::TableHeader& h) { h.header_bytes = 10; }, "header of 10 bytes"},
        {"slot size", [](pl::TableHeader& h) { h.slot_bytes = 8; }, "slots of 8 bytes"},
        {"total", [](pl::TableHeader& h) { h.total_bytes = 1ULL << 40; }, "outside its mapping"},
        {"slot count", [](pl::TableHeader& h) { h.slot_count = 0x7fffffff; }, "slots at offset"},
        {"slot offset overflow", [](pl::TableHeader& h) { h.slots_offset = ~0ULL - 10; }, "slots at offset"},
        {"slots over the header", [](pl::TableHeader& h) { h.slots_offset = 8; }, "slots at offset"},
        {"index", [](pl::TableHeader& h) { h.index_buckets = 0xffffffff; }, "stack index"},
        {"arena", [](pl::TableHeader& h) { h.arena_bytes = 1ULL << 62; }, "stack arena"},
        {"arena misaligned", [](pl::TableHeader& h) { h.arena_offset += 3; }, "stack arena"},
        {"arena use", [](pl::TableHeader& h) { h.arena_used.store(h.arena_bytes + 8); }, "beyond its size"},
        {"incidents", [](pl::TableHeader& h) { h.incident_capacity = 1u << 30; }, "incidents"},
        {"depth", [](pl::TableHeader& h) { h.max_depth = 1000; }, "stack depth 1000"},
        {"log fd", [](pl::TableHeader& h) { h.log_fd = -7; }, "log fd"},
        {"unwind fd", [](pl::TableHeader& h) { h.unwind_fds[1] = -3; }, "unwind fd"},
    };
    for (const Case& c : cases) {
        PreloadImage img;
        img.open_slot(3, pl::CreateOp::Open, img.add_stack({0x10}));
        c.scribble(img.header());
        const ProcessOrigins o = read(img, {3});
        EXPECT_TRUE(o.found) << c.what;
        EXPECT_NE(o.error.find(c.expect), std::string::npos) << c.what << ": " << o.error;
        EXPECT_TRUE(o.fds.empty()) << c.what;
    }
}

TEST(PreloadTable, AMappingSmallerThanTheHeaderIsAnError) {
    PreloadImage img;
    const ProcessOrigins o = read(img, {0}, 100);
    EXPECT_NE(o.error.find("truncated"), std::string::npos) << o.error;
}

TEST(PreloadTable, ATruncatedCopyIsAnError) {
    PreloadImage img;
    img.open_slot(3, pl::CreateOp::Open, img.add_stack({0x10}));
    ProcessOrigins o;
    auto mem = memory_of(img);
    read_preload_table(
        [&](std::uint64_t offset, std::span<std::byte> to) { return offset == PreloadImage::kArenaAt ? EFAULT : mem(offset, to); },
        PreloadImage::kTotal, std::vector<std::int32_t>{3}, 77, o);
    EXPECT_NE(o.error.find("stack arena"), std::string::npos) << o.error;
    EXPECT_TRUE(o.fds.empty());
}

TEST(PreloadTable, AProcessThatVanishesIsNoError) {
    PreloadImage img;
    ProcessOrigins o;
    read_preload_table([](std::uint64_t, std::span<std::byte>) { return ESRCH; }, PreloadImage::kTotal,
                       std::vector<std::int32_t>{3}, 77, o);
    EXPECT_FALSE(o.found);
    EXPECT_EQ(o.error, "");
}

TEST(PreloadTable, BadStacksAndSlotsAreErrors) {
    struct Case {
        const char* what;
        std::function<void(PreloadImage&, pl::StackRef)> scribble;
        const char* expect;
    };
    const Case cases[] = {
        {"ref past the arena", [](PreloadImage& i, pl::StackRef) { i.slot(3).stack = 0x00ffffff; }, "past the arena"},
        {"ref past what is used", [](PreloadImage& i, pl::StackRef) { i.slot(3).stack = 200; }, "past the arena"},
        {"depth 1000", [](PreloadImage& i, pl::StackRef r) { i.record(r).depth = 1000; }, "depth 1000"},
        {"depth 65", [](PreloadImage& i, pl::StackRef r) { i.record(r).depth = 65; }, "depth 65"},
        {"depth past the arena end", [](PreloadImage& i, pl::StackRef r) { i.record(r).depth = 60; }, "runs past the arena"},
        {"state", [](PreloadImage& i, pl::StackRef) { i.slot(3).state = 9; }, "slot 3: state 9"},
        {"op", [](PreloadImage& i, pl::StackRef) { i.slot(3).op = 200; }, "slot 3: operation 200"},
        {"close stack",
         [](PreloadImage& i, pl::StackRef) {
             i.slot(3).state = static_cast<std::uint8_t>(pl::SlotState::Quarantined);
             i.slot(3).close_stack = 0x7fffffff;
         },
         "close"},
    };
    for (const Case& c : cases) {
        PreloadImage img;
        const pl::StackRef ref = img.add_stack({0x10});
        img.open_slot(3, pl::CreateOp::Open, ref);
        c.scribble(img, ref);
        const ProcessOrigins o = read(img, {3});
        EXPECT_NE(o.error.find(c.expect), std::string::npos) << c.what << ": " << o.error;
        EXPECT_TRUE(o.fds.empty()) << c.what;
        EXPECT_EQ(o.stacks.size(), 1u) << c.what;
    }
}

TEST(PreloadTable, ASlotStuckMidWriteIsUnstableNotAnError) {
    PreloadImage img;
    const auto ref = img.add_stack({0x10});
    img.open_slot(3, pl::CreateOp::Open, ref);
    img.open_slot(4, pl::CreateOp::Open, ref);
    img.slot(3).seq.store(img.slot(3).seq.load() | 1);
    int copies = 0;
    ProcessOrigins o;
    auto mem = memory_of(img);
    read_preload_table(
        [&](std::uint64_t offset, std::span<std::byte> to) {
            if (offset == PreloadImage::kSlotsAt + 3 * preload_slot_bytes()) ++copies;
            return mem(offset, to);
        },
        PreloadImage::kTotal, std::vector<std::int32_t>{3, 4}, 77, o);
    ASSERT_EQ(o.error, "");
    EXPECT_EQ(o.unstable, 1u);
    EXPECT_FALSE(o.find(3));
    EXPECT_TRUE(o.find(4));
    EXPECT_GT(copies, 1);   // retried
    EXPECT_LE(copies, 16);  // a bounded number of times
}

TEST(PreloadTable, ASlotRewrittenBetweenTheTwoCopiesIsReadAgain) {
    PreloadImage img;
    const auto a = img.add_stack({0x10});
    const auto b = img.add_stack({0x20});
    img.open_slot(3, pl::CreateOp::Open, a);
    int bulk = 0;
    ProcessOrigins o;
    auto mem = memory_of(img);
    // A writer replaces fd 3's slot between the reader's two bulk copies.
    read_preload_table(
        [&](std::uint64_t offset, std::span<std::byte> to) {
            if (offset == PreloadImage::kSlotsAt && to.size() > preload_slot_bytes() && ++bulk == 2)
                img.open_slot(3, pl::CreateOp::Socket, b);
            return mem(offset, to);
        },
        PreloadImage::kTotal, std::vector<std::int32_t>{0, 1, 2, 3}, 77, o);
    ASSERT_EQ(o.error, "");
    ASSERT_TRUE(o.find(3));
    EXPECT_EQ(o.find(3)->op, "socket");  // the settled copy, not the first
    EXPECT_EQ(o.stack_of(o.find(3)->stack).pcs, std::vector<std::uint64_t>{0x20});
}

TEST(PreloadTable, ParseAloneChecksWhatItIsGiven) {
    PreloadImage img;
    img.open_slot(3, pl::CreateOp::Open, img.add_stack({0x10, 0x20}));
    PreloadCopy copy;
    ASSERT_EQ(check_preload_header(img.bytes, img.bytes.size(), copy.layout), "");
    copy.slots = std::span(img.bytes).subspan(PreloadImage::kSlotsAt, 4 * preload_slot_bytes());
    // An arena cut short of the record: an error, not a read past it.
    copy.arena = std::span(img.bytes).subspan(PreloadImage::kArenaAt, 12);
    ProcessOrigins o;
    const std::vector<std::int32_t> fds{3};
    parse_preload_table(copy, fds, 77, o);
    EXPECT_NE(o.error.find("past the arena"), std::string::npos) << o.error;
    copy.arena = std::span(img.bytes).subspan(PreloadImage::kArenaAt, 24);
    parse_preload_table(copy, fds, 77, o);
    EXPECT_EQ(o.error, "");
    EXPECT_EQ(o.stack_of(o.find(3)->stack).pcs.size(), 2u);
}

TEST(PreloadTable, OpNames) {
    EXPECT_STREQ(preload_op_name(static_cast<std::uint8_t>(pl::CreateOp::Accept4)), "accept4");
    EXPECT_STREQ(preload_op_name(static_cast<std::uint8_t>(pl::CreateOp::Popen)), "popen");
    EXPECT_STREQ(preload_op_name(0), "unknown");
    EXPECT_STREQ(preload_op_name(250), "unknown");
}

}  // namespace
}  // namespace fdscope::collect
