#include "report/ls.hpp"

#include <gtest/gtest.h>

#include "report/model_builders.hpp"

using namespace fdscope;
using namespace fdscope::report;
using namespace fdscope::report::testing;

namespace {

constexpr std::uint64_t kPipe = 555, kUnixA = 700, kUnixB = 701, kFifo = 900;

OpenFile eventfd(Process& p, int fd, std::int64_t id, Mode mode = Mode::ReadWrite) {
    auto f = make_file(p, fd, Kind::Eventfd, "anon_inode:[eventfd]", 9, mode);
    f.detail = std::make_unique<FdDetail>();
    f.detail->eventfd_id = id;
    f.detail->eventfd_count = 0;
    return f;
}

// 100 writer   : fd0 /dev/null, fd1 pipe (w), fd5 unix A, fd7 eventfd id 3, fd8 fifo, cwd
// 200 reader   : fd3 pipe (r), fd4 unix B, fd8 eventfd id 3, fd9 fifo other dev, cwd
// 300 partial  : fd9 pipe (r)           (endpoint search only: never a row)
// 400 threads  : leader table fd0; thread 401 unshared its table: fd0, fd1
// 500 zombie   : leader exited, table read through 502; cwd
// 600 both ends: fd3 pipe 601 (r), fd4 pipe 601 (w)
Snapshot sample() {
    Snapshot s;
    {
        Process p = make_process(100, "writer");
        auto& t = add_table(p, 100, true);
        t.fds.push_back(make_file(p, 0, Kind::Chr, "/dev/null", 5));
        t.fds.push_back(make_file(p, 1, Kind::Pipe, {}, kPipe, Mode::Write));
        t.fds.push_back(make_file(p, 5, Kind::Unix, {}, kUnixA, Mode::ReadWrite));
        t.fds.push_back(eventfd(p, 7, 3));
        auto fifo = make_file(p, 8, Kind::Fifo, "/tmp/fifo", kFifo, Mode::Write);
        fifo.dev = 0x801;
        t.fds.push_back(std::move(fifo));
        p.assocs.push_back(make_assoc(p, Assoc::Cwd, "/home/w"));
        s.processes.push_back(std::move(p));
    }
    {
        Process p = make_process(200, "reader");
        auto& t = add_table(p, 200, true);
        t.fds.push_back(make_file(p, 3, Kind::Pipe, {}, kPipe, Mode::Read));
        t.fds.push_back(make_file(p, 4, Kind::Unix, {}, kUnixB, Mode::ReadWrite));
        t.fds.push_back(eventfd(p, 8, 3));
        auto fifo = make_file(p, 9, Kind::Fifo, "/tmp/fifo", kFifo, Mode::Read);
        fifo.dev = 0x802;  // same inode number on another filesystem: not the same FIFO
        t.fds.push_back(std::move(fifo));
        p.assocs.push_back(make_assoc(p, Assoc::Cwd, "/home/r"));
        s.processes.push_back(std::move(p));
    }
    {
        Process p = make_process(300, "partial");
        p.partial = true;
        auto& t = add_table(p, 300, true);
        t.fds.push_back(make_file(p, 9, Kind::Pipe, {}, kPipe, Mode::Read));
        p.assocs.push_back(make_assoc(p, Assoc::Cwd, "/"));
        s.processes.push_back(std::move(p));
    }
    {
        Process p = make_process(400, "threads");
        add_table(p, 400, true).fds.push_back(make_file(p, 0, Kind::Chr, "/dev/pts/0", 3));
        auto& t2 = add_table(p, 401, false);
        t2.fds.push_back(make_file(p, 0, Kind::Chr, "/dev/null", 5));
        t2.fds.push_back(make_file(p, 1, Kind::File, "/var/log/t.log", 77, Mode::Write));
        p.assocs.push_back(make_assoc(p, Assoc::Cwd, "/srv"));
        s.processes.push_back(std::move(p));
    }
    {
        Process p = make_process(500, "zombie");
        p.leader_exited = true;
        add_table(p, 502, false).fds.push_back(make_file(p, 0, Kind::Chr, "/dev/null", 5));
        p.assocs.push_back(make_assoc(p, Assoc::Cwd, "/"));
        s.processes.push_back(std::move(p));
    }
    {
        Process p = make_process(600, "selfpipe");
        auto& t = add_table(p, 600, true);
        t.fds.push_back(make_file(p, 3, Kind::Pipe, {}, 601, Mode::Read));
        t.fds.push_back(make_file(p, 4, Kind::Pipe, {}, 601, Mode::Write));
        s.processes.push_back(std::move(p));
    }
    SocketInfo a = make_socket(Kind::Unix, "ESTAB", "", "");
    a.peer_inode = kUnixB;
    SocketInfo b = make_socket(Kind::Unix, "ESTAB", "", "");
    b.peer_inode = kUnixA;
    s.sockets.emplace(kUnixA, a);
    s.sockets.emplace(kUnixB, b);
    return s;
}

const Row* row(const LsReport& r, pid_t pid, const std::string& assoc) {
    const Row* found = nullptr;
    for (const auto& w : r.rows())
        if (w.process->pid == pid && LsReport::assoc(*w.file) == assoc) {
            EXPECT_EQ(found, nullptr) << "two rows for " << pid << "/" << assoc;
            found = &w;
        }
    return found;
}

std::string text(const std::vector<Endpoint>& eps) {
    std::string s;
    for (const auto& e : eps) {
        if (!s.empty()) s += ' ';
        s += std::to_string(e.pid) + "," + std::string(e.command) + "," + e.assoc + "," + std::string(mode_name(e.mode));
    }
    return s;
}

std::vector<std::string> row_keys(const LsReport& r) {
    std::vector<std::string> out;
    for (const auto& w : r.rows()) out.push_back(std::to_string(w.process->pid) + "/" + LsReport::assoc(*w.file));
    return out;
}

}  // namespace

