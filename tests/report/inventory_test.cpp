// The drill-down's inventory on hand-built snapshots: which group an fd
// falls in, counting a process's fds per group, the difference between two
// inventories and how it reads.
#include "report/inventory.hpp"

#include <gtest/gtest.h>
#include <string>
#include <tuple>
#include <vector>

#include "model_builders.hpp"

namespace fdscope::report {
namespace {

using testing::add_table;
using testing::make_assoc;
using testing::make_file;
using testing::make_process;
using testing::make_socket;

OpenFile file_of(Kind kind, std::string_view name = {}, bool deleted = false) {
    OpenFile f;
    f.fd = 3;
    f.kind = kind;
    f.name = name;  // a literal: outlives the test
    f.deleted = deleted;
    return f;
}

std::vector<std::tuple<std::string, std::string, std::int64_t>> flat(const std::vector<FdGroup>& gs) {
    std::vector<std::tuple<std::string, std::string, std::int64_t>> out;
    for (const auto& g : gs) out.emplace_back(g.kind, g.name, g.count);
    return out;
}

TEST(InventoryGroupName, ConnectedSocketIsItsPeerAndState) {
    const OpenFile f = file_of(Kind::Tcp);
    const SocketInfo s = make_socket(Kind::Tcp, "CLOSE-WAIT", "10.0.0.1:40312", "10.0.0.5:5432");
    EXPECT_EQ(group_name(f, &s), "-> 10.0.0.5:5432 (CLOSE-WAIT)");
    // Another fd to the same peer from another local port: the same group.
    const SocketInfo s2 = make_socket(Kind::Tcp, "CLOSE-WAIT", "10.0.0.1:40313", "10.0.0.5:5432");
    EXPECT_EQ(group_name(f, &s2), group_name(f, &s));
    const OpenFile f6 = file_of(Kind::Tcp6);
    const SocketInfo v6 = make_socket(Kind::Tcp6, "ESTAB", "[::1]:5000", "[::1]:22");
    EXPECT_EQ(group_name(f6, &v6), "-> [::1]:22 (ESTAB)");
    const SocketInfo stateless = make_socket(Kind::Tcp, "", "10.0.0.1:1", "10.0.0.9:80");
    EXPECT_EQ(group_name(f, &stateless), "-> 10.0.0.9:80");
}

TEST(InventoryGroupName, ListeningOrUnconnectedSocketIsItsLocalAddress) {
    const OpenFile f = file_of(Kind::Tcp);
    const SocketInfo listen = make_socket(Kind::Tcp, "LISTEN", "0.0.0.0:8080", "");
    EXPECT_EQ(group_name(f, &listen), "0.0.0.0:8080 (LISTEN)");
    const SocketInfo zero_port = make_socket(Kind::Tcp, "LISTEN", "0.0.0.0:8080", "0.0.0.0:0");
    EXPECT_EQ(group_name(f, &zero_port), "0.0.0.0:8080 (LISTEN)");
    const SocketInfo star = make_socket(Kind::Tcp, "LISTEN", "[::]:443", "*:*");
    EXPECT_EQ(group_name(file_of(Kind::Tcp6), &star), "[::]:443 (LISTEN)");
    const SocketInfo udp = make_socket(Kind::Udp, "UNCONN", "0.0.0.0:53", "");
    EXPECT_EQ(group_name(file_of(Kind::Udp), &udp), "0.0.0.0:53 (UNCONN)");
}

TEST(InventoryGroupName, UnixSocketIsItsLocalNameUnnamedOnesAreOneGroup) {
    const OpenFile f = file_of(Kind::Unix);
    const SocketInfo unnamed = make_socket(Kind::Unix, "ESTAB", "", "");
    EXPECT_EQ(group_name(f, &unnamed), "(ESTAB)");
    const SocketInfo unnamed_peer = make_socket(Kind::Unix, "ESTAB", "", "/run/other.sock");
    EXPECT_EQ(group_name(f, &unnamed_peer), "(ESTAB)") << "a UNIX socket is never grouped by its peer";
    const SocketInfo named = make_socket(Kind::Unix, "LISTEN", "/run/app.sock", "");
    EXPECT_EQ(group_name(f, &named), "/run/app.sock (LISTEN)");
    const SocketInfo bare = make_socket(Kind::Unix, "", "", "");
    EXPECT_EQ(group_name(f, &bare), "");
}

TEST(InventoryGroupName, PipesAndUnknownSocketsHaveNoName) {
    EXPECT_EQ(group_name(file_of(Kind::Pipe, "pipe:[12345]"), nullptr), "");
    EXPECT_EQ(group_name(file_of(Kind::Pipe), nullptr), "");
    EXPECT_EQ(group_name(file_of(Kind::Tcp, "socket:[777]"), nullptr), "") << "no socket info: no name";
    EXPECT_EQ(group_name(file_of(Kind::Socket), nullptr), "");
}

TEST(InventoryGroupName, FileIsItsPathDeletedFilesSaySo) {
    EXPECT_EQ(group_name(file_of(Kind::File, "/var/log/app.log"), nullptr), "/var/log/app.log");
    EXPECT_EQ(group_name(file_of(Kind::File, "/tmp/scratch", true), nullptr), "/tmp/scratch (deleted)");
    EXPECT_EQ(group_name(file_of(Kind::Chr, "/dev/null"), nullptr), "/dev/null");
    EXPECT_EQ(group_name(file_of(Kind::Eventfd, "anon_inode:[eventfd]"), nullptr), "anon_inode:[eventfd]");
}

Snapshot app_snapshot() {
    Snapshot s;
    {
        Process p = make_process(500, "app");
        FdTable& t = add_table(p, 500, true);
        t.fds.push_back(make_file(p, 0, Kind::Chr, "/dev/null", 5));
        for (int fd = 3; fd <= 5; ++fd) t.fds.push_back(make_file(p, fd, Kind::File, "/var/log/app.log", 6));
        t.fds.push_back(make_file(p, 6, Kind::File, "/etc/passwd", 7));
        t.fds.push_back(make_file(p, 7, Kind::Pipe, "", 9001));
        t.fds.push_back(make_file(p, 8, Kind::Pipe, "", 9002));
        t.fds.push_back(make_file(p, 9, Kind::Tcp, "", 7001));
        t.fds.push_back(make_file(p, 10, Kind::Tcp, "", 7002));
        t.fds.push_back(make_file(p, 11, Kind::Tcp, "", 7003));
        t.fds.push_back(make_file(p, 12, Kind::Unix, "", 7004));
        OpenFile gone = make_file(p, 13, Kind::File, "/tmp/scratch", 8);
        gone.deleted = true;
        t.fds.push_back(std::move(gone));
        // A thread with its own table (unshare(CLONE_FILES)): its fds count too.
        FdTable& u = add_table(p, 501, false);
        u.fds.push_back(make_file(p, 3, Kind::File, "/var/log/app.log", 6));
        p.assocs.push_back(make_assoc(p, Assoc::Cwd, "/srv"));  // not an fd
        OpenFile mem = make_assoc(p, Assoc::Mem, "/usr/lib/libc.so.6", Kind::File);
        p.assocs.push_back(std::move(mem));
        s.processes.push_back(std::move(p));
    }
    {
        Process q = make_process(600, "other");
        FdTable& t = add_table(q, 600, true);
        t.fds.push_back(make_file(q, 3, Kind::File, "/var/log/app.log", 6));
        t.fds.push_back(make_file(q, 4, Kind::Tcp, "", 7001));
        s.processes.push_back(std::move(q));
    }
    s.sockets[7001] = make_socket(Kind::Tcp, "CLOSE-WAIT", "10.0.0.1:40001", "10.0.0.5:5432");
    s.sockets[7002] = make_socket(Kind::Tcp, "CLOSE-WAIT", "10.0.0.1:40002", "10.0.0.5:5432");
    s.sockets[7003] = make_socket(Kind::Tcp, "LISTEN", "0.0.0.0:8080", "");
    s.sockets[7004] = make_socket(Kind::Unix, "ESTAB", "", "");
    return s;
}

TEST(InventoryOf, CountsEveryFdOfTheProcessByGroup) {
    const Snapshot s = app_snapshot();
    const Inventory inv = inventory_of(s, 500);
    const Inventory expected = {
        {{"chr", "/dev/null"}, 1},
        {{"file", "/var/log/app.log"}, 4},
        {{"file", "/etc/passwd"}, 1},
        {{"file", "/tmp/scratch (deleted)"}, 1},
        {{"pipe", ""}, 2},
        {{"tcp", "-> 10.0.0.5:5432 (CLOSE-WAIT)"}, 2},
        {{"tcp", "0.0.0.0:8080 (LISTEN)"}, 1},
        {{"unix", "(ESTAB)"}, 1},
    };
    EXPECT_EQ(inv, expected);
    std::uint64_t total = 0;
    for (const auto& [key, n] : inv) total += n;
    EXPECT_EQ(total, s.processes[0].fd_count());
}

TEST(InventoryOf, OnlyThatProcessAndEmptyForAnUnknownPid) {
    const Snapshot s = app_snapshot();
    const Inventory other = inventory_of(s, 600);
    const Inventory expected = {
        {{"file", "/var/log/app.log"}, 1},
        {{"tcp", "-> 10.0.0.5:5432 (CLOSE-WAIT)"}, 1},
    };
    EXPECT_EQ(other, expected);
    EXPECT_TRUE(inventory_of(s, 4242).empty());
    EXPECT_TRUE(inventory_of(Snapshot{}, 500).empty());
}

TEST(InventoryDiff, LargestGrowthFirstNegativesLastZeroOmitted) {
    const Inventory before = {
        {{"file", "/a"}, 10},
        {{"file", "/b"}, 5},
        {{"tcp", "-> 10.0.0.5:5432 (CLOSE-WAIT)"}, 3},
        {{"pipe", ""}, 2},
        {{"unix", "(ESTAB)"}, 4},
    };
    const Inventory now = {
        {{"file", "/a"}, 210},
        {{"file", "/b"}, 5},
        {{"tcp", "-> 10.0.0.5:5432 (CLOSE-WAIT)"}, 315},
        {{"pipe", ""}, 1},
        {{"eventfd", "anon_inode:[eventfd]"}, 7},
    };
    using G = std::tuple<std::string, std::string, std::int64_t>;
    EXPECT_EQ(flat(inventory_diff(before, now)), (std::vector<G>{
                                                     {"tcp", "-> 10.0.0.5:5432 (CLOSE-WAIT)", 312},
                                                     {"file", "/a", 200},
                                                     {"eventfd", "anon_inode:[eventfd]", 7},
                                                     {"pipe", "", -1},
                                                     {"unix", "(ESTAB)", -4},
                                                 }));
}

TEST(InventoryDiff, IdenticalIsEmptyFromNothingIsAllGrowthToNothingAllLoss) {
    const Inventory inv = {{{"file", "/a"}, 3}, {{"pipe", ""}, 8}};
    EXPECT_TRUE(inventory_diff(inv, inv).empty());
    using G = std::tuple<std::string, std::string, std::int64_t>;
    EXPECT_EQ(flat(inventory_diff({}, inv)), (std::vector<G>{{"pipe", "", 8}, {"file", "/a", 3}}));
    EXPECT_EQ(flat(inventory_diff(inv, {})), (std::vector<G>{{"file", "/a", -3}, {"pipe", "", -8}}));
    EXPECT_TRUE(inventory_diff({}, {}).empty());
}

TEST(InventoryKinds, SumsPerKindMostFirst) {
    const Inventory inv = {
        {{"file", "/a"}, 3},
        {{"file", "/b"}, 2},
        {{"tcp", "-> x:1 (ESTAB)"}, 4},
        {{"pipe", ""}, 1},
    };
    using G = std::tuple<std::string, std::string, std::int64_t>;
    EXPECT_EQ(flat(kinds_of(inv)), (std::vector<G>{{"file", "", 5}, {"tcp", "", 4}, {"pipe", "", 1}}));
    EXPECT_TRUE(kinds_of({}).empty());
    EXPECT_EQ(flat(kinds_of(inventory_of(app_snapshot(), 500))),
              (std::vector<G>{{"file", "", 6}, {"tcp", "", 3}, {"pipe", "", 2}, {"chr", "", 1}, {"unix", "", 1}}));
}

TEST(InventoryDescribe, SignedCountKindAndName) {
    EXPECT_EQ(describe_group({"tcp", "-> 10.0.0.5:5432 (CLOSE-WAIT)", 312}), "+312 tcp -> 10.0.0.5:5432 (CLOSE-WAIT)");
    EXPECT_EQ(describe_group({"file", "/var/log/app.log", 200}), "+200 file /var/log/app.log");
    EXPECT_EQ(describe_group({"pipe", "", -3}), "-3 pipe");
    EXPECT_EQ(describe_group({"file", "/x", -1}), "-1 file /x");
    EXPECT_EQ(describe_group({"pipe", "", 2}), "+2 pipe");
    EXPECT_EQ(describe_group({"file", "/x", 0}), "0 file /x");
}

// Sites of new fds (a process running libfdscope-preload.so): per growing
// group, the fds made since the baseline, by creation site, most first.
TEST(NewSites, CountsTheGroupsNewFdsBySiteMostFirst) {
    Snapshot s;
    s.processes.push_back(make_process(700, "pooler"));
    Process& p = s.processes.back();
    FdTable& t = add_table(p, 700, true);
    for (int fd = 3; fd <= 9; ++fd) t.fds.push_back(make_file(p, fd, Kind::Pipe, "", 900U + static_cast<unsigned>(fd)));
    t.fds.push_back(make_file(p, 10, Kind::File, "/etc/hosts"));
    auto o = std::make_shared<ProcessOrigins>();
    o->pid = 700;
    o->table_tid = 700;
    o->found = true;
    o->stacks.resize(3);
    o->stacks[1].site = "db_connect (pool.c:88)";
    o->stacks[2].site = "retry (pool.c:120)";
    auto origin = [&](int fd, std::uint32_t stack, double time) {
        Origin x;
        x.fd = fd;
        x.stack = stack;
        x.time = time;
        o->fds.push_back(x);
    };
    origin(3, 1, 10);   // before the baseline: not new
    origin(4, 1, 100);
    origin(5, 1, 100);
    origin(6, 2, 100);
    origin(7, 1, 100);
    origin(8, 0, 100);  // no stack
    // fd 9: the library did not see it
    origin(10, 2, 100);  // a group that did not grow
    const std::vector<FdGroup> diff = {{"pipe", "", 6}, {"file", "/etc/hosts", 0}};
    const GroupSites sites = new_sites(s, 700, o, 50, diff);
    ASSERT_EQ(sites.size(), 1u);
    const auto& pipe = sites.at({"pipe", ""});
    ASSERT_EQ(pipe.size(), 3u);
    EXPECT_EQ(pipe[0].site, "db_connect (pool.c:88)");
    EXPECT_EQ(pipe[0].count, 3u);
    EXPECT_EQ(pipe[1].count, 1u);
    EXPECT_EQ(pipe[2].count, 1u);
    EXPECT_EQ(describe_sites({pipe[0]}), " from db_connect (pool.c:88)");
    EXPECT_EQ(describe_sites(pipe).substr(0, 31), " from db_connect (pool.c:88) 3,");
    EXPECT_EQ(describe_sites({}), "");
    EXPECT_TRUE(new_sites(s, 700, nullptr, 50, diff).empty());
    EXPECT_EQ(new_sites(s, 700, o, 1000, diff).at({"pipe", ""}).size(), 0u);  // nothing new since then
}

}  // namespace
}  // namespace fdscope::report
