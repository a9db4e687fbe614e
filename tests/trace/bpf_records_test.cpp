// The BPF trace engine's pure parts: the record parser, the captured
// memory the decoder reads, records to events, the kernel-table plumbing
// that needs no kernel (refusal words, ring sizes, table ids, stack stops).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <linux/types.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <string>

#include "trace/bpf/program_tables.hpp"
#include "trace/bpf/record_events.hpp"
#include "trace/bpf/stack_stops.hpp"
#include "trace/bpf/table_ids.hpp"
#include "trace/bpf/trace_program.hpp"
#include "trace/bpf/trace_records.h"
#include "trace/bpf/trace_records.hpp"
#include "trace/decode/syscall.hpp"

namespace fdscope::trace {
namespace {

template <class T>
void put(std::string& out, const T& v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

void pad8(std::string& out) {
    while (out.size() % 8) out.push_back('\0');
}

void set_len(std::string& rec) {
    fds_tr_hdr h{};
    std::memcpy(&h, rec.data(), sizeof h);
    h.len = static_cast<__u32>(rec.size());
    std::memcpy(rec.data(), &h, sizeof h);
}

struct RegionSpec {
    std::uint64_t addr;
    std::string bytes;
    std::uint8_t status = FDS_REG_OK;
    std::uint8_t cap = 0;
};

// A syscall record as trace.bpf.c writes it.
std::string syscall_bytes(const fds_tr_syscall& body, const std::vector<std::uint64_t>& pcs,
                          const std::vector<RegionSpec>& regions) {
    std::string rec;
    fds_tr_hdr h{};
    h.type = FDS_TR_SYSCALL;
    put(rec, h);
    fds_tr_syscall b = body;
    b.nframes = static_cast<__u16>(pcs.size());
    b.nregions = static_cast<__u8>(regions.size());
    put(rec, b);
    for (std::uint64_t pc : pcs) put(rec, pc);
    for (const RegionSpec& r : regions) {
        fds_tr_region reg{};
        reg.addr = r.addr;
        reg.len = static_cast<__u16>(r.bytes.size());
        reg.status = r.status;
        reg.cap = r.cap;
        put(rec, reg);
        rec += r.bytes;
        pad8(rec);
    }
    set_len(rec);
    return rec;
}

fds_tr_syscall openat_body(std::uint64_t path_addr, std::int64_t ret) {
    fds_tr_syscall b{};
    b.time_ns = 1000;
    b.files = 0xffff888012345600ULL;
    b.enter_files = b.files;
    b.args[0] = static_cast<__u64>(AT_FDCWD);
    b.args[1] = path_addr;
    b.args[2] = O_RDONLY | O_CLOEXEC;
    b.ret = ret;
    b.tgid = 100;
    b.tid = 101;
    b.nr = SYS_openat;
    return b;
}

TEST(BpfRecords, ParsesASyscallRecordWithItsStackAndRegions) {
    const std::string rec = syscall_bytes(openat_body(0x7000, 3), {0x401000, 0x402000},
                                          {{0x7000, std::string("/etc/passwd\0", 12)}});
    const auto parsed = parse_trace_record(rec);
    ASSERT_TRUE(parsed);
    const auto* s = std::get_if<SyscallRecord>(&*parsed);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->nr, static_cast<std::uint32_t>(SYS_openat));
    EXPECT_EQ(s->ret, 3);
    EXPECT_EQ(s->tgid, 100u);
    EXPECT_EQ(s->tid, 101u);
    EXPECT_TRUE(s->enter_seen);
    EXPECT_FALSE(s->i_mode);
    EXPECT_EQ(s->pcs, (std::vector<std::uint64_t>{0x401000, 0x402000}));
    ASSERT_EQ(s->regions.size(), 1u);
    EXPECT_EQ(s->regions[0].addr, 0x7000u);
    EXPECT_EQ(s->regions[0].bytes, std::string_view("/etc/passwd\0", 12));
}

TEST(BpfRecords, ModeAndMissingEnterComeFromTheFlags) {
    fds_tr_syscall b = openat_body(0x7000, 3);
    b.flags = FDS_SC_MODE | FDS_SC_NO_ENTER;
    b.i_mode = S_IFDIR | 0755;
    const auto parsed = parse_trace_record(syscall_bytes(b, {}, {}));
    ASSERT_TRUE(parsed);
    const auto& s = std::get<SyscallRecord>(*parsed);
    ASSERT_TRUE(s.i_mode);
    EXPECT_EQ(*s.i_mode, S_IFDIR | 0755);
    EXPECT_FALSE(s.enter_seen);
}

TEST(BpfRecords, RefusesMalformedRecords) {
    const std::string good = syscall_bytes(openat_body(0x7000, 3), {0x1}, {{0x7000, std::string("/x\0", 3)}});
    // Cut anywhere: never a record.
    for (std::size_t n = 0; n < good.size(); ++n) EXPECT_FALSE(parse_trace_record(good.substr(0, n))) << n;
    // A header that claims more than the sample.
    std::string longer = good;
    fds_tr_hdr h{};
    std::memcpy(&h, longer.data(), sizeof h);
    h.len += 8;
    std::memcpy(longer.data(), &h, sizeof h);
    EXPECT_FALSE(parse_trace_record(longer));
    // An unknown type.
    std::string other = good;
    h.len -= 8;
    h.type = 77;
    std::memcpy(other.data(), &h, sizeof h);
    EXPECT_FALSE(parse_trace_record(other));
    // A fault region with bytes.
    EXPECT_FALSE(parse_trace_record(syscall_bytes(openat_body(1, 3), {}, {{1, "abc", FDS_REG_FAULT}})));
    // A region naming a capture beyond the plan.
    EXPECT_FALSE(parse_trace_record(syscall_bytes(openat_body(1, 3), {}, {{1, "a", FDS_REG_OK, FDS_MAX_CAPS}})));
}

TEST(BpfRecords, RandomBytesNeverCrash) {
    std::mt19937 rng(14);
    const std::string seed = syscall_bytes(openat_body(0x7000, 3), {0x1, 0x2}, {{0x7000, std::string("/x\0", 3)}});
    for (int i = 0; i < 20000; ++i) {
        std::string b = seed;
        const int flips = 1 + static_cast<int>(rng() % 8);
        for (int f = 0; f < flips; ++f) b[rng() % b.size()] = static_cast<char>(rng());
        if (rng() % 4 == 0) b.resize(rng() % b.size());
        (void)parse_trace_record(b);
    }
}

TEST(BpfRecords, ParsesForkExecExitAndTaskRecords) {
    {
        std::string rec;
        fds_tr_hdr h{FDS_TR_FORK, 0, 0};
        put(rec, h);
        fds_tr_fork f{};
        f.parent_files = 10;
        f.child_files = 10;
        f.parent_tgid = f.parent_tid = 5;
        f.child_tgid = 5;
        f.child_tid = 6;
        f.nr = SYS_clone;
        f.flags = 0x3d0f00;
        std::memcpy(f.comm, "worker", 7);
        put(rec, f);
        set_len(rec);
        const auto p = parse_trace_record(rec);
        ASSERT_TRUE(p);
        const auto& r = std::get<ForkRecord>(*p);
        EXPECT_TRUE(r.thread());
        EXPECT_TRUE(r.shared_table());
        EXPECT_EQ(r.comm, "worker");
        EXPECT_EQ(r.nr, std::optional<std::uint32_t>(SYS_clone));
    }
    {
        std::string rec;
        fds_tr_hdr h{FDS_TR_EXEC, 0, 0};
        put(rec, h);
        fds_tr_exec x{};
        x.tgid = x.tid = 7;
        x.old_tid = 8;
        x.nr = FDS_NR_NONE;
        x.name_len = 8;
        std::memcpy(x.comm, "sixteen-bytes-ab", 16);  // no NUL: all 16
        put(rec, x);
        rec += "/bin/sh!";
        pad8(rec);
        set_len(rec);
        const auto p = parse_trace_record(rec);
        ASSERT_TRUE(p);
        const auto& r = std::get<ExecRecord>(*p);
        EXPECT_EQ(r.name, "/bin/sh!");
        EXPECT_EQ(r.comm, "sixteen-bytes-ab");
        EXPECT_FALSE(r.nr);
        EXPECT_EQ(r.old_tid, 8u);
    }
    {
        std::string rec;
        fds_tr_hdr h{FDS_TR_EXIT, 0, 0};
        put(rec, h);
        fds_tr_exit e{};
        e.tgid = 9;
        e.tid = 9;
        e.exit_code = 3 << 8;
        e.group_dead = 1;
        put(rec, e);
        set_len(rec);
        const auto p = parse_trace_record(rec);
        ASSERT_TRUE(p);
        const auto& r = std::get<ExitRecord>(*p);
        EXPECT_TRUE(r.group_dead);
        EXPECT_EQ(r.exit_code, 3 << 8);
    }
    std::string stream;
    for (std::uint32_t tid : {20u, 21u}) {
        fds_tr_hdr h{FDS_TR_TASK, 0, sizeof(fds_tr_hdr) + sizeof(fds_tr_task)};
        put(stream, h);
        fds_tr_task t{0x1000, 20, tid};
        put(stream, t);
    }
    std::vector<TaskRecord> tasks;
    EXPECT_TRUE(parse_task_records(stream, [&](const TaskRecord& t) { tasks.push_back(t); }));
    ASSERT_EQ(tasks.size(), 2u);
    EXPECT_EQ(tasks[1].tid, 21u);
    EXPECT_FALSE(parse_task_records(stream.substr(0, stream.size() - 1), [](const TaskRecord&) {}));
}

TEST(BpfCapturedMemory, ServesOnlyWhatWasCopied) {
    // pipe2: the int[2] the kernel wrote; openat: its path; a cut string; a fault.
    SyscallRecord pipe;
    pipe.nr = SYS_pipe2;
    pipe.regions = {{0x1000, RegionStatus::Ok, 0, std::string_view("\x03\x00\x00\x00\x04\x00\x00\x00", 8)},
                    {0x4000, RegionStatus::Fault, 0, {}}};
    CapturedMemory m = captured_memory(pipe);
    int fds[2] = {};
    EXPECT_TRUE(m.read(0x1000, std::as_writable_bytes(std::span(fds))));
    EXPECT_EQ(fds[0], 3);
    EXPECT_EQ(fds[1], 4);
    std::byte one[1];
    EXPECT_TRUE(m.read(0x1007, one));
    EXPECT_FALSE(m.read(0x1004, std::as_writable_bytes(std::span(fds))));  // runs past the copy
    EXPECT_FALSE(m.read(0x0fff, one));
    EXPECT_FALSE(m.read(0x4000, one));  // unreadable in the task

    SyscallRecord open;
    open.nr = SYS_openat;
    open.regions = {{0x2000, RegionStatus::Ok, 0, std::string_view("/tmp/x\0", 7)}};
    CapturedMemory o = captured_memory(open);
    bool cut = true;
    EXPECT_EQ(o.read_string(0x2000, 4096, cut), std::optional<std::string>("/tmp/x"));
    EXPECT_FALSE(cut);
    EXPECT_FALSE(o.read(0x2000, one));  // a string, not bytes of the plan
    open.regions = {{0x3000, RegionStatus::Cut, 0, std::string_view("/very/long")}};
    CapturedMemory c = captured_memory(open);
    EXPECT_EQ(c.read_string(0x3000, 4096, cut), std::optional<std::string>("/very/long"));
    EXPECT_TRUE(cut);
    EXPECT_FALSE(c.read_string(0x5000, 4096, cut));
}

TEST(BpfRecordEvents, DecodesWhatTheProgramCopied) {
    TableIds tables;
    const std::string bytes = syscall_bytes(openat_body(0x7000, 3), {}, {{0x7000, std::string("/etc/passwd\0", 12)}});
    auto parsed = parse_trace_record(bytes);
    ASSERT_TRUE(parsed);
    auto& r = std::get<SyscallRecord>(*parsed);
    r.i_mode = S_IFREG | 0644;
    auto events = syscall_events(r, tables);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].op, Op::Openat);
    EXPECT_EQ(events[0].fd, 3);
    EXPECT_EQ(events[0].name, "/etc/passwd");
    EXPECT_TRUE(events[0].cloexec);
    EXPECT_EQ(events[0].pid, 100);
    EXPECT_EQ(events[0].tid, 101);
    EXPECT_EQ(events[0].table, 1u);
    EXPECT_EQ(events[0].time_ns, 1000u);
    EXPECT_EQ(events[0].kind, Kind::File);
    r.i_mode = S_IFDIR | 0755;
    events = syscall_events(r, tables);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::Dir);
    // Without the path's copy the event still says what happened, without a name.
    r.regions.clear();
    events = syscall_events(r, tables);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].fd, 3);
    EXPECT_EQ(events[0].name, "");
    // Arguments unknown: nothing is guessed.
    r.enter_seen = false;
    EXPECT_TRUE(syscall_events(r, tables).empty());
}

