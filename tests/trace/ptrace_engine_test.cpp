// The ptrace engine through its API (trace/engine.hpp), on the ptrace_*
// fixtures: what it sends to a Sink for real processes, and that the
// processes it traces run exactly as without it.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "trace/engine.hpp"

namespace fdscope::trace {
namespace {

std::string fixture(const std::string& name) { return std::string(FDSCOPE_TRACE_FIXTURES) + "/" + name + "_fp"; }

// Everything the engine hands out, safe to read from another thread.
class RecordingSink final : public Sink {
public:
    void event(const FdEvent& e) override {
        std::lock_guard lock(mutex_);
        events_.push_back(e);
        changed_.notify_all();
    }
    void process(const ProcessRecord& p) override {
        std::lock_guard lock(mutex_);
        processes_.push_back(p);
        changed_.notify_all();
    }
    std::vector<FdEvent> events() const {
        std::lock_guard lock(mutex_);
        return events_;
    }
    std::vector<ProcessRecord> processes() const {
        std::lock_guard lock(mutex_);
        return processes_;
    }
    // Waits (at most 60 s) until `pred` holds for the events so far.
    bool wait_for(const std::function<bool(const std::vector<FdEvent>&)>& pred) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, std::chrono::seconds(60), [&] { return pred(events_); });
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<FdEvent> events_;
    std::vector<ProcessRecord> processes_;
};

// Runs `fn` when the scope ends: a failed ASSERT must not leave an engine
// thread running (std::thread's destructor would abort the suite).
struct AtExit {
    std::function<void()> fn;
    ~AtExit() { fn(); }
};

struct Launched {
    RunResult result;
    std::vector<FdEvent> events;
    std::vector<ProcessRecord> processes;
    StackTable stacks;
};

// Fixtures start with fds 0-2 only (their fd numbers are exact): whatever
// else the test process holds closes at the fixture's exec.
void only_stdio_crosses_exec() {
    ASSERT_EQ(::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC), 0);
}

Launched launch(const std::vector<std::string>& argv, bool stacks = false) {
    only_stdio_crosses_exec();
    Launched out;
    RecordingSink sink;
    EngineOptions opts;
    opts.stacks.enabled = stacks;
    out.result = make_ptrace_engine()->launch(argv, opts, sink, out.stacks);
    out.events = sink.events();
    out.processes = sink.processes();
    return out;
}

// The events of one process that are about its own fds (no Reconcile or
// Present), from the first one matching `first` on.
std::vector<FdEvent> from(const std::vector<FdEvent>& events, const std::function<bool(const FdEvent&)>& first) {
    auto it = std::find_if(events.begin(), events.end(), first);
    return {it, events.end()};
}

bool is_open_of(const FdEvent& e, std::string_view path) {
    return (e.op == Op::Open || e.op == Op::Openat) && e.name == path;
}

std::vector<int> present_fds(const std::vector<FdEvent>& events, std::size_t reconcile_index) {
    std::vector<int> fds;
    for (std::size_t i = reconcile_index + 1; i < events.size() && events[i].op == Op::Present; ++i)
        fds.push_back(events[i].fd);
    return fds;
}

std::string proc_text(pid_t pid, const char* what) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/" + what);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> fd_list(pid_t pid) {
    std::vector<std::string> out;
    const std::string dir = "/proc/" + std::to_string(pid) + "/fd/";
    for (int fd = 0; fd < 64; ++fd) {
        char target[512];
        const ssize_t n = ::readlink((dir + std::to_string(fd)).c_str(), target, sizeof target);
        if (n >= 0) out.push_back(std::to_string(fd) + " " + std::string(target, static_cast<std::size_t>(n)));
    }
    return out;
}

char proc_state(pid_t pid) {
    const std::string stat = proc_text(pid, "stat");
    const auto close = stat.rfind(')');
    return close == std::string::npos || close + 2 >= stat.size() ? '?' : stat[close + 2];
}

// ---------------------------------------------------------------- launch

