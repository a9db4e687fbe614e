// The kernel situations fdscope exists for, each built for real by a
// fixture, checked exactly: description identity, threads, endpoints,
// namespaces.
#include <gtest/gtest.h>
#include <csignal>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect/snapshot_helpers.hpp"
#include "report/ls.hpp"
#include "support/support.hpp"

namespace fdscope::test {
namespace {

TEST(Identity, DupStormIsOneDescription) {
    Fixture fx("dup_storm", {"2000"});
    pid_t pid = fx.facts()["pid"];
    Snapshot s = scan_pids({pid});
    ASSERT_TRUE(s.ids_exact);
    const Process* p = find_process(s, pid);
    ASSERT_NE(p, nullptr);
    const OpenFile* first = find_fd(*p, fx.facts()["fd"].get<int>());
    ASSERT_NE(first, nullptr);
    int same = 0;
    for (int fd : fx.facts()["fds"]) {
        const OpenFile* f = find_fd(*p, fd);
        ASSERT_NE(f, nullptr) << fd;
        EXPECT_EQ(f->description, first->description) << fd;
        ++same;
    }
    EXPECT_EQ(same, 2001);
    // Nothing else in the process shares it.
    for (const auto& t : p->tables)
        for (const auto& f : t.fds)
            if (f.inode != first->inode) {
                EXPECT_NE(f.description, first->description) << f.fd;
            }
}

TEST(Identity, ForkSharedFdsShareDescriptionsAcrossProcesses) {
    Fixture fx("fork_shared", {"3"});
    pid_t pid = fx.facts()["pid"];
    std::vector<pid_t> pids{pid};
    for (pid_t c : fx.facts()["children"]) pids.push_back(c);
    Snapshot s = scan_pids(pids);
    const int file_fd = fx.facts()["file"]["fd"], rfd = fx.facts()["pipe"]["read_fd"], wfd = fx.facts()["pipe"]["write_fd"];
    const Process* parent = find_process(s, pid);
    ASSERT_NE(parent, nullptr);
    auto desc = [&](const Process& p, int fd) {
        const OpenFile* f = find_fd(p, fd);
        EXPECT_NE(f, nullptr) << p.pid << " fd " << fd;
        return f ? f->description : kNoDescription;
    };
    for (pid_t c : fx.facts()["children"]) {
        const Process* child = find_process(s, c);
        ASSERT_NE(child, nullptr);
        EXPECT_EQ(desc(*child, file_fd), desc(*parent, file_fd));
        EXPECT_EQ(desc(*child, rfd), desc(*parent, rfd));
        EXPECT_EQ(desc(*child, wfd), desc(*parent, wfd));
    }
    // The two ends of one pipe are two descriptions.
    EXPECT_NE(desc(*parent, rfd), desc(*parent, wfd));
}

TEST(Identity, SeparateOpensOfOneFileAreSeparateDescriptions) {
    // Each fork_shared child is a separate process but the file was opened
    // once; a second dup_storm opens its own file. Two fixtures opening
    // /dev/null (fd 0 of each is from the harness pipe) must not merge:
    // the harness gives each fixture its own stdin pipe.
    Fixture a("dup_storm", {"1"}), b("dup_storm", {"1"});
    Snapshot s = scan_pids({a.facts()["pid"], b.facts()["pid"]});
    const Process* pa = find_process(s, a.facts()["pid"]);
    const Process* pb = find_process(s, b.facts()["pid"]);
    ASSERT_TRUE(pa && pb);
    EXPECT_NE(find_fd(*pa, 0)->description, find_fd(*pb, 0)->description);
    EXPECT_NE(find_fd(*pa, a.facts()["fd"].get<int>())->description, find_fd(*pb, b.facts()["fd"].get<int>())->description);
}

TEST(Threads, ExitedLeaderFdsAreListedThroughTheWorker) {
    Fixture fx("exited_leader", {"1000"});
    pid_t pid = fx.facts()["pid"];
    pid_t worker = fx.facts()["worker_tid"];
    Snapshot s = scan_pids({pid});
    const Process* p = find_process(s, pid);
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(p->leader_exited);
    EXPECT_NE(p->netns, 0u) << "the namespace is read through the live thread too";
    ASSERT_EQ(p->tables.size(), 1u);
    EXPECT_EQ(p->tables[0].tid, worker);
    EXPECT_FALSE(p->tables[0].leader);
    for (const auto& fact : fx.facts()["fds"]) {
        const OpenFile* f = find_fd(*p, fact["fd"].get<int>());
        ASSERT_NE(f, nullptr) << fact.dump();
        EXPECT_EQ(kind_name(f->kind), fact["kind"].get<std::string>());
        EXPECT_EQ(f->inode, fact["inode"].get<std::uint64_t>());
    }
    EXPECT_GE(p->fd_count(), fx.facts()["count"].get<std::uint64_t>());
    // cwd and exe come through the live thread too.
    bool exe = false;
    for (const auto& a : p->assocs) exe = exe || (a.assoc == Assoc::Exe && a.name == fixture_path("exited_leader"));
    EXPECT_TRUE(exe);
}

TEST(Threads, UnsharedTableIsItsOwnTableAndSharedThreadsAreNotRepeated) {
    Fixture fx("unshared_table");
    pid_t pid = fx.facts()["pid"];
    pid_t unshared = fx.facts()["unshared_tid"], emptied = fx.facts()["emptied_tid"];
    Snapshot s = scan_pids({pid});
    const Process* p = find_process(s, pid);
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(p->tables.size(), 3u) << "leader's table + the two unshared ones; the sharing thread adds none";
    EXPECT_EQ(p->tables[0].tid, pid);
    EXPECT_EQ(p->tables[1].tid, std::min(unshared, emptied));
    EXPECT_EQ(p->tables[2].tid, std::max(unshared, emptied));
    const FdTable& empty = p->tables[1].tid == emptied ? p->tables[1] : p->tables[2];
    EXPECT_TRUE(empty.fds.empty()) << "the emptied thread closed every fd of its own table";
    for (const auto& e : fx.facts()["private"]) {
        EXPECT_NE(find_fd(*p, e["fd"].get<int>(), unshared), nullptr) << e.dump();
        const OpenFile* in_leader = find_fd(*p, e["fd"].get<int>(), pid);
        if (in_leader) {
            EXPECT_NE(in_leader->inode, e["inode"].get<std::uint64_t>()) << e.dump();
        }
    }
    for (const auto& e : fx.facts()["leader_only"]) {
        const OpenFile* f = find_fd(*p, e["fd"].get<int>(), pid);
        ASSERT_NE(f, nullptr) << e.dump();
        EXPECT_EQ(f->inode, e["inode"].get<std::uint64_t>());
    }
    // The fd both tables got from before the unshare: one description, two tables.
    int common = fx.facts()["common"]["fd"];
    const OpenFile* a = find_fd(*p, common, pid);
    const OpenFile* b = find_fd(*p, common, unshared);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->description, b->description);
}

TEST(Endpoints, PipeWriteEndHeldByAnotherProcess) {
    Fixture fx("pipe_holder");
    pid_t pid = fx.facts()["pid"], child = fx.facts()["child_pid"];
    // Only the reader is asked for: the writer is found by the endpoint search.
    Snapshot s = scan_pids({pid}, true);
    report::LsReport rep(s, report::LsFilter{});
    for (const auto& row : rep.rows()) {
        if (row.file->assoc != Assoc::Fd || row.file->fd != fx.facts()["read_fd"].get<int>()) continue;
        auto eps = rep.endpoints(row);
        ASSERT_EQ(eps.size(), 1u);
        EXPECT_EQ(eps[0].pid, child);
        EXPECT_EQ(eps[0].command, "sleep");
        EXPECT_EQ(eps[0].assoc, std::to_string(fx.facts()["write_fd_in_child"].get<int>()));
        EXPECT_EQ(eps[0].mode, Mode::Write);
        for (const auto& r2 : rep.rows()) EXPECT_EQ(r2.process->pid, pid) << "partial processes are not rows";
        return;
    }
    FAIL() << "read end not listed";
}

TEST(Endpoints, UnixSocketPairPeerInAnotherProcess) {
    Fixture fx("socketpair_peer");
    pid_t pid = fx.facts()["pid"], child = fx.facts()["child_pid"];
    Snapshot s = scan_pids({pid}, true);
    report::LsReport rep(s, report::LsFilter{});
    for (const auto& row : rep.rows()) {
        if (row.file->assoc != Assoc::Fd || row.file->fd != fx.facts()["parent_fd"].get<int>()) continue;
        EXPECT_EQ(row.file->kind, Kind::Unix);
        const SocketInfo* si = rep.socket(*row.file);
        ASSERT_NE(si, nullptr);
        EXPECT_EQ(si->peer_inode, fx.facts()["child_inode"].get<std::uint64_t>());
        auto eps = rep.endpoints(row);
        ASSERT_EQ(eps.size(), 1u);
        EXPECT_EQ(eps[0].pid, child);
        EXPECT_EQ(eps[0].assoc, std::to_string(fx.facts()["child_fd"].get<int>()));
        return;
    }
    FAIL() << "socket not listed";
}

TEST(Endpoints, FifoOpenedThroughAnotherPathIsFoundByInode) {
    // Two hard links name one FIFO: the endpoint search must match the
    // inode, not the path text (bind mounts and containers do the same).
    char dir[] = "/tmp/fdscope-test-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    std::string a = std::string(dir) + "/a", b = std::string(dir) + "/b";
    ASSERT_EQ(::mkfifo(a.c_str(), 0600), 0);
    ASSERT_EQ(::link(a.c_str(), b.c_str()), 0);
    int mine = ::open(a.c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(mine, 0);
    int ready[2];
    ASSERT_EQ(::pipe2(ready, O_CLOEXEC), 0);
    pid_t child = ::fork();
    if (child == 0) {
        int fd = ::open(b.c_str(), O_RDONLY);  // does not block: we hold a writer
        ::dup2(fd, 0);
        ::execlp("sleep", "sleep", "60", static_cast<char*>(nullptr));
        _exit(127);
    }
    ::close(ready[1]);
    char c;
    ASSERT_EQ(::read(ready[0], &c, 1), 0) << "EOF once the child has exec'd";
    ::close(ready[0]);
    Snapshot s = scan_pids({child}, true);
    report::LsReport rep(s, report::LsFilter{});
    bool found = false;
    for (const auto& row : rep.rows()) {
        if (row.file->fd != 0 || row.file->assoc != Assoc::Fd) continue;
        EXPECT_EQ(row.file->kind, Kind::Fifo);
        for (const auto& e : rep.endpoints(row)) found = found || (e.pid == ::getpid() && e.assoc == std::to_string(mine));
    }
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    ::close(mine);
    ::unlink(a.c_str());
    ::unlink(b.c_str());
    ::rmdir(dir);
    EXPECT_TRUE(found);
}

TEST(Scan, AThreadIdMeansItsProcess) {
    Fixture fx("unshared_table");
    pid_t pid = fx.facts()["pid"], tid = fx.facts()["shared_tid"];
    Snapshot s = scan_pids({tid});
    ASSERT_EQ(s.processes.size(), 1u);
    EXPECT_EQ(s.processes[0].pid, pid);
}

TEST(Sockets, InheritedListenerIsOneDescriptionInParentAndExecdChild) {
    Fixture fx("inherited_listener");
    pid_t pid = fx.facts()["pid"], child = fx.facts()["child_pid"];
    int fd = fx.facts()["fd"];
    Snapshot s = scan_pids({pid, child});
    const Process* p = find_process(s, pid);
    const Process* c = find_process(s, child);
    ASSERT_TRUE(p && c);
    EXPECT_EQ(c->comm, "sleep");
    const OpenFile* pf = find_fd(*p, fd);
    const OpenFile* cf = find_fd(*c, fd);
    ASSERT_TRUE(pf && cf);
    EXPECT_EQ(pf->kind, Kind::Tcp);
    EXPECT_FALSE(cf->cloexec);
    EXPECT_EQ(pf->inode, cf->inode);
    EXPECT_EQ(pf->description, cf->description);
    auto it = s.sockets.find(pf->inode);
    ASSERT_NE(it, s.sockets.end());
    EXPECT_EQ(it->second.state, "LISTEN");
    EXPECT_EQ(it->second.local, "127.0.0.1:" + std::to_string(fx.facts()["port"].get<int>()));
}

TEST(Sockets, OtherNetworkNamespaceIsRead) {
    if (!is_root()) GTEST_SKIP() << "unshare -n needs root";
    Fixture fx("netns_sockets", {}, {"unshare", "-n"});
    ASSERT_TRUE(fx.facts()["own_netns"].get<bool>());
    pid_t pid = fx.facts()["pid"];
    Snapshot s = scan_pids({pid});
    const Process* p = find_process(s, pid);
    ASSERT_NE(p, nullptr);
    const std::uint64_t ns = fx.facts()["netns_inode"];
    EXPECT_EQ(p->netns, ns);
    const OpenFile* tcp = find_fd(*p, fx.facts()["tcp"]["fd"].get<int>());
    ASSERT_NE(tcp, nullptr);
    EXPECT_EQ(tcp->kind, Kind::Tcp);
    auto it = s.sockets.find(tcp->inode);
    ASSERT_NE(it, s.sockets.end());
    EXPECT_EQ(it->second.netns, ns);
    EXPECT_EQ(it->second.state, "LISTEN");
    EXPECT_EQ(it->second.local, "127.0.0.1:" + std::to_string(fx.facts()["tcp"]["port"].get<int>()));
    const OpenFile* ux = find_fd(*p, fx.facts()["unix"]["fd"].get<int>());
    ASSERT_NE(ux, nullptr);
    EXPECT_EQ(ux->kind, Kind::Unix);
    EXPECT_EQ(s.sockets.at(ux->inode).local, fx.facts()["unix"]["name"].get<std::string>());
    const OpenFile* udp = find_fd(*p, fx.facts()["udp"]["fd"].get<int>());
    ASSERT_NE(udp, nullptr);
    EXPECT_EQ(udp->kind, Kind::Udp);
}

TEST(Files, DeletedButOpenWithItsSize) {
    Fixture fx("deleted_file", {"1048576"});
    pid_t pid = fx.facts()["pid"];
    Snapshot s = scan_pids({pid});
    const Process* p = find_process(s, pid);
    ASSERT_NE(p, nullptr);
    const OpenFile* f = find_fd(*p, fx.facts()["fd"].get<int>());
    ASSERT_NE(f, nullptr);
    EXPECT_TRUE(f->deleted);
    EXPECT_EQ(f->kind, Kind::File);
    EXPECT_EQ(f->size, 1048576u);
    EXPECT_EQ(f->name, fx.facts()["path"].get<std::string>());
}

TEST(Mappings, EverySysvAttachIsOneShmRow) {
    Fixture fx("shm_attach", {"7"});
    Snapshot s = scan_pids({fx.facts()["pid"]});
    const Process* p = find_process(s, fx.facts()["pid"]);
    ASSERT_NE(p, nullptr);
    std::set<std::uint64_t> starts;
    for (const auto& f : p->assocs)
        if (f.assoc == Assoc::Shm) {
            EXPECT_EQ(f.inode, fx.facts()["shmid"].get<std::uint64_t>());
            ASSERT_TRUE(f.range);
            starts.insert(f.range->start);
        }
    std::set<std::uint64_t> want;
    for (std::uint64_t a : fx.facts()["addrs"]) want.insert(a);
    EXPECT_EQ(starts, want);
    bool segment = false;
    for (const auto& seg : s.shm)
        if (seg.shmid == fx.facts()["shmid"].get<std::int64_t>()) {
            segment = true;
            EXPECT_EQ(seg.nattch, 7u);
        }
    EXPECT_TRUE(segment) << "/proc/sysvipc/shm lists the segment";
}

TEST(Mappings, FilesMappedAfterCloseAreMemRowsWithoutFds) {
    Fixture fx("mmap_after_close", {"5"});
    Snapshot s = scan_pids({fx.facts()["pid"]});
    const Process* p = find_process(s, fx.facts()["pid"]);
    ASSERT_NE(p, nullptr);
    for (const auto& file : fx.facts()["files"]) {
        const std::uint64_t ino = file["inode"];
        bool mapped = false;
        for (const auto& f : p->assocs)
            if (f.assoc == Assoc::Mem && f.inode == ino) {
                mapped = true;
                EXPECT_EQ(f.name, file["path"].get<std::string>());
                EXPECT_EQ(f.range->start, file["addr"].get<std::uint64_t>());
            }
        EXPECT_TRUE(mapped) << file.dump();
        for (const auto& t : p->tables)
            for (const auto& f : t.fds) EXPECT_NE(f.inode, ino) << "no fd holds it";
    }
}

TEST(Limits, RlimitNofileIsRead) {
    Fixture fx("fd_limit", {"200", "85"});
    Snapshot s = scan_pids({fx.facts()["pid"]});
    const Process* p = find_process(s, fx.facts()["pid"]);
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(p->nofile.known);
    EXPECT_EQ(p->nofile.soft, 200u);
    EXPECT_EQ(p->fd_count(), fx.facts()["open_count"].get<std::uint64_t>());
}

TEST(Scan, AllProcessesWithoutFilterIncludesFixtures) {
    Fixture fx("dup_storm", {"10"});
    collect::ScanOptions o;
    Snapshot s = collect::scan(o);
    EXPECT_NE(find_process(s, fx.facts()["pid"]), nullptr);
    EXPECT_NE(find_process(s, getpid()), nullptr);
    EXPECT_GT(s.file_nr.max, 0u);
    EXPECT_GT(s.nr_open, 0u);
    EXPECT_FALSE(s.mounts.empty());
}

}  // namespace
}  // namespace fdscope::test
