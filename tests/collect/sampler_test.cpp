// The sampler on real processes: counts agree with /proc/PID/fd entries,
// a leader that exited is counted through its thread, new processes appear
// and gone ones leave, and a reused pid is a new process (its start time).
#include <chrono>
#include <csignal>
#include <dirent.h>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <thread>
#include <sys/wait.h>
#include <unistd.h>

#include "collect/sampler.hpp"
#include "support/support.hpp"

namespace fdscope::test {
namespace {

using collect::Sampler;
using collect::SamplerOptions;

const ProcSample* find(const Tick& t, pid_t pid) {
    for (const auto& p : t.procs)
        if (p.pid == pid) return &p;
    return nullptr;
}

std::uint64_t entries(pid_t pid) {
    std::uint64_t n = 0;
    DIR* d = opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
    if (!d) return 0;
    while (dirent* e = readdir(d))
        if (e->d_name[0] != '.') ++n;
    closedir(d);
    return n;
}

TEST(Sampler, CountsMatchFdEntriesInBothModes) {
    Fixture fx("flat", {"321"});
    const pid_t pid = fx.facts()["pid"];
    for (bool count_entries : {false, true}) {
        SamplerOptions o;
        o.count_entries = count_entries;
        Sampler s(o);
        EXPECT_STREQ(s.counting(), count_entries ? "entries" : "st_size");
        const Tick t = s.tick();
        const ProcSample* p = find(t, pid);
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(p->fds, entries(pid));
        EXPECT_GE(p->fds, 321u);
        EXPECT_EQ(p->comm, "flat");
        EXPECT_GT(p->limit, 0u);
        EXPECT_TRUE(p->fresh);
        EXPECT_GT(t.file_nr, 0u);
        EXPECT_GT(t.file_max, 0u);
        EXPECT_TRUE(std::is_sorted(t.procs.begin(), t.procs.end(),
                                   [](const ProcSample& a, const ProcSample& b) { return a.pid < b.pid; }));
        // The second tick: the same process, not fresh any more.
        const Tick u = s.tick();
        ASSERT_NE(find(u, pid), nullptr);
        EXPECT_FALSE(find(u, pid)->fresh);
    }
}

TEST(Sampler, KernelThreadsAndItselfAreNotSampled) {
    Fixture fx("flat", {"3"});
    Sampler s(SamplerOptions{});
    const Tick t = s.tick();
    EXPECT_EQ(find(t, 2), nullptr);         // kthreadd
    EXPECT_EQ(find(t, getpid()), nullptr);  // holds a descriptor per process
    EXPECT_NE(find(t, fx.facts()["pid"].get<pid_t>()), nullptr);
}

TEST(Sampler, ExitedLeaderIsCountedThroughALiveThread) {
    Fixture fx("exited_leader");
    const pid_t pid = fx.facts()["pid"], worker = fx.facts()["worker_tid"];
    SamplerOptions o;
    o.pids = std::vector<pid_t>{pid};
    Sampler s(o);
    for (int i = 0; i < 2; ++i) {
        const Tick t = s.tick();
        const ProcSample* p = find(t, pid);
        ASSERT_NE(p, nullptr);
        EXPECT_GE(p->fds, fx.facts()["count"].get<std::uint64_t>());
        EXPECT_EQ(p->via_tid, worker);
    }
}

TEST(Sampler, NewProcessesAppearAndGoneOnesLeave) {
    SamplerOptions o;
    o.command.emplace("^flat$");
    Sampler s(o);
    s.tick();
    pid_t pid = 0;
    {
        Fixture fx("flat", {"7"});
        pid = fx.facts()["pid"];
        // A fork moved the last allocated pid: the next tick lists /proc.
        const Tick t = s.tick();
        EXPECT_TRUE(t.listed);
        ASSERT_NE(find(t, pid), nullptr);
        EXPECT_TRUE(find(t, pid)->fresh);
    }
    const Tick t = s.tick();
    EXPECT_EQ(find(t, pid), nullptr);
}

// A process first seen before it execs (started through prlimit, env,
// nice, a shell): its limit and command are the new image's at the first
// tick after the exec, not a minute later. Its new limit is set by the new
// image (leaker sets its own), before the facts line that says it started.
// Both ways of noticing: the kernel's process events, and reading every
// process's exe link where those cannot be had.
class SamplerExec : public ::testing::TestWithParam<bool> {
protected:
    SamplerOptions options() const {
        SamplerOptions o;
        o.exec_events = GetParam();
        return o;
    }
    // Skips the events run where the kernel sends none (not the initial
    // user and pid namespaces, Linux < 6.6, not permitted).
    void expect_watch(const Sampler& s) {
        if (GetParam() && std::string(s.exec_watch()) != "events")
            GTEST_SKIP() << "no process events from the kernel here: exe links are read instead";
        EXPECT_STREQ(s.exec_watch(), GetParam() ? "events" : "exe links");
    }
};

TEST_P(SamplerExec, ExecIsNoticedAtTheNextTick) {
    for (bool by_pid : {true, false}) {
        Fixture fx("exec_later", {"3000", fixture_path("leaker"), "50", "2048"});
        const pid_t pid = fx.facts()["pid"];
        SamplerOptions o = options();
        if (by_pid) o.pids = std::vector<pid_t>{pid};
        Sampler s(o);
        expect_watch(s);
        if (IsSkipped()) return;
        Tick t = s.tick();
        const ProcSample* before = find(t, pid);
        ASSERT_NE(before, nullptr);
        EXPECT_EQ(before->comm, "exec_later");
        EXPECT_EQ(before->limit, 3000u);
        const std::uint64_t start = before->start_ticks;
        ASSERT_EQ(kill(pid, SIGUSR1), 0);
        const auto leaker = fx.next_line();  // written by the new image
        ASSERT_EQ(leaker["pid"], pid);
        t = s.tick();
        const ProcSample* after = find(t, pid);
        ASSERT_NE(after, nullptr);
        EXPECT_EQ(after->comm, "leaker") << (by_pid ? "-p" : "every process");
        EXPECT_EQ(after->limit, 2048u) << (by_pid ? "-p" : "every process");
        EXPECT_EQ(after->start_ticks, start) << "the same process";
        EXPECT_FALSE(after->fresh);
    }
}

// -c: a process that execs into a matching command is sampled from the
// first tick after the exec.
TEST_P(SamplerExec, ExecIntoAMatchingCommandIsSampledAtTheNextTick) {
    Fixture fx("exec_later", {"3000", fixture_path("leaker"), "50", "2048"});
    const pid_t pid = fx.facts()["pid"];
    SamplerOptions o = options();
    o.command.emplace("^leaker$");
    Sampler s(o);
    expect_watch(s);
    if (IsSkipped()) return;
    EXPECT_EQ(find(s.tick(), pid), nullptr) << "exec_later does not match";
    ASSERT_EQ(kill(pid, SIGUSR1), 0);
    fx.next_line();
    const Tick t = s.tick();
    const ProcSample* p = find(t, pid);
    ASSERT_NE(p, nullptr) << "not sampled after its exec";
    EXPECT_EQ(p->comm, "leaker");
    EXPECT_EQ(p->limit, 2048u);
    EXPECT_LT(p->fds, 1000u) << "its first sample is of its start";
}

INSTANTIATE_TEST_SUITE_P(Ways, SamplerExec, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& i) { return i.param ? "events" : "exe_links"; });

// Reuses `want` as the next pid through /proc/sys/kernel/ns_last_pid (root,
// our pid namespace). Other processes may take it first: the caller retries.
pid_t fork_as(pid_t want) {
    {
        std::ofstream f("/proc/sys/kernel/ns_last_pid");
        f << (want - 1);
        if (!f.flush()) return -1;
    }
    const pid_t c = fork();
    if (c == 0) {
        pause();
        _exit(0);
    }
    return c;
}

void kill_reap(pid_t pid) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
}