TEST(PtraceEngine, LaunchReportsEachFdOperationInOrder) {
    const Launched run = launch({fixture("ptrace_lifecycle")});
    ASSERT_TRUE(run.result.ok) << run.result.error;
    ASSERT_TRUE(WIFEXITED(run.result.wait_status));
    EXPECT_EQ(WEXITSTATUS(run.result.wait_status), 0);

    // The launched child's fd table is read before its exec: stdio at least.
    ASSERT_FALSE(run.events.empty());
    EXPECT_EQ(run.events.front().op, Op::Reconcile);
    const std::vector<int> at_start = present_fds(run.events, 0);
    for (const int fd : {0, 1, 2})
        EXPECT_NE(std::find(at_start.begin(), at_start.end(), fd), at_start.end()) << "fd " << fd << " present at start";

    const std::vector<FdEvent> seq = from(run.events, [](const FdEvent& e) { return is_open_of(e, "/dev/null"); });
    ASSERT_GE(seq.size(), 10u);
    const pid_t pid = seq[0].pid;
    EXPECT_EQ(seq[0].fd, 3);
    EXPECT_FALSE(seq[0].cloexec);
    EXPECT_TRUE(seq[1].op == Op::Pipe || seq[1].op == Op::Pipe2) << op_name(seq[1].op);
    EXPECT_EQ(seq[1].fd, 4);
    EXPECT_EQ(seq[1].fd2, 5);
    EXPECT_EQ(seq[2].op, Op::Dup);
    EXPECT_EQ(seq[2].fd, 3);
    EXPECT_EQ(seq[2].fd2, 6);
    EXPECT_EQ(seq[3].op, Op::Dup3);
    EXPECT_EQ(seq[3].fd, 4);
    EXPECT_EQ(seq[3].fd2, 9);
    EXPECT_TRUE(seq[3].cloexec);
    EXPECT_EQ(seq[4].op, Op::FcntlSetfd);
    EXPECT_EQ(seq[4].fd, 5);
    EXPECT_TRUE(seq[4].cloexec);
    EXPECT_EQ(seq[5].op, Op::Close);
    EXPECT_EQ(seq[5].fd, 6);
    EXPECT_EQ(seq[5].error, 0);
    EXPECT_EQ(seq[6].op, Op::Close);
    EXPECT_EQ(seq[6].fd, 6);
    EXPECT_EQ(seq[6].error, EBADF);
    EXPECT_TRUE(is_open_of(seq[7], "/dev/zero"));
    EXPECT_EQ(seq[7].fd, 6);
    EXPECT_TRUE(seq[7].cloexec);
    EXPECT_EQ(seq[8].op, Op::Execve);
    EXPECT_EQ(seq[8].name, "/usr/bin/true");
    EXPECT_EQ(seq[8].new_table, seq[8].table);  // not shared: the same table goes on
    for (std::size_t i = 0; i < 9; ++i) {
        EXPECT_EQ(seq[i].pid, pid) << i;
        EXPECT_EQ(seq[i].table, seq[0].table) << i;
        EXPECT_GT(seq[i].time_ns, 0u) << i;
    }
    // After the exec, the kernel's table: 3 and 4 crossed, 5, 6 and 9 were close-on-exec.
    ASSERT_EQ(seq[9].op, Op::Reconcile);
    const std::vector<int> after = present_fds(seq, 9);
    EXPECT_NE(std::find(after.begin(), after.end(), 3), after.end());
    EXPECT_NE(std::find(after.begin(), after.end(), 4), after.end());
    for (const int fd : {5, 6, 9}) EXPECT_EQ(std::find(after.begin(), after.end(), fd), after.end()) << fd;
    // The exit comes last, after the table was read once more.
    EXPECT_EQ(run.events.back().op, Op::Exit);
    EXPECT_EQ(run.events.back().pid, pid);

    // The close of an fd known open took no exit stop.
    EXPECT_GE(run.result.stats.skipped_exit_stops, 1u);
    EXPECT_EQ(run.result.stats.events, run.events.size());
    EXPECT_GE(run.result.stats.reconciles, 3u);  // start, exec, exit

    ASSERT_FALSE(run.processes.empty());
    const ProcessRecord& last = run.processes.back();
    EXPECT_EQ(last.pid, pid);
    EXPECT_EQ(last.exe, "/usr/bin/true");
    EXPECT_EQ(last.command, "true");
    EXPECT_EQ(last.argv, std::vector<std::string>{"true"});
    EXPECT_TRUE(last.exited);
    EXPECT_EQ(last.wait_status, run.result.wait_status);
    EXPECT_GE(last.end_ns, last.start_ns);
}