TEST(LsReport, RowsInSnapshotOrderAndPartialProcessesSkipped) {
    Snapshot snap = sample();
    LsReport r(snap, LsFilter{});
    EXPECT_EQ(row_keys(r), (std::vector<std::string>{
                               "100/0", "100/1", "100/5", "100/7", "100/8", "100/cwd",
                               "200/3", "200/4", "200/8", "200/9", "200/cwd",
                               "400/0", "400/0", "400/1", "400/cwd",
                               "500/0", "500/cwd",
                               "600/3", "600/4"}));
    for (const auto& w : r.rows()) {
        EXPECT_NE(w.process->pid, 300);
    }
    EXPECT_EQ(&r.snapshot(), &snap);
}

TEST(LsReport, FilterApplies) {
    Snapshot snap = sample();
    LsFilter f;
    f.kinds = {Kind::Pipe};
    LsReport r(snap, f);
    EXPECT_EQ(row_keys(r), (std::vector<std::string>{"100/1", "200/3", "600/3", "600/4"}));
    LsFilter by_cmd;
    by_cmd.command = std::regex("^read");
    EXPECT_EQ(row_keys(LsReport(snap, by_cmd)),
              (std::vector<std::string>{"200/3", "200/4", "200/8", "200/9", "200/cwd"}));
    LsFilter partial_only;
    partial_only.command = std::regex("partial");
    EXPECT_TRUE(LsReport(snap, partial_only).rows().empty());
}

TEST(LsReport, PipeEndpointsNameTheOtherEnds) {
    Snapshot snap = sample();
    LsReport r(snap, LsFilter{});
    const Row* w = row(r, 100, "1");
    const Row* rd = row(r, 200, "3");
    ASSERT_TRUE(w && rd);
    EXPECT_TRUE(r.has_endpoints(*w->file));
    // The partial process is no row but still holds the pipe.
    EXPECT_EQ(text(r.endpoints(*w)), "200,reader,3,r 300,partial,9,r");
    EXPECT_EQ(text(r.endpoints(*rd)), "100,writer,1,w 300,partial,9,r");
}

TEST(LsReport, BothEndsInOneProcess) {
    Snapshot snap = sample();
    LsReport r(snap, LsFilter{});
    EXPECT_EQ(text(r.endpoints(*row(r, 600, "3"))), "600,selfpipe,4,w");
    EXPECT_EQ(text(r.endpoints(*row(r, 600, "4"))), "600,selfpipe,3,r");
}