TEST(BpfRecordEvents, LeavesSuccessfulExecsAndForksToTheirOwnRecords) {
    TableIds tables;
    SyscallRecord exec;
    exec.nr = SYS_execve;
    exec.ret = 0;
    exec.tgid = exec.tid = 7;
    EXPECT_TRUE(syscall_events(exec, tables).empty());
    exec.ret = -ENOENT;
    const auto failed = syscall_events(exec, tables);
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed[0].op, Op::Execve);
    EXPECT_EQ(failed[0].error, ENOENT);
    SyscallRecord fork;
    fork.nr = SYS_fork;
    fork.ret = 8;
    fork.tgid = fork.tid = 7;
    EXPECT_TRUE(syscall_events(fork, tables).empty());
    fork.ret = -EAGAIN;
    ASSERT_EQ(syscall_events(fork, tables).size(), 1u);
}

TEST(BpfRecordEvents, UnshareSplitsTheTableItRanOn) {
    TableIds tables;
    SyscallRecord u;
    u.nr = SYS_unshare;
    u.args[0] = CLONE_FILES;
    u.ret = 0;
    u.tgid = u.tid = 9;
    u.enter_files = 0xffff888000000100ULL;
    u.files = 0xffff888000000200ULL;
    const auto events = syscall_events(u, tables);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].op, Op::Unshare);
    EXPECT_EQ(events[0].table, 1u);
    EXPECT_EQ(events[0].new_table, 2u);
}