std::uint64_t start_ticks_of(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(f, line);
    std::istringstream in(line.substr(line.rfind(')') + 2));
    std::string field;
    for (int i = 3; i <= 22; ++i) in >> field;
    return std::stoull(field);
}

std::uint64_t boot_ticks() {
    timespec ts{};
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * static_cast<std::uint64_t>(sysconf(_SC_CLK_TCK)) +
           static_cast<std::uint64_t>(ts.tv_nsec) / (1000000000 / static_cast<std::uint64_t>(sysconf(_SC_CLK_TCK)));
}

TEST(Sampler, ReusedPidIsANewProcess) {
    if (!is_root()) GTEST_SKIP() << "needs root to steer pid allocation (/proc/sys/kernel/ns_last_pid)";
    for (bool by_pid : {false, true}) {
        const pid_t first = fork();
        if (first == 0) {
            pause();
            _exit(0);
        }
        ASSERT_GT(first, 0);
        const std::uint64_t first_start = start_ticks_of(first);
        SamplerOptions o;
        if (by_pid) o.pids = std::vector<pid_t>{first};
        Sampler s(o);
        const Tick t1 = s.tick();
        ASSERT_NE(find(t1, first), nullptr);
        EXPECT_EQ(find(t1, first)->start_ticks, first_start);
        kill_reap(first);
        // A new process only differs by start time once the clock tick moved.
        while (boot_ticks() <= first_start + 2) std::this_thread::yield();
        pid_t again = -1;
        for (int attempt = 0; attempt < 50 && again != first; ++attempt) {
            if (again > 0) kill_reap(again);
            again = fork_as(first);
            ASSERT_GT(again, 0);
        }
        if (again != first) {
            kill_reap(again);
            GTEST_SKIP() << "pid " << first << " was not handed out again in 50 tries (a busy machine)";
        }
        const Tick t2 = s.tick();
        const ProcSample* p = find(t2, first);
        if (by_pid) {
            // -p names one process: the stranger with its pid is not it.
            EXPECT_EQ(p, nullptr);
        } else {
            ASSERT_NE(p, nullptr);
            EXPECT_NE(p->start_ticks, first_start);
            EXPECT_EQ(p->start_ticks, start_ticks_of(first));
            EXPECT_TRUE(p->fresh);
        }
        kill_reap(again);
    }
}

}  // namespace
}  // namespace fdscope::test