TEST(LsReport, UnixSocketpairThroughPeerInode) {
    Snapshot snap = sample();
    LsReport r(snap, LsFilter{});
    const Row* a = row(r, 100, "5");
    const Row* b = row(r, 200, "4");
    ASSERT_TRUE(a && b);
    ASSERT_NE(r.socket(*a->file), nullptr);
    EXPECT_EQ(r.socket(*a->file)->peer_inode, kUnixB);
    EXPECT_EQ(text(r.endpoints(*a)), "200,reader,4,rw");
    EXPECT_EQ(text(r.endpoints(*b)), "100,writer,5,rw");
}

TEST(LsReport, UnixWithoutSocketInfoHasOnlySameInodeHolders) {
    Snapshot snap;
    {
        Process p = make_process(10, "parent");
        add_table(p, 10, true).fds.push_back(make_file(p, 3, Kind::Unix, {}, 4242, Mode::ReadWrite));
        snap.processes.push_back(std::move(p));
    }
    {
        Process p = make_process(11, "child");  // inherited the same socket over fork
        add_table(p, 11, true).fds.push_back(make_file(p, 3, Kind::Unix, {}, 4242, Mode::ReadWrite));
        snap.processes.push_back(std::move(p));
    }
    LsReport r(snap, LsFilter{});
    ASSERT_EQ(r.rows().size(), 2u);
    EXPECT_EQ(r.socket(*r.rows()[0].file), nullptr);
    EXPECT_EQ(text(r.endpoints(r.rows()[0])), "11,child,3,rw");
    EXPECT_EQ(text(r.endpoints(r.rows()[1])), "10,parent,3,rw");
}

TEST(LsReport, EventfdEndpointsById) {
    Snapshot snap = sample();
    LsReport r(snap, LsFilter{});
    const Row* a = row(r, 100, "7");
    const Row* b = row(r, 200, "8");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(text(r.endpoints(*a)), "200,reader,8,rw");
    EXPECT_EQ(text(r.endpoints(*b)), "100,writer,7,rw");
}

TEST(LsReport, EventfdWithoutIdHasNoEndpoints) {
    Snapshot snap;
    Process p = make_process(10, "x");
    auto& t = add_table(p, 10, true);
    t.fds.push_back(make_file(p, 3, Kind::Eventfd, "anon_inode:[eventfd]", 9));
    t.fds.push_back(make_file(p, 4, Kind::Eventfd, "anon_inode:[eventfd]", 9));
    snap.processes.push_back(std::move(p));
    LsReport r(snap, LsFilter{});
    ASSERT_EQ(r.rows().size(), 2u);
    EXPECT_FALSE(r.has_endpoints(*r.rows()[0].file));
    EXPECT_TRUE(r.endpoints(r.rows()[0]).empty());
}

TEST(LsReport, FifoEndpointsNeedTheSameDevice) {
    Snapshot snap = sample();
    LsReport r(snap, LsFilter{});
    const Row* a = row(r, 100, "8");
    ASSERT_NE(a, nullptr);
    EXPECT_TRUE(r.has_endpoints(*a->file));
    EXPECT_TRUE(r.endpoints(*a).empty());
}

TEST(LsReport, KindsWithoutEndpoints) {
    Snapshot snap = sample();
    LsReport r(snap, LsFilter{});
    const Row* null = row(r, 100, "0");
    const Row* cwd = row(r, 100, "cwd");
    ASSERT_TRUE(null && cwd);
    EXPECT_FALSE(r.has_endpoints(*null->file));
    EXPECT_TRUE(r.endpoints(*null).empty());
    EXPECT_FALSE(r.has_endpoints(*cwd->file));
    EXPECT_TRUE(r.endpoints(*cwd).empty());
    EXPECT_EQ(r.socket(*null->file), nullptr);
}