TEST(PtraceEngine, StacksAreInternedPerEvent) {
    const Launched run = launch({fixture("ptrace_lifecycle")}, true);
    ASSERT_TRUE(run.result.ok) << run.result.error;
    const auto open = std::find_if(run.events.begin(), run.events.end(), [](const FdEvent& e) { return is_open_of(e, "/dev/null"); });
    ASSERT_NE(open, run.events.end());
    EXPECT_NE(open->stack, kNoStack);
    EXPECT_FALSE(run.stacks.frames(open->stack).empty());
    EXPECT_GE(run.result.stats.unwinds, 1u);
}

TEST(PtraceEngine, WaitStatusOfAnExitAndOfAKill) {
    const Launched three = launch({"/bin/sh", "-c", "exit 3"});
    ASSERT_TRUE(three.result.ok) << three.result.error;
    ASSERT_TRUE(WIFEXITED(three.result.wait_status));
    EXPECT_EQ(WEXITSTATUS(three.result.wait_status), 3);

    const Launched killed = launch({"/bin/sh", "-c", "kill -KILL $$"});
    ASSERT_TRUE(killed.result.ok) << killed.result.error;
    ASSERT_TRUE(WIFSIGNALED(killed.result.wait_status));
    EXPECT_EQ(WTERMSIG(killed.result.wait_status), SIGKILL);
    // No PTRACE_EVENT_EXIT for a killed task, yet its end is an event.
    ASSERT_FALSE(killed.events.empty());
    EXPECT_EQ(killed.events.back().op, Op::Exit);
}

// As a shell: a command that is not there exits 127, and a note says why.
TEST(PtraceEngine, MissingCommandExits127) {
    const Launched run = launch({"/nonexistent/fdscope-no-such-command"});
    ASSERT_TRUE(run.result.ok) << run.result.error;
    ASSERT_TRUE(WIFEXITED(run.result.wait_status));
    EXPECT_EQ(WEXITSTATUS(run.result.wait_status), 127);
    const auto& notes = run.result.stats.notes;
    EXPECT_TRUE(std::any_of(notes.begin(), notes.end(), [](const std::string& n) {
        return n.find("fdscope-no-such-command") != std::string::npos && n.find("No such file") != std::string::npos;
    }));
    const auto failed = std::find_if(run.events.begin(), run.events.end(),
                                     [](const FdEvent& e) { return e.op == Op::Execve && e.error == ENOENT; });
    EXPECT_NE(failed, run.events.end());
}

TEST(PtraceEngine, FilterLetsOtherSyscallsRunWithoutStops) {
    const Launched run = launch({fixture("ptrace_getpid"), "100000", "10"});
    ASSERT_TRUE(run.result.ok) << run.result.error;
    EXPECT_EQ(WEXITSTATUS(run.result.wait_status), 0);
    // ld.so's opens and the 10 pairs, not 100,000 getpid()s.
    EXPECT_LT(run.result.stats.syscall_stops, 200u);
    EXPECT_LT(run.result.stats.stops, 300u);
    const auto opens = std::count_if(run.events.begin(), run.events.end(), [](const FdEvent& e) { return is_open_of(e, "/dev/null"); });
    EXPECT_EQ(opens, 10);
}

// ---------------------------------------------------------------- processes

const FdEvent* find_op(const std::vector<FdEvent>& events, Op op) {
    const auto it = std::find_if(events.begin(), events.end(), [op](const FdEvent& e) { return e.op == op; });
    return it == events.end() ? nullptr : &*it;
}

// The last successful exec of `pid` (the first is often the launch's own).
const FdEvent* find_exec_of(const std::vector<FdEvent>& events, pid_t pid) {
    const auto it = std::find_if(events.rbegin(), events.rend(), [pid](const FdEvent& e) {
        return e.op == Op::Execve && e.pid == pid && e.error == 0;
    });
    return it == events.rend() ? nullptr : &*it;
}

