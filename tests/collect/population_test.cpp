// One process holding one fd of every kind: fdscope's view of each must
// match what the fixture created (fstat/fcntl facts it reported).
#include <gtest/gtest.h>
#include <sys/sysmacros.h>

#include "collect/snapshot_helpers.hpp"
#include "report/ls.hpp"
#include "support/support.hpp"

namespace fdscope::test {
namespace {

class PopulationTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        fixture_ = new Fixture("population");
        snap_ = new Snapshot(scan_pids({fixture_->facts()["pid"].get<pid_t>()}, true));
    }
    static void TearDownTestSuite() {
        delete snap_;
        delete fixture_;
    }
    const Process& proc() {
        const Process* p = find_process(*snap_, fixture_->facts()["pid"].get<pid_t>());
        EXPECT_NE(p, nullptr);
        return *p;
    }
    const nlohmann::json* role(const std::string& r) {
        for (const auto& f : fixture_->facts()["fds"])
            if (f["role"] == r) return &f;
        return nullptr;
    }
    static Fixture* fixture_;
    static Snapshot* snap_;
};
Fixture* PopulationTest::fixture_ = nullptr;
Snapshot* PopulationTest::snap_ = nullptr;

TEST_F(PopulationTest, EveryFdHasTheFixturesKindInodeModePosAndCloexec) {
    const Process& p = proc();
    int checked = 0;
    for (const auto& fact : fixture_->facts()["fds"]) {
        SCOPED_TRACE(fact.dump());
        const OpenFile* f = find_fd(p, fact["fd"].get<int>());
        ASSERT_NE(f, nullptr);
        EXPECT_EQ(kind_name(f->kind), fact["kind"].get<std::string>());
        EXPECT_EQ(f->inode, fact["inode"].get<std::uint64_t>());
        EXPECT_EQ(mode_name(f->mode), fact["mode"].get<std::string>());
        EXPECT_EQ(f->pos, fact["pos"].get<std::uint64_t>());
        EXPECT_EQ(f->cloexec, fact["cloexec"].get<bool>());
        EXPECT_EQ(f->flags & ~static_cast<std::uint32_t>(02000000), fact["flags"].get<std::uint32_t>() & ~02000000u);
        if (fact.contains("name") && !is_socket(f->kind)) {  // a socket's path is its `local`
            EXPECT_EQ(f->name, fact["name"].get<std::string>());
        }
        EXPECT_NE(f->description, kNoDescription);
        ++checked;
    }
    EXPECT_GE(checked, 30) << "the fixture should build at least 30 kinds here";
}

TEST_F(PopulationTest, DeletedFileIsMarkedWithItsSize) {
    const auto* fact = role("deleted");
    ASSERT_NE(fact, nullptr);
    const OpenFile* f = find_fd(proc(), (*fact)["fd"].get<int>());
    ASSERT_NE(f, nullptr);
    EXPECT_TRUE(f->deleted);
    EXPECT_EQ(f->size, (*fact)["size"].get<std::uint64_t>());
    EXPECT_EQ(f->name, (*fact)["name"].get<std::string>());
}

TEST_F(PopulationTest, OddNameKeepsItsBytes) {
    const auto* fact = role("odd_name");
    ASSERT_NE(fact, nullptr);
    std::string bytes;
    for (int b : (*fact)["name_bytes"]) bytes += static_cast<char>(b);
    const OpenFile* f = find_fd(proc(), (*fact)["fd"].get<int>());
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->name, bytes);
}

TEST_F(PopulationTest, FdinfoDetails) {
    const Process& p = proc();
    if (auto* e = role("eventfd")) {
        const OpenFile* f = find_fd(p, (*e)["fd"].get<int>());
        ASSERT_TRUE(f && f->detail);
        EXPECT_EQ(f->detail->eventfd_count, (*e)["eventfd_count"].get<std::int64_t>());
    }
    if (auto* e = role("epoll")) {
        const OpenFile* f = find_fd(p, (*e)["fd"].get<int>());
        ASSERT_TRUE(f && f->detail);
        std::vector<int> tfds;
        for (const auto& t : f->detail->epoll_targets) tfds.push_back(t.tfd);
        std::sort(tfds.begin(), tfds.end());
        EXPECT_EQ(tfds, (*e)["epoll_targets"].get<std::vector<int>>());
    }
    if (auto* e = role("signalfd")) {
        const OpenFile* f = find_fd(p, (*e)["fd"].get<int>());
        ASSERT_TRUE(f && f->detail);
        EXPECT_EQ(f->detail->signalfd_mask, (*e)["signalfd_mask"].get<std::int64_t>());
    }
    if (auto* e = role("timerfd")) {
        const OpenFile* f = find_fd(p, (*e)["fd"].get<int>());
        ASSERT_TRUE(f && f->detail);
        EXPECT_EQ(f->detail->timerfd_clockid, (*e)["timerfd_clockid"].get<int>());
    }
    if (auto* e = role("pidfd")) {
        const OpenFile* f = find_fd(p, (*e)["fd"].get<int>());
        ASSERT_TRUE(f && f->detail);
        EXPECT_EQ(f->detail->pidfd_pid, (*e)["pidfd_pid"].get<int>());
    }
    if (auto* e = role("inotify")) {
        const OpenFile* f = find_fd(p, (*e)["fd"].get<int>());
        ASSERT_TRUE(f && f->detail);
        ASSERT_EQ(f->detail->inotify_watches.size(), 1u);
        EXPECT_EQ(f->detail->inotify_watches[0].inode, (*e)["inotify_target_inode"].get<std::uint64_t>());
    }
}