TEST(BpfRecordEvents, RefinesOnlyFilesOpenedByPath) {
    EXPECT_EQ(refine_kind(Kind::File, S_IFDIR | 0755), Kind::Dir);
    EXPECT_EQ(refine_kind(Kind::File, S_IFCHR | 0666), Kind::Chr);
    EXPECT_EQ(refine_kind(Kind::File, S_IFBLK | 0660), Kind::Blk);
    EXPECT_EQ(refine_kind(Kind::File, S_IFIFO | 0600), Kind::Fifo);
    EXPECT_EQ(refine_kind(Kind::File, S_IFREG | 0644), Kind::File);
    EXPECT_EQ(refine_kind(Kind::Pipe, S_IFIFO | 0600), Kind::Pipe);
    EXPECT_EQ(refine_kind(Kind::Unknown, S_IFDIR), Kind::Unknown);
}

TEST(BpfRecordEvents, ProcessRecordsBecomeEventsOnOpaqueTables) {
    TableIds tables;
    ForkRecord f;
    f.time_ns = 5;
    f.parent_files = 0xffff888000001000ULL;
    f.child_files = 0xffff888000002000ULL;
    f.parent_tgid = f.parent_tid = 40;
    f.child_tgid = f.child_tid = 41;
    f.nr = SYS_fork;
    const FdEvent fork = fork_event(f, tables);
    EXPECT_EQ(fork.op, Op::Fork);
    EXPECT_EQ(fork.table, 1u);
    EXPECT_EQ(fork.new_table, 2u);
    EXPECT_EQ(fork.result, 41);
    f.nr = SYS_vfork;
    EXPECT_EQ(fork_event(f, tables).op, Op::Vfork);
    f.nr.reset();
    EXPECT_EQ(fork_event(f, tables).op, Op::Clone);

    ExecRecord x;
    x.tgid = 41;
    x.tid = 41;
    x.old_files = f.child_files;
    x.new_files = 0xffff888000003000ULL;
    x.nr = SYS_execveat;
    x.flags = AT_EMPTY_PATH;
    x.name = "/bin/true";
    const FdEvent exec = exec_event(x, tables);
    EXPECT_EQ(exec.op, Op::Execveat);
    EXPECT_EQ(exec.table, 2u);
    EXPECT_EQ(exec.new_table, 3u);
    EXPECT_EQ(exec.name, "/bin/true");

    ExitRecord e;
    e.tgid = 41;
    e.tid = 41;
    e.files = x.new_files;
    e.exit_code = 1 << 8;
    const FdEvent exit = exit_event(e, tables);
    EXPECT_EQ(exit.op, Op::Exit);
    EXPECT_EQ(exit.table, 3u);
    EXPECT_EQ(exit.result, 256);
}