TEST(PtraceEngine, CloneWithSharedTable) {
    const Launched run = launch({fixture("ptrace_procs"), "shared"});
    ASSERT_TRUE(run.result.ok) << run.result.error;
    EXPECT_EQ(WEXITSTATUS(run.result.wait_status), 0);
    const FdEvent* clone = find_op(run.events, Op::Fork);
    if (!clone) clone = find_op(run.events, Op::Clone);
    ASSERT_NE(clone, nullptr);
    EXPECT_TRUE(clone->flags & CLONE_FILES);
    EXPECT_EQ(clone->new_table, clone->table);
    const auto child = static_cast<pid_t>(clone->result);
    EXPECT_NE(child, clone->pid);
    // The child's open lands in the shared table...
    const auto open = std::find_if(run.events.begin(), run.events.end(),
                                   [&](const FdEvent& e) { return e.pid == child && is_open_of(e, "/dev/null"); });
    ASSERT_NE(open, run.events.end());
    EXPECT_EQ(open->table, clone->table);
    // ...and its exec splits it off.
    const FdEvent* exec = find_exec_of(run.events, child);
    ASSERT_NE(exec, nullptr);
    EXPECT_EQ(exec->table, clone->table);
    EXPECT_NE(exec->new_table, exec->table);
    EXPECT_EQ(exec->name, "/usr/bin/true");
    const auto record = std::find_if(run.processes.begin(), run.processes.end(),
                                     [&](const ProcessRecord& p) { return p.pid == child && p.exited; });
    ASSERT_NE(record, run.processes.end());
    EXPECT_EQ(record->parent, clone->pid);
}

TEST(PtraceEngine, ForkCopiesTheTable) {
    const Launched run = launch({fixture("ptrace_procs"), "copy"});
    ASSERT_TRUE(run.result.ok) << run.result.error;
    EXPECT_EQ(WEXITSTATUS(run.result.wait_status), 0);
    const FdEvent* fork = find_op(run.events, Op::Fork);
    ASSERT_NE(fork, nullptr);
    EXPECT_FALSE(fork->flags & CLONE_FILES);
    EXPECT_NE(fork->new_table, fork->table);
    const auto child = static_cast<pid_t>(fork->result);
    const auto open = std::find_if(run.events.begin(), run.events.end(),
                                   [&](const FdEvent& e) { return e.pid == child && is_open_of(e, "/dev/null"); });
    ASSERT_NE(open, run.events.end());
    EXPECT_EQ(open->table, fork->new_table);
    const FdEvent* exec = find_exec_of(run.events, child);
    ASSERT_NE(exec, nullptr);
    EXPECT_EQ(exec->new_table, fork->new_table);
}

TEST(PtraceEngine, PosixSpawnIsAVforkThenAnExec) {
    const Launched run = launch({fixture("ptrace_procs"), "spawn"});
    ASSERT_TRUE(run.result.ok) << run.result.error;
    EXPECT_EQ(WEXITSTATUS(run.result.wait_status), 0);
    const FdEvent* vfork = find_op(run.events, Op::Vfork);
    ASSERT_NE(vfork, nullptr);
    EXPECT_TRUE(vfork->flags & CLONE_VFORK);
    EXPECT_NE(vfork->new_table, vfork->table);  // a vfork child's table is a copy
    const FdEvent* exec = find_exec_of(run.events, static_cast<pid_t>(vfork->result));
    ASSERT_NE(exec, nullptr);
    EXPECT_EQ(exec->name, "/usr/bin/true");
}

TEST(PtraceEngine, AThreadThatExecs) {
    const Launched run = launch({fixture("ptrace_procs"), "thread"});
    ASSERT_TRUE(run.result.ok) << run.result.error;
    ASSERT_TRUE(WIFEXITED(run.result.wait_status));
    EXPECT_EQ(WEXITSTATUS(run.result.wait_status), 0);  // /bin/true's status: the exec happened
    const FdEvent* clone = find_op(run.events, Op::Clone);
    ASSERT_NE(clone, nullptr);
    EXPECT_TRUE(clone->flags & CLONE_THREAD);
    EXPECT_EQ(clone->new_table, clone->table);
    const pid_t pid = clone->pid;
    EXPECT_NE(static_cast<pid_t>(clone->result), pid);
    // The exec is the process's: reported under its pid (the thread took the leader's tid).
    const FdEvent* exec = find_exec_of(run.events, pid);
    ASSERT_NE(exec, nullptr);
    EXPECT_EQ(exec->tid, pid);
    EXPECT_EQ(exec->name, "/usr/bin/true");
    const ProcessRecord& last = run.processes.back();
    EXPECT_EQ(last.pid, pid);
    EXPECT_EQ(last.exe, "/usr/bin/true");
    EXPECT_TRUE(last.exited);
}

