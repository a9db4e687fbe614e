// parse_records on synthetic streams: whole, truncated, corrupt, garbage.
#include <linux/types.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bpf/iter/records.hpp"
#include "records.h"

namespace fdscope::bpf {
namespace {

std::string file_record(std::uint32_t fd, std::string_view path) {
    fds_rec_hdr h{};
    fds_file_rec r{};
    h.type = FDS_REC_FILE;
    h.path_len = static_cast<__u16>(path.size());
    h.len = static_cast<__u32>(sizeof h + sizeof r + path.size());
    r.file_id = 0x1000 + fd;
    r.files_id = 0x2000;
    r.pos = 7;
    r.ino = 100 + fd;
    r.tgid = 42;
    r.tid = 43;
    r.fd = fd;
    r.f_flags = 02;
    r.mnt_id = 25;
    r.cloexec = fd & 1;
    r.path_kind = FDS_PATH_DPATH;
    std::string s(reinterpret_cast<const char*>(&h), sizeof h);
    s.append(reinterpret_cast<const char*>(&r), sizeof r);
    s.append(path);
    return s;
}

std::string vma_record(std::uint64_t start, std::string_view path) {
    fds_rec_hdr h{};
    fds_vma_rec r{};
    h.type = FDS_REC_VMA;
    h.path_len = static_cast<__u16>(path.size());
    h.len = static_cast<__u32>(sizeof h + sizeof r + path.size());
    r.file_id = 0x3000;
    r.start = start;
    r.end = start + 4096;
    r.pgoff = 1;
    r.tgid = 42;
    r.path_kind = FDS_PATH_DPATH;
    std::string s(reinterpret_cast<const char*>(&h), sizeof h);
    s.append(reinterpret_cast<const char*>(&r), sizeof r);
    s.append(path);
    return s;
}

std::string task_record(std::uint32_t tid, std::uint32_t open_fds, std::uint32_t flags) {
    fds_rec_hdr h{};
    fds_task_rec r{};
    h.type = FDS_REC_TASK;
    h.len = static_cast<__u32>(sizeof h + sizeof r);
    r.files_id = 0x2000;
    r.nofile_cur = 1024;
    r.nofile_max = ~0ULL;
    r.tgid = 42;
    r.tid = tid;
    r.max_fds = 64;
    r.open_fds = open_fds;
    r.flags = flags;
    std::string s(reinterpret_cast<const char*>(&h), sizeof h);
    s.append(reinterpret_cast<const char*>(&r), sizeof r);
    return s;
}

struct Collected {
    std::vector<FileRecord> files;
    std::vector<std::string> file_paths;
    std::vector<VmaRecord> vmas;
    std::vector<TaskRecord> tasks;
    RecordSink sink() {
        return {[this](const FileRecord& f) { files.push_back(f); file_paths.emplace_back(f.path); },
                [this](const VmaRecord& v) { vmas.push_back(v); },
                [this](const TaskRecord& t) { tasks.push_back(t); }};
    }
};

TEST(ParseRecords, TaskRecordsAndFileRecordOffsets) {
    const std::string a = task_record(42, 5, FDS_TASK_SELF | FDS_TASK_COUNTED), b = file_record(7, "/tmp/x"),
                      c = task_record(43, 0, 0);
    const std::string s = a + b + c;
    Collected col;
    auto r = parse_records(s, col.sink());
    EXPECT_EQ(r.status, ParseStatus::Ok);
    ASSERT_EQ(col.tasks.size(), 2u);
    EXPECT_TRUE(col.tasks[0].self);
    EXPECT_TRUE(col.tasks[0].counted);
    EXPECT_EQ(col.tasks[0].open_fds, 5u);
    EXPECT_EQ(col.tasks[0].nofile_cur, 1024u);
    EXPECT_EQ(col.tasks[0].nofile_max, ~0ULL);
    EXPECT_FALSE(col.tasks[1].self);
    EXPECT_FALSE(col.tasks[1].counted);
    // The file record's offset finds it again, path included.
    ASSERT_EQ(col.files.size(), 1u);
    EXPECT_EQ(col.files[0].offset, a.size());
    FileRecord again = file_record_at(s, col.files[0].offset);
    EXPECT_EQ(again.fd, 7u);
    EXPECT_EQ(again.path, "/tmp/x");
    EXPECT_EQ(again.file_id, col.files[0].file_id);
    // A task record never has a path tail: one that claims one is corrupt.
    std::string bad = task_record(44, 0, 0);
    fds_rec_hdr h{};
    std::memcpy(&h, bad.data(), sizeof h);
    h.path_len = 2;
    h.len += 2;
    std::memcpy(bad.data(), &h, sizeof h);
    bad += "zz";
    Collected col2;
    EXPECT_EQ(parse_records(bad, col2.sink()).status, ParseStatus::Corrupt);
    EXPECT_TRUE(col2.tasks.empty());
}

TEST(ParseRecords, WholeStream) {
    std::string s = file_record(3, "/etc/passwd") + file_record(4, "") + vma_record(0x7000, "/usr/lib/libc.so.6");
    Collected c;
    auto r = parse_records(s, c.sink());
    EXPECT_EQ(r.status, ParseStatus::Ok);
    EXPECT_EQ(r.records, 3u);
    EXPECT_EQ(r.consumed, s.size());
    ASSERT_EQ(c.files.size(), 2u);
    EXPECT_EQ(c.file_paths[0], "/etc/passwd");
    EXPECT_EQ(c.files[0].fd, 3u);
    EXPECT_EQ(c.files[0].pos, 7u);
    EXPECT_TRUE(c.files[0].cloexec);
    EXPECT_FALSE(c.files[1].cloexec);
    EXPECT_EQ(c.files[1].path, "");
    EXPECT_EQ(c.files[0].path_kind, PathKind::DPath);
    ASSERT_EQ(c.vmas.size(), 1u);
    EXPECT_EQ(c.vmas[0].start, 0x7000u);
    EXPECT_EQ(c.vmas[0].path, "/usr/lib/libc.so.6");
}

TEST(ParseRecords, EmptyIsOk) {
    auto r = parse_records({}, {});
    EXPECT_EQ(r.status, ParseStatus::Ok);
    EXPECT_EQ(r.records, 0u);
}

TEST(ParseRecords, EveryTruncationStopsAtTheLastWholeRecord) {
    std::string a = file_record(3, "/a/b"), b = vma_record(0x1000, "/lib/x.so");
    std::string s = a + b;
    for (std::size_t n = 0; n < s.size(); ++n) {
        // A copy of exactly n bytes, so a read past the end is a heap overflow under ASan.
        std::unique_ptr<char[]> copy(new char[n ? n : 1]);
        std::memcpy(copy.get(), s.data(), n);
        Collected c;
        auto r = parse_records(std::string_view(copy.get(), n), c.sink());
        std::size_t whole = n >= a.size() ? 1 : 0;
        EXPECT_EQ(r.records, whole) << n;
        EXPECT_EQ(r.consumed, whole ? a.size() : 0) << n;
        EXPECT_EQ(r.status, n == 0 || n == a.size() ? ParseStatus::Ok : ParseStatus::Truncated) << n;
    }
}

TEST(ParseRecords, CorruptHeadersStop) {
    std::string good = file_record(3, "/x");
    auto with_header = [&](__u16 type, __u16 path_len, __u32 len) {
        fds_rec_hdr h{type, path_len, len};
        std::string s = good;
        s.append(reinterpret_cast<const char*>(&h), sizeof h);
        s.append(200, 'z');
        return s;
    };
    for (auto s : {with_header(9, 0, 88), with_header(0, 0, 8), with_header(FDS_REC_FILE, 0, 8),
                   with_header(FDS_REC_FILE, 3, 88), with_header(FDS_REC_FILE, 0, 0xffffffff),
                   with_header(FDS_REC_VMA, 5000, 88 + 5000)}) {
        Collected c;
        auto r = parse_records(s, c.sink());
        EXPECT_EQ(r.status, ParseStatus::Corrupt);
        EXPECT_EQ(r.records, 1u);
        EXPECT_EQ(r.consumed, good.size());
    }
}

TEST(ParseRecords, RandomGarbageNeverOverreads) {
    std::mt19937 rng(1234);
    std::string base = file_record(3, "/a") + vma_record(0x1000, "/b") + file_record(9, "pipe:[5]");
    for (int i = 0; i < 20000; ++i) {
        std::string s = base;
        int flips = 1 + static_cast<int>(rng() % 8);
        for (int k = 0; k < flips; ++k) s[rng() % s.size()] = static_cast<char>(rng());
        s.resize(rng() % (s.size() + 1));
        std::unique_ptr<char[]> copy(new char[s.size() + 1]);
        std::memcpy(copy.get(), s.data(), s.size());
        std::size_t path_bytes = 0;
        auto r = parse_records(std::string_view(copy.get(), s.size()),
                               {[&](const FileRecord& f) { path_bytes += f.path.size(); },
                                [&](const VmaRecord& v) { path_bytes += v.path.size(); }});
        ASSERT_LE(r.consumed, s.size());
        ASSERT_LE(path_bytes, s.size());
    }
}

TEST(UserDev, MatchesMakedev) {
    EXPECT_EQ(user_dev((8u << 20) | 1u), 0x801u);               // sda1
    EXPECT_EQ(user_dev((259u << 20) | 3u), (259ull << 8) | 3u);  // nvme: major > 255
    EXPECT_EQ(user_dev(0x2au), 0x2au);                          // anonymous bdev 0:42
    EXPECT_EQ(user_dev(300u), ((300u & 0xffu) | ((300ull & ~0xffull) << 12)));  // minor > 255
}

}  // namespace
}  // namespace fdscope::bpf