TEST(BpfTables, IdsAreDenseAndZeroIsNone) {
    TableIds t;
    EXPECT_EQ(t.of(0), 0u);
    EXPECT_EQ(t.of(0xffff888000000040ULL), 1u);
    EXPECT_EQ(t.of(0xffff888000000080ULL), 2u);
    EXPECT_EQ(t.of(0xffff888000000040ULL), 1u);
}

TEST(BpfStackStops, NamesTheModuleShortStacksEndIn) {
    StackStops s;
    RawFrame libc;
    libc.module = "/usr/lib/x86_64-linux-gnu/libc.so.6";
    RawFrame prog;
    prog.module = "/usr/bin/prog";
    const std::vector<RawFrame> short_stack = {libc};
    const std::vector<RawFrame> full = {libc, prog, prog, libc, libc, prog};
    RawFrame junk;
    junk.pc = 0x40000002c;
    const std::vector<RawFrame> into_junk = {libc, junk, junk};
    s.observe(into_junk, 32);
    s.observe(short_stack, 32);
    s.observe(full, 32);
    s.observe(short_stack, 1);  // one frame asked, one got: not short
    const auto notes = s.notes();
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0], "stacks stop in /usr/lib/x86_64-linux-gnu/libc.so.6 (no frame pointers): 2 of 4 stacks; "
                        "--engine ptrace unwinds with DWARF");
}