// ---------------------------------------------------------------- signals

TEST(PtraceEngine, SignalsAndJobControlReachTheTracee) {
    int p[2];
    ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
    // The fixture writes to its own copy: an inherited fd without close-on-exec.
    const int out = ::fcntl(p[1], F_DUPFD, 10);
    ASSERT_GE(out, 0);
    ::close(p[1]);

    RecordingSink sink;
    StackTable stacks;
    RunResult result;
    std::thread engine([&] {
        EngineOptions opts;
        opts.stacks.enabled = false;
        result = make_ptrace_engine()->launch({fixture("ptrace_signals"), std::to_string(out)}, opts, sink, stacks);
    });
    AtExit join{[&] {
        if (!engine.joinable()) return;
        const auto records = sink.processes();
        if (!records.empty()) ::kill(records.front().pid, SIGKILL);
        engine.join();
    }};
    auto read_byte = [&](char& c) {
        pollfd pfd{p[0], POLLIN, 0};
        return ::poll(&pfd, 1, 60000) == 1 && ::read(p[0], &c, 1) == 1;
    };
    std::string pid_text;
    char c = 0;
    while (read_byte(c) && c != '\n') pid_text += c;
    const pid_t pid = static_cast<pid_t>(std::atoi(pid_text.c_str()));
    ::close(out);  // the fixture has its copy now
    ASSERT_GT(pid, 0);
    for (int round = 0; round < 3; ++round) {
        ASSERT_EQ(::kill(pid, SIGSTOP), 0);
        for (int i = 0; i < 6000 && proc_state(pid) != 'T' && proc_state(pid) != 't'; ++i) ::usleep(10000);
        const char state = proc_state(pid);
        EXPECT_TRUE(state == 'T' || state == 't') << "state " << state;
        ASSERT_EQ(::kill(pid, SIGUSR1), 0);
        ASSERT_EQ(::kill(pid, SIGCONT), 0);
        ASSERT_TRUE(read_byte(c));  // the handler ran
        EXPECT_EQ(c, 'u');
    }
    engine.join();
    ::close(p[0]);
    ASSERT_TRUE(result.ok) << result.error;
    ASSERT_TRUE(WIFEXITED(result.wait_status));
    EXPECT_EQ(WEXITSTATUS(result.wait_status), 0);  // its SIGCHLD handler reaped its child
}

// ---------------------------------------------------------------- attach

// The reader fixture with a pipe to its stdin and one from its stdout.
struct Reader {
    pid_t pid = -1;
    int in = -1, out = -1;
    std::string buffer;