TEST_F(PopulationTest, SocketsCarryStateAddressesBacklogAndPeers) {
    const Process& p = proc();
    report::LsReport rep(*snap_, report::LsFilter{});
    auto sock = [&](const char* r) -> const SocketInfo* {
        const auto* fact = role(r);
        if (!fact) return nullptr;
        const OpenFile* f = find_fd(p, (*fact)["fd"].get<int>());
        return f ? rep.socket(*f) : nullptr;
    };
    const auto* listen = sock("tcp_listen");
    ASSERT_NE(listen, nullptr);
    EXPECT_EQ(listen->state, "LISTEN");
    EXPECT_EQ(listen->local, "127.0.0.1:" + std::to_string((*role("tcp_listen"))["port"].get<int>()));
    EXPECT_EQ(listen->wqueue, 5u);
    const auto* client = sock("tcp_client");
    ASSERT_NE(client, nullptr);
    EXPECT_EQ(client->state, "ESTAB");
    EXPECT_EQ(client->remote, listen->local);
    const auto* l6 = sock("tcp6_listen");
    ASSERT_NE(l6, nullptr);
    EXPECT_EQ(l6->local, "[::1]:" + std::to_string((*role("tcp6_listen"))["port"].get<int>()));
    const auto* a = sock("unix_pair_a");
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->peer_inode, (*role("unix_pair_b"))["inode"].get<std::uint64_t>());
    const auto* ul = sock("unix_listen");
    ASSERT_NE(ul, nullptr);
    EXPECT_EQ(ul->local, (*role("unix_listen"))["name"].get<std::string>());
    EXPECT_EQ(ul->state, "LISTEN");
    for (const auto* r : {"netlink", "packet", "udp", "udp6"}) {
        if (!role(r)) continue;
        SCOPED_TRACE(r);
        EXPECT_NE(sock(r), nullptr);
    }
}

TEST_F(PopulationTest, MappedAfterCloseAndShmAttachAreListed) {
    const Process& p = proc();
    const auto& mapped = fixture_->facts()["mapped_after_close"];
    bool found_map = false, found_shm = false;
    for (const auto& f : p.assocs) {
        if (f.assoc == Assoc::Mem && f.inode == mapped["inode"].get<std::uint64_t>()) {
            found_map = true;
            ASSERT_TRUE(f.range);
            EXPECT_EQ(f.range->start, mapped["addr"].get<std::uint64_t>());
            EXPECT_EQ(f.name, mapped["path"].get<std::string>());
        }
        if (f.assoc == Assoc::Shm && f.inode == fixture_->facts()["shm"]["shmid"].get<std::uint64_t>()) found_shm = true;
    }
    EXPECT_TRUE(found_map);
    EXPECT_TRUE(found_shm);
    bool cwd = false, exe = false;
    for (const auto& f : p.assocs) {
        cwd = cwd || f.assoc == Assoc::Cwd;
        exe = exe || (f.assoc == Assoc::Exe && f.name == fixture_path("population"));
    }
    EXPECT_TRUE(cwd);
    EXPECT_TRUE(exe);
}

TEST_F(PopulationTest, PipeEndsAreEachOthersEndpoints) {
    report::LsReport rep(*snap_, report::LsFilter{});
    const auto r_fd = (*role("pipe_read"))["fd"].get<int>();
    const auto w_fd = (*role("pipe_write"))["fd"].get<int>();
    pid_t pid = fixture_->facts()["pid"].get<pid_t>();
    for (const auto& row : rep.rows()) {
        if (row.process->pid != pid || row.file->fd != r_fd || row.file->assoc != Assoc::Fd) continue;
        auto eps = rep.endpoints(row);
        ASSERT_EQ(eps.size(), 1u);
        EXPECT_EQ(eps[0].pid, pid);
        EXPECT_EQ(eps[0].assoc, std::to_string(w_fd));
        EXPECT_EQ(eps[0].mode, Mode::Write);
        return;
    }
    FAIL() << "pipe read end not listed";
}

}  // namespace
}  // namespace fdscope::test