TEST(BpfProgramOptions, RefusalWordsAndRingSizes) {
    ProgramOptions o;
    std::string why;
    EXPECT_TRUE(parse_trace_refusals("task_storage,min_btf", o, why));
    EXPECT_FALSE(o.task_storage);
    EXPECT_FALSE(o.min_btf);
    EXPECT_FALSE(parse_trace_refusals("task_storage,bogus", o, why));
    EXPECT_NE(why.find("bogus"), std::string::npos);
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    EXPECT_EQ(ring_size_for(0), kDefaultRingBytes);
    EXPECT_EQ(ring_size_for(1), page);
    EXPECT_EQ(ring_size_for(page + 1), 2 * page);
    EXPECT_EQ(ring_size_for(std::size_t{1} << 20), std::size_t{1} << 20);
}

TEST(BpfProgramTables, EveryTracedCallIsInTheBitmapWithItsPlan) {
    const ProgramTables t = program_tables();
    EXPECT_TRUE(t.left_out.empty());
    for (const long nr : traced_syscalls(Abi::X86_64)) {
        const auto n = static_cast<std::uint32_t>(nr);
        EXPECT_TRUE((t.interest[n / 64] >> (n % 64)) & 1) << nr;
        const auto caps = capture_plan(Abi::X86_64, nr);
        EXPECT_LE(caps.size(), static_cast<std::size_t>(FDS_MAX_CAPS)) << nr;
        const auto it = std::find_if(t.plans.begin(), t.plans.end(), [&](const auto& p) { return p.nr == n; });
        if (!caps.empty()) {
            ASSERT_NE(it, t.plans.end()) << nr;
            EXPECT_EQ(it->plan.ncaps, caps.size()) << nr;
        }
    }
    const auto word = [&](long nr) { return (t.interest[static_cast<std::size_t>(nr) / 64] >> (nr % 64)) & 1; };
    EXPECT_TRUE(word(SYS_openat));
    EXPECT_TRUE(word(SYS_close));
    EXPECT_FALSE(word(SYS_getpid));
    EXPECT_FALSE(word(SYS_read));
    const auto plan_of = [&](long nr) -> const fds_plan* {
        for (const auto& p : t.plans)
            if (p.nr == static_cast<std::uint32_t>(nr)) return &p.plan;
        return nullptr;
    };
    ASSERT_NE(plan_of(SYS_openat), nullptr);
    EXPECT_TRUE(plan_of(SYS_openat)->flags & FDS_PLAN_RET_FD);
    ASSERT_NE(plan_of(SYS_execve), nullptr);
    EXPECT_TRUE(plan_of(SYS_execve)->flags & FDS_PLAN_EXEC);
    ASSERT_NE(plan_of(SYS_pipe2), nullptr);
    EXPECT_FALSE(plan_of(SYS_pipe2)->flags & FDS_PLAN_RET_FD);
}

}  // namespace
}  // namespace fdscope::trace