    Reader() {
        int to[2], from[2];
        if (::pipe2(to, O_CLOEXEC) != 0 || ::pipe2(from, O_CLOEXEC) != 0) return;
        pid = ::fork();
        if (pid == 0) {
            ::dup2(to[0], 0);
            ::dup2(from[1], 1);
            const std::string path = fixture("ptrace_reader");
            ::execl(path.c_str(), path.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(to[0]);
        ::close(from[1]);
        in = to[1];
        out = from[0];
    }
    ~Reader() {
        if (in >= 0) ::close(in);
        if (out >= 0) ::close(out);
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
    bool line(std::string& text) {
        for (;;) {
            if (const auto nl = buffer.find('\n'); nl != std::string::npos) {
                text = buffer.substr(0, nl);
                buffer.erase(0, nl + 1);
                return true;
            }
            pollfd pfd{out, POLLIN, 0};
            char chunk[256];
            if (::poll(&pfd, 1, 60000) != 1) return false;
            const ssize_t n = ::read(out, chunk, sizeof chunk);
            if (n <= 0) return false;
            buffer.append(chunk, static_cast<std::size_t>(n));
        }
    }
    bool say(const std::string& text) {
        const std::string l = text + "\n";
        return ::write(in, l.data(), l.size()) == static_cast<ssize_t>(l.size());
    }
};

TEST(PtraceEngine, AttachThenDetachLeavesTheProcessAsItWas) {
    Reader reader;
    ASSERT_GT(reader.pid, 0);
    std::string text;
    ASSERT_TRUE(reader.line(text));
    ASSERT_EQ(text, "ready " + std::to_string(reader.pid));
    // Blocked in read() now (or about to be).
    const std::vector<std::string> fds_before = fd_list(reader.pid);

    RecordingSink sink;
    StackTable stacks;
    RunResult result;
    std::atomic<bool> stop{false};
    std::thread engine([&] {
        EngineOptions opts;
        opts.stop = &stop;
        result = make_ptrace_engine()->attach({reader.pid}, opts, sink, stacks);
    });
    AtExit join{[&] {
        stop = true;
        if (engine.joinable()) engine.join();
    }};
    // Attached once the fd table was read (every thread was stopped then).
    ASSERT_TRUE(sink.wait_for([](const std::vector<FdEvent>& ev) {
        return std::any_of(ev.begin(), ev.end(), [](const FdEvent& e) { return e.op == Op::Reconcile; });
    }));
    EXPECT_EQ(proc_text(reader.pid, "status").find("TracerPid:\t0\n"), std::string::npos);  // traced now
    // The interrupted read() restarted: the reader still answers, and the
    // engine sees what it does.
    ASSERT_TRUE(reader.say("one"));
    ASSERT_TRUE(reader.line(text));
    EXPECT_EQ(text, "echo one");
    ASSERT_TRUE(sink.wait_for([](const std::vector<FdEvent>& ev) {
        return std::any_of(ev.begin(), ev.end(), [](const FdEvent& e) { return is_open_of(e, "/dev/zero"); });
    }));

    stop = true;
    engine.join();
    ASSERT_TRUE(result.ok) << result.error;
    const auto& notes = result.stats.notes;
    EXPECT_NE(std::find(notes.begin(), notes.end(),
                        "attached: every syscall stops (no seccomp filter can be added to a running process)"),
              notes.end());

    const std::vector<FdEvent> events = sink.events();
    const auto present = std::count_if(events.begin(), events.end(), [](const FdEvent& e) { return e.op == Op::Present; });
    EXPECT_GE(present, 5);  // stdio, /dev/null and the pipe (read at attach, and again at detach)
    const auto open = std::find_if(events.begin(), events.end(), [](const FdEvent& e) { return is_open_of(e, "/dev/zero"); });
    ASSERT_NE(open, events.end());
    EXPECT_TRUE(open->cloexec);
    EXPECT_EQ(open->pid, reader.pid);
    const auto record = sink.processes();
    ASSERT_FALSE(record.empty());
    EXPECT_EQ(record.back().pid, reader.pid);
    EXPECT_FALSE(record.back().exited);

    // Detached: no tracer, same fds, still reading and answering.
    EXPECT_NE(proc_text(reader.pid, "status").find("TracerPid:\t0\n"), std::string::npos);
    EXPECT_EQ(fd_list(reader.pid), fds_before);
    ASSERT_TRUE(reader.say("two"));
    ASSERT_TRUE(reader.line(text));
    EXPECT_EQ(text, "echo two");
    ::close(reader.in);
    reader.in = -1;
    int status = 0;
    ASSERT_EQ(::waitpid(reader.pid, &status, 0), reader.pid);
    reader.pid = -1;
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);  // no read() ever failed
}

TEST(PtraceEngine, AttachToNoSuchProcessFails) {
    RecordingSink sink;
    StackTable stacks;
    EngineOptions opts;
    const RunResult result = make_ptrace_engine()->attach({0x3ffffff0}, opts, sink, stacks);
    EXPECT_FALSE(result.ok);
    EXPECT_FALSE(result.error.empty());
}

}  // namespace
}  // namespace fdscope::trace