TEST(LsReport, TidAndTable) {
    Snapshot snap = sample();
    LsReport r(snap, LsFilter{});
    std::vector<const Row*> threads;
    for (const auto& w : r.rows())
        if (w.process->pid == 400) threads.push_back(&w);
    ASSERT_EQ(threads.size(), 4u);  // leader fd0, thread fd0, thread fd1, cwd
    EXPECT_EQ(LsReport::tid(*threads[0]), 400);
    EXPECT_EQ(LsReport::tid(*threads[1]), 401);
    EXPECT_EQ(LsReport::tid(*threads[2]), 401);
    EXPECT_EQ(LsReport::tid(*threads[3]), 400);  // associations: through the leader
    ASSERT_NE(LsReport::table_of(*threads[1]), nullptr);
    EXPECT_FALSE(LsReport::table_of(*threads[1])->leader);
    EXPECT_TRUE(LsReport::table_of(*threads[0])->leader);
    EXPECT_EQ(LsReport::table_of(*threads[3]), nullptr);

    const Row* z0 = row(r, 500, "0");
    const Row* zcwd = row(r, 500, "cwd");
    ASSERT_TRUE(z0 && zcwd);
    EXPECT_EQ(LsReport::tid(*z0), 502);
    EXPECT_EQ(LsReport::tid(*zcwd), 502);  // leader exited: the first live thread
    EXPECT_EQ(LsReport::tid(*row(r, 100, "cwd")), 100);
}

TEST(LsReport, AssocStrings) {
    Process p = make_process(1, "x");
    EXPECT_EQ(LsReport::assoc(make_file(p, 0, Kind::Chr, "/dev/null")), "0");
    EXPECT_EQ(LsReport::assoc(make_file(p, 1048575, Kind::File, "/x")), "1048575");
    EXPECT_EQ(LsReport::assoc(make_assoc(p, Assoc::Cwd, "/")), "cwd");
    EXPECT_EQ(LsReport::assoc(make_assoc(p, Assoc::Rtd, "/")), "rtd");
    EXPECT_EQ(LsReport::assoc(make_assoc(p, Assoc::Exe, "/bin/x", Kind::File)), "exe");
    EXPECT_EQ(LsReport::assoc(make_assoc(p, Assoc::Mem, "/lib/x.so", Kind::File)), "mem");
    EXPECT_EQ(LsReport::assoc(make_assoc(p, Assoc::Shm, "/SYSV00000000", Kind::File)), "shm");
}

TEST(LsReport, SocketLookupOnlyForSocketKinds) {
    Snapshot snap;
    SocketInfo tcp = make_socket(Kind::Tcp, "LISTEN", "0.0.0.0:80", "");
    snap.sockets.emplace(123, tcp);
    Process p = make_process(1, "x");
    auto sock = make_file(p, 3, Kind::Tcp, {}, 123, Mode::ReadWrite);
    auto file = make_file(p, 4, Kind::File, "/x", 123);  // same inode number, not a socket
    auto unknown = make_file(p, 5, Kind::Tcp, {}, 124, Mode::ReadWrite);
    LsReport r(snap, LsFilter{});
    ASSERT_NE(r.socket(sock), nullptr);
    EXPECT_EQ(r.socket(sock)->local, "0.0.0.0:80");
    EXPECT_EQ(r.socket(file), nullptr);
    EXPECT_EQ(r.socket(unknown), nullptr);
}

TEST(LsReport, InetFilterUsesSnapshotSockets) {
    Snapshot snap;
    snap.sockets.emplace(1, make_socket(Kind::Tcp, "LISTEN", "0.0.0.0:80", ""));
    snap.sockets.emplace(2, make_socket(Kind::Tcp, "LISTEN", "0.0.0.0:443", ""));
    Process p = make_process(10, "web");
    auto& t = add_table(p, 10, true);
    t.fds.push_back(make_file(p, 3, Kind::Tcp, {}, 1, Mode::ReadWrite));
    t.fds.push_back(make_file(p, 4, Kind::Tcp, {}, 2, Mode::ReadWrite));
    snap.processes.push_back(std::move(p));
    LsFilter f;
    std::string err;
    f.inet = parse_inet_filter(":443", err);
    ASSERT_TRUE(f.inet);
    EXPECT_EQ(row_keys(LsReport(snap, f)), (std::vector<std::string>{"10/4"}));
}
