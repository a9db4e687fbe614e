// Reconciliation against a real fd table: a fixture holds a file, a pipe,
// a TCP listener and an eventfd, with and without close-on-exec; the
// Reconcile event and its Present events must say exactly that, and list
// the same fds /proc/PID/fd does.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "model/kind.hpp"
#include "support/support.hpp"
#include "trace/reconcile.hpp"

namespace fdscope::trace {
namespace {

std::vector<int> proc_fds(pid_t pid) {
    std::vector<int> fds;
    DIR* d = opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
    if (!d) return fds;
    while (dirent* e = readdir(d))
        if (e->d_name[0] != '.') fds.push_back(std::stoi(e->d_name));
    closedir(d);
    std::sort(fds.begin(), fds.end());
    return fds;
}

const FdEvent* present(const std::vector<FdEvent>& events, int fd) {
    for (const auto& e : events)
        if (e.op == Op::Present && e.fd == fd) return &e;
    return nullptr;
}

TEST(Reconcile, ListsTheTableWithKindsNamesAndCloexec) {
    test::Fixture fx("trace/reconcile_fds_fp");
    const auto& facts = fx.facts();
    const pid_t pid = facts["pid"].get<pid_t>();
    auto events = reconcile(pid, 42, 1234);
    ASSERT_FALSE(events.empty());

    const FdEvent& head = events.front();
    EXPECT_EQ(head.op, Op::Reconcile);
    EXPECT_EQ(head.result, static_cast<std::int64_t>(events.size() - 1));
    std::vector<int> listed;
    for (const auto& e : events) {
        EXPECT_EQ(e.pid, pid);
        EXPECT_EQ(e.tid, pid);
        EXPECT_EQ(e.table, 42u);
        EXPECT_EQ(e.time_ns, 1234u);
        EXPECT_EQ(e.error, 0);
        if (&e != &head) {
            EXPECT_EQ(e.op, Op::Present);
            listed.push_back(e.fd);
        }
    }
    EXPECT_TRUE(std::is_sorted(listed.begin(), listed.end()));
    EXPECT_EQ(listed, proc_fds(pid));

    struct Expected {
        const char* role;
        Kind kind;
        std::string name;
        bool cloexec;
    };
    const std::string port = std::to_string(facts["port"].get<int>());
    auto inode = [&](const char* role) {
        for (const auto& f : facts["fds"])
            if (f["role"] == role) return std::to_string(f["inode"].get<std::uint64_t>());
        return std::string();
    };
    const Expected expected[] = {
        {"file", Kind::File, facts["path"].get<std::string>(), false},
        {"pipe_read", Kind::Pipe, "pipe:[" + inode("pipe_read") + "]", true},
        {"pipe_write", Kind::Pipe, "pipe:[" + inode("pipe_write") + "]", true},
        {"listener", Kind::Tcp, "127.0.0.1:" + port + " (LISTEN)", true},
        {"eventfd", Kind::Eventfd, "anon_inode:[eventfd]", false},
    };
    for (const Expected& x : expected) {
        SCOPED_TRACE(x.role);
        int fd = -1;
        int flags = 0;
        for (const auto& f : facts["fds"])
            if (f["role"] == x.role) fd = f["fd"].get<int>(), flags = f["flags"].get<int>();
        const FdEvent* e = present(events, fd);
        ASSERT_TRUE(e);
        EXPECT_EQ(kind_name(e->kind), kind_name(x.kind));
        EXPECT_EQ(e->name, x.name);
        EXPECT_EQ(e->cloexec, x.cloexec);
        // fdinfo's flags: what F_GETFL says, plus O_CLOEXEC.
        EXPECT_EQ(e->flags & ~static_cast<std::uint64_t>(O_CLOEXEC), static_cast<std::uint64_t>(flags) & ~static_cast<std::uint64_t>(O_CLOEXEC));
        EXPECT_EQ((e->flags & O_CLOEXEC) != 0, x.cloexec);
    }
}

TEST(Reconcile, AVanishedProcessGivesNothing) {
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) _exit(0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(reconcile(child, 1, 0).empty());
}

double cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// Medians of wall and CPU time: the machine is shared, CPU time is what
// the call itself costs.
std::pair<double, double> median_ms(pid_t pid, std::size_t& events) {
    std::vector<double> wall, cpu;
    for (int i = 0; i < 21; ++i) {
        auto a = std::chrono::steady_clock::now();
        double c = cpu_ms();
        events = reconcile(pid, 1, 0).size();
        cpu.push_back(cpu_ms() - c);
        wall.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
    }
    std::sort(wall.begin(), wall.end());
    std::sort(cpu.begin(), cpu.end());
    return {wall[wall.size() / 2], cpu[cpu.size() / 2]};
}

TEST(Reconcile, Cost) {
    for (auto [extra, socket] : {std::pair{0, false}, std::pair{0, true}, std::pair{1000, false}, std::pair{1000, true}}) {
        std::vector<std::string> args = {"--extra", std::to_string(extra)};
        if (!socket) args.push_back("--without-socket");
        test::Fixture fx("trace/reconcile_fds_fp", args);
        const pid_t pid = fx.facts()["pid"].get<pid_t>();
        std::size_t events = 0;
        auto [wall, cpu] = median_ms(pid, events);
        EXPECT_EQ(events, proc_fds(pid).size() + 1);
        std::printf("[ cost ] reconcile of %zu fds (%s): %.2f ms wall, %.2f ms CPU\n", events - 1,
                    socket ? "one a TCP socket" : "no socket", wall, cpu);
        RecordProperty("reconcile_ms_" + std::to_string(events - 1) + (socket ? "_socket" : ""), std::to_string(wall));
    }
}

}  // namespace
}  // namespace fdscope::trace
