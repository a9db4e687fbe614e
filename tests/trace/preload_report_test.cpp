// The FDSCOPE_REPORT writer's pure parts (escaping, maps lines, grouping),
// the writer itself on a table the test builds over its own real fds, and
// fdscope's parser of the reports on hostile input.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "preload/report_format.hpp"
#include "preload/report_writer.hpp"
#include "render/escape.hpp"
#include "sys/preload_layout.hpp"
#include "trace/preload/report_parse.hpp"

namespace fdscope::test {
namespace {

namespace pl = fdscope::preload;
namespace layout = fdscope::sys::preload;

std::string escaped(const std::string& in, bool& lossy) {
    char buf[4096];
    pl::JsonOut out(buf, sizeof buf);
    lossy = out.string(in.data(), in.size());
    EXPECT_FALSE(out.failed());
    return std::string(buf, out.size());
}

TEST(PreloadReportFormat, EscapesNamesAsRenderDoes) {
    const std::string hostile[] = {
        "plain/path.txt", "new\nline", "tab\there", "quote\"back\\slash", std::string("nul\0byte", 8),
        "\x7f del", "bad \xff\xfe utf8", "\xc3\xa9t\xc3\xa9", "c1 \xc2\x85 control", "overlong \xc0\xaf",
        "surrogate \xed\xa0\x80", "cut \xe2\x82", "\x1b[31mred", "emoji \xf0\x9f\x98\x80", "\b\f\r",
    };
    for (const std::string& s : hostile) {
        bool lossy = false, render_lossy = false;
        std::string mine = escaped(s, lossy);
        std::string theirs = "\"";
        render::append_json_string(s, theirs, render_lossy);
        theirs += "\"";
        EXPECT_EQ(mine, theirs) << s;
        EXPECT_EQ(lossy, render_lossy) << s;
        // And it is JSON.
        EXPECT_FALSE(nlohmann::json::parse(mine, nullptr, false).is_discarded()) << mine;
    }
}

TEST(PreloadReportFormat, NumbersAndSecondsAndGrowth) {
    std::string mem(8, '\0');
    struct Grow {
        static bool more(pl::JsonOut& out, std::size_t need, void* ctx) noexcept {
            auto* s = static_cast<std::string*>(ctx);
            s->resize(need * 2);
            out.reset_memory(s->data(), s->size());
            return true;
        }
    };
    pl::JsonOut out(mem.data(), mem.size(), Grow::more, &mem);
    out.unsigned_number(18446744073709551615ull);
    out.ch(' ');
    out.signed_number(-9223372036854775807ll - 1);
    out.ch(' ');
    out.seconds(12'000'345'678ull);
    EXPECT_EQ(std::string(out.data(), out.size()), "18446744073709551615 -9223372036854775808 12.000345");
    char small[4];
    pl::JsonOut fixed(small, sizeof small);
    fixed.raw("too long");
    EXPECT_TRUE(fixed.failed());
}

TEST(PreloadReportFormat, MapsLinesGiveModulesAndOffsets) {
    const std::string maps =
        "55d0c0a00000-55d0c0a01000 r--p 00000000 fd:01 1234   /usr/bin/prog\n"
        "55d0c0a01000-55d0c0a05000 r-xp 00001000 fd:01 1234   /usr/bin/prog\n"
        "7f0000000000-7f0000010000 rw-p 00000000 00:00 0 \n"
        "7f0000010000-7f0000020000 r-xp 00002000 fd:01 99 /lib/with space (deleted)\n"
        "7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0   [vdso]\n"
        "garbage line\n"
        "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0   [vsyscall]";
    pl::Module mods[8];
    const std::size_t n = pl::parse_modules(maps.data(), maps.size(), mods, 8);
    ASSERT_EQ(n, 2u);
    EXPECT_EQ(std::string(mods[0].path, mods[0].path_len), "/usr/bin/prog");
    EXPECT_EQ(std::string(mods[1].path, mods[1].path_len), "/lib/with space (deleted)");
    const pl::Module* m = pl::find_module(mods, n, 0x55d0c0a01234);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(0x55d0c0a01234 - m->start + m->offset, 0x1234u);
    EXPECT_EQ(pl::find_module(mods, n, 0x55d0c0a05000), nullptr);  // end is exclusive
    EXPECT_EQ(pl::find_module(mods, n, 0x10), nullptr);
    pl::MapsLine line;
    EXPECT_FALSE(pl::parse_maps_line("10-5 r-xp 0 0:0 0 /x", 20, line));  // end before start
    EXPECT_FALSE(pl::parse_maps_line("11111111111111111-2 r-xp", 26, line));  // past 64 bits
}

TEST(PreloadReportFormat, GroupsByStackAndForkSideMostFdsFirst) {
    pl::GroupKey keys[] = {{7, false, 9, 0}, {3, false, 4, 1}, {7, false, 5, 2}, {7, true, 6, 3},
                           {3, false, 3, 4}, {7, false, 8, 5}, {0, false, 10, 6}};
    const std::size_t n = std::size(keys);
    pl::sort_group_keys(keys, n);
    pl::GroupRun runs[std::size(keys)];
    const std::size_t r = pl::group_runs(keys, n, runs);
    ASSERT_EQ(r, 4u);
    EXPECT_EQ(runs[0].count, 3u);  // stack 7 made here: fds 5, 8, 9
    EXPECT_EQ(keys[runs[0].from].stack, 7u);
    EXPECT_FALSE(keys[runs[0].from].inherited);
    EXPECT_EQ(keys[runs[0].from].fd, 5);
    EXPECT_EQ(keys[runs[0].from + 2].fd, 9);
    EXPECT_EQ(runs[1].count, 2u);  // stack 3
    EXPECT_EQ(keys[runs[1].from].stack, 3u);
    EXPECT_EQ(runs[2].count, 1u);  // then by key order: stack 0, then 7 inherited
    EXPECT_EQ(keys[runs[2].from].stack, 0u);
    EXPECT_TRUE(keys[runs[3].from].inherited);
}

TEST(PreloadReportFormat, ExpandsThePid) {
    char out[32];
    ASSERT_TRUE(pl::expand_path("/tmp/r.%p.%p", 4711, out, sizeof out));
    EXPECT_STREQ(out, "/tmp/r.4711.4711");
    ASSERT_TRUE(pl::expand_path("/tmp/one", 4711, out, sizeof out));
    EXPECT_STREQ(out, "/tmp/one");
    EXPECT_FALSE(pl::expand_path("/a/very/long/path/that/does/not/fit", 1, out, sizeof out));
}

// A table as the library lays it out, in this process, over real fds.
struct FakeTable {
    static constexpr std::uint32_t kSlots = 64, kArena = 4096, kIncidents = 4;
    void* mem = nullptr;
    std::size_t bytes = 0;
    layout::TableHeader* h = nullptr;
    std::uint64_t arena_used = 0;
    FakeTable() {
        const std::uint64_t slots = 256, arena = slots + kSlots * sizeof(layout::Slot);
        const std::uint64_t incidents = arena + kArena;
        bytes = incidents + kIncidents * sizeof(layout::Incident);
        mem = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        h = new (mem) layout::TableHeader{};
        h->magic = layout::kMagic;
        h->version = layout::kVersion;
        h->header_bytes = sizeof *h;
        h->total_bytes = bytes;
        h->slot_bytes = sizeof(layout::Slot);
        h->slot_count = kSlots;
        h->slots_offset = slots;
        h->arena_offset = arena;
        h->arena_bytes = kArena;
        h->incidents_offset = incidents;
        h->incident_capacity = kIncidents;
        h->pid = ::getpid();
        h->log_fd = -1;
        h->placeholder_fd = -1;
        h->unwind_fds[0] = h->unwind_fds[1] = -1;
        h->load_time_ns = 1'000'000'000;
    }
    ~FakeTable() { ::munmap(mem, bytes); }
    layout::Slot& slot(int fd) {
        return *reinterpret_cast<layout::Slot*>(static_cast<char*>(mem) + h->slots_offset + static_cast<std::size_t>(fd) * sizeof(layout::Slot));
    }
    layout::StackRef stack(std::initializer_list<std::uint64_t> pcs) {
        auto* rec = reinterpret_cast<layout::StackRecord*>(static_cast<char*>(mem) + h->arena_offset + arena_used);
        rec->depth = static_cast<std::uint16_t>(pcs.size());
        auto* out = reinterpret_cast<std::uint64_t*>(rec + 1);
        for (std::uint64_t pc : pcs) *out++ = pc;
        const auto ref = static_cast<layout::StackRef>(arena_used / 8 + 1);
        arena_used += 8 + 8 * pcs.size();
        h->arena_used.store(arena_used);
        return ref;
    }
    void open_slot(int fd, layout::StackRef st, const std::string& name, pid_t creator) {
        layout::Slot& s = slot(fd);
        s.state = static_cast<std::uint8_t>(layout::SlotState::Open);
        s.op = static_cast<std::uint8_t>(layout::CreateOp::Openat);
        s.creator_pid = creator;
        s.tid = creator;
        s.stack = st;
        s.time_ns = 1'500'000'000;
        s.name_len = static_cast<std::uint16_t>(std::min<std::size_t>(name.size(), layout::kNameBytes));
        std::memcpy(s.name, name.data(), s.name_len);
        s.seq.store(2);
    }
};

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string temp_dir() {
    char templ[] = "/tmp/fdscope-report-test.XXXXXX";
    return ::mkdtemp(templ) ? templ : "";
}

TEST(PreloadReportWriter, WritesTheOpenFdsByStackWithModulesAndTheUntracedOnes) {
    const std::string dir = temp_dir();
    ASSERT_FALSE(dir.empty());
    const std::string hostile = dir + "/name\nwith\ttab \xff";
    const int a = ::open(hostile.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    const int b = ::open("/dev/null", O_RDONLY);
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    const int untraced = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(a, 3);
    ASSERT_LT(untraced, static_cast<int>(FakeTable::kSlots));
    FakeTable t;
    // A pc inside this test binary's code: the writer must name its module.
    const auto here = reinterpret_cast<std::uint64_t>(&read_text);
    const layout::StackRef s1 = t.stack({here, here + 1}), s2 = t.stack({0x10});
    t.open_slot(a, s1, hostile, ::getpid());
    t.open_slot(b, s1, "/dev/null", ::getpid());
    t.open_slot(sv[0], s2, "", ::getppid());  // as if a fork parent made it
    t.open_slot(sv[1], s2, "", ::getpid());
    const int closed = ::open("/dev/null", O_RDONLY);
    t.open_slot(closed, s1, "/dev/null", ::getpid());
    ::close(closed);  // a slot whose fd is gone: not listed
    const int saved = errno = 1234;
    ASSERT_TRUE(pl::write_report(*t.h, (dir + "/r.%p").c_str(), pl::ReportReason::Exit));
    EXPECT_EQ(errno, saved);
    const std::string text = read_text(dir + "/r." + std::to_string(::getpid()));
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
    const auto doc = nlohmann::json::parse(text);
    EXPECT_EQ(doc["pid"], ::getpid());
    EXPECT_EQ(doc["reason"], "exit");
    ASSERT_EQ(doc["leaks"].size(), 3u) << doc.dump(1);
    const auto& g = doc["leaks"][0];
    EXPECT_EQ(g["count"], 2);
    EXPECT_EQ(g["fds"], nlohmann::json::array({std::min(a, b), std::max(a, b)}));
    EXPECT_EQ(g["inherited"], false);
    ASSERT_EQ(g["stack"].size(), 2u);
    EXPECT_NE(g["stack"][0]["module"].get<std::string>().find("test_trace"), std::string::npos) << g.dump();
    EXPECT_TRUE(g["stack"][0]["offset"].is_number_unsigned());
    // The hostile name is escaped as fdscope escapes names.
    bool found = false;
    for (const auto& f : g["open"])
        if (f["fd"] == a) {
            found = true;
            EXPECT_EQ(f["name_escaped"], true);
            EXPECT_EQ(f["kind"], "file");
            EXPECT_EQ(f["cloexec"], true);
        }
    EXPECT_TRUE(found);
    // The socketpair: one end "inherited", one made here; unix; no module for 0x10.
    for (std::size_t i = 1; i < 3; ++i) {
        EXPECT_EQ(doc["leaks"][i]["kind"], "unix");
        EXPECT_TRUE(doc["leaks"][i]["stack"][0]["module"].is_null());
    }
    EXPECT_NE(doc["leaks"][1]["inherited"], doc["leaks"][2]["inherited"]);
    bool listed = false;
    for (const auto& u : doc["untraced_open"]) {
        EXPECT_NE(u["fd"], a);
        EXPECT_NE(u["fd"], closed == untraced ? -1 : closed);
        if (u["fd"] == untraced) listed = true;
    }
    EXPECT_TRUE(listed) << doc["untraced_open"].dump();
    // fdscope's parser reads it back, names as bytes.
    std::vector<std::string> notes;
    auto reports = trace::preload::parse_reports(text, "r", notes);
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_TRUE(notes.empty()) << notes.front();
    bool back = false;
    for (const auto& grp : reports[0].leaks)
        for (const auto& f : grp.fds)
            if (f.fd == a) back = f.name == hostile;
    EXPECT_TRUE(back);
    for (int fd : {a, b, sv[0], sv[1], untraced}) ::close(fd);
    ::unlink(hostile.c_str());
    ::unlink((dir + "/r." + std::to_string(::getpid())).c_str());
    ::rmdir(dir.c_str());
}

TEST(PreloadReportWriter, RefusesACorruptHeader) {
    FakeTable t;
    t.h->slot_count = 1u << 30;  // slots past the mapping
    EXPECT_FALSE(pl::write_report(*t.h, "/tmp/fdscope-never-written.%p", pl::ReportReason::Exit));
}

TEST(PreloadReportParse, HostileReportsGiveNotesNotCrashes) {
    const std::string good =
        R"({"fdscope_preload_report":1,"reason":"exit","pid":42,"ppid":1,"command":"c\\xff","command_escaped":true,)"
        R"("load_ns":10,"now_ns":20,"leaks":[{"inherited":false,"stack":[{"module":"/bin/x","offset":5,"pc":"0x1005"}],)"
        R"("open":[{"fd":3,"tid":42,"creator_pid":42,"ns":15,"op":"open","kind":"file","name":"a\\xfeb","name_escaped":true,"cloexec":false}]}],)"
        R"("stdio_open":[],"untraced_open":[{"fd":0,"kind":"chr","name":"/dev/null"}],"incidents":[],"summary":{"creates":1}})";
    const std::string text = std::string("{not json\n") + "[1,2,3]\n" +
                             R"({"fdscope_preload_report":1,"pid":1e300,"load_ns":1,"now_ns":2})" + "\n" +
                             R"({"fdscope_preload_report":1,"pid":7,"load_ns":1,"now_ns":2,"leaks":[{"open":[{"fd":99999999999,"tid":1,"creator_pid":1,"ns":1}]}],"stdio_open":[]})" +
                             "\n" + "{\"fdscope_preload_report\":1,\"command\":\"\xff\"}\n" + good + "\n" +
                             std::string(100000, '[') + "\n";
    std::vector<std::string> notes;
    auto reports = trace::preload::parse_reports(text, "r.1", notes);
    ASSERT_EQ(reports.size(), 2u);
    EXPECT_EQ(reports[0].pid, 7);
    EXPECT_TRUE(reports[0].leaks.empty());  // the fd out of range was left out
    const auto& r = reports[1];
    EXPECT_EQ(r.command, "c\xff");
    ASSERT_EQ(r.leaks.size(), 1u);
    EXPECT_EQ(r.leaks[0].fds[0].name, "a\xfe" "b");
    EXPECT_EQ(r.leaks[0].fds[0].op, Op::Open);
    EXPECT_GE(notes.size(), 5u);
    for (const auto& n : notes) EXPECT_NE(n.find("r.1 line"), std::string::npos) << n;

    // Into events: the leak with its stack, then the kernel's table, then the exit.
    trace::preload::Launch launch;
    launch.root = 42;
    StackTable stacks;
    auto c = trace::preload::convert_reports(reports, launch, stacks, [](const trace::preload::ReportFrame& f) {
        RawFrame raw;
        raw.module = f.module;
        raw.offset = f.offset.value_or(0);
        raw.pc = f.pc;
        return raw;
    });
    ASSERT_EQ(c.processes.size(), 2u);
    std::size_t creates = 0, exits = 0;
    for (const FdEvent& e : c.events) {
        if (e.op == Op::Open && e.pid == 42) {
            ++creates;
            EXPECT_EQ(e.fd, 3);
            EXPECT_EQ(e.time_ns, 15u);
            ASSERT_NE(e.stack, kNoStack);
            EXPECT_EQ(stacks.frames(e.stack)[0].offset, 5u);
        }
        if (e.op == Op::Exit) ++exits;
    }
    EXPECT_EQ(creates, 1u);
    EXPECT_EQ(exits, 2u);
}

}  // namespace
}  // namespace fdscope::test
