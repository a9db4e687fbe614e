// The BPF engine on real processes: launches of the bpf_* fixtures
// (tests/trace/fixture/) and an attach, checked event by event. Skips,
// saying why, where make_bpf_engine cannot load (not root, no BTF, a
// program refused, built without the BPF backend).
#include <dlfcn.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <dirent.h>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "model/event.hpp"
#include "model/stack.hpp"
#include "symbolize/symbolizer.hpp"
#include "trace/engine.hpp"

namespace fdscope::trace {
namespace {

std::string fixture(const std::string& name) { return std::string(FDSCOPE_TRACE_FIXTURES) + "/" + name; }

// Everything the engine hands out, safe to read from another thread.
class Recorder : public Sink {
public:
    void event(const FdEvent& e) override {
        std::lock_guard lock(mu_);
        events_.push_back(e);
        if (on_event_) on_event_(e);
        cv_.notify_all();
    }
    void process(const ProcessRecord& p) override {
        std::lock_guard lock(mu_);
        procs_[p.pid] = p;
    }
    std::vector<FdEvent> events() const {
        std::lock_guard lock(mu_);
        return events_;
    }
    std::map<pid_t, ProcessRecord> processes() const {
        std::lock_guard lock(mu_);
        return procs_;
    }
    // Waits until `pred` holds for some event (false after 30 s: the test then fails).
    bool wait_for(const std::function<bool(const FdEvent&)>& pred) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, std::chrono::seconds(30), [&] {
            return std::any_of(events_.begin(), events_.end(), pred);
        });
    }
    void on_event(std::function<void(const FdEvent&)> fn) { on_event_ = std::move(fn); }

private:
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::vector<FdEvent> events_;
    std::map<pid_t, ProcessRecord> procs_;
    std::function<void(const FdEvent&)> on_event_;
};

// The events of one process from its syscalls (not the engine's
// reconciliations, exits or losses), in order.
std::vector<FdEvent> calls_of(const std::vector<FdEvent>& all, pid_t pid) {
    std::vector<FdEvent> out;
    for (const FdEvent& e : all)
        if (e.pid == pid && e.op != Op::Reconcile && e.op != Op::Present && e.op != Op::Exit && e.op != Op::Lost)
            out.push_back(e);
    return out;
}

// What one expected event must match (unset fields: any).
struct Want {
    explicit Want(Op o, int f = -2, int f2 = -2) : op(o), fd(f), fd2(f2) {}
    Want& cx(bool c) {
        cloexec = c;
        return *this;
    }
    Want& k(Kind x) {
        kind = x;
        return *this;
    }
    Want& n(std::string s) {
        name = std::move(s);
        return *this;
    }
    Op op;
    int fd, fd2;
    std::optional<bool> cloexec;
    std::optional<Kind> kind;
    std::string name;
    int error = 0;
};

bool matches(const FdEvent& e, const Want& w) {
    return e.op == w.op && (w.fd == -2 || e.fd == w.fd) && (w.fd2 == -2 || e.fd2 == w.fd2) &&
           (!w.cloexec || e.cloexec == *w.cloexec) && (!w.kind || e.kind == *w.kind) &&
           (w.name.empty() || e.name == w.name) && e.error == w.error;
}

std::string describe(const FdEvent& e) {
    return std::string(op_name(e.op)) + " fd=" + std::to_string(e.fd) + " fd2=" + std::to_string(e.fd2) +
           " cloexec=" + std::to_string(e.cloexec) + " kind=" + std::string(kind_name(e.kind)) + " name=" + e.name +
           " error=" + std::to_string(e.error);
}

// `want` appear in `events` in this order (others may come between).
void expect_in_order(const std::vector<FdEvent>& events, const std::vector<Want>& want) {
    std::size_t at = 0;
    for (const Want& w : want) {
        const auto it = std::find_if(events.begin() + static_cast<std::ptrdiff_t>(at), events.end(),
                                     [&](const FdEvent& e) { return matches(e, w); });
        if (it == events.end()) {
            std::string seen;
            for (std::size_t i = at; i < events.size(); ++i) seen += "\n  " + describe(events[i]);
            ADD_FAILURE() << "no " << op_name(w.op) << " fd=" << w.fd << " fd2=" << w.fd2 << " name=" << w.name
                          << " after event " << at << "; the rest:" << seen;
            return;
        }
        at = static_cast<std::size_t>(it - events.begin()) + 1;
    }
}

#define BPF_ENGINE_OR_SKIP(engine)                                   \
    std::string why_not_##engine;                                    \
    auto engine = make_bpf_engine(why_not_##engine);                 \
    if (!engine) GTEST_SKIP() << "BPF engine: " << why_not_##engine

EngineOptions quiet_options() {
    EngineOptions o;
    o.stacks.enabled = true;
    o.stacks.depth = 32;
    return o;
}

pid_t launched_pid(const std::map<pid_t, ProcessRecord>& procs) {
    for (const auto& [pid, p] : procs)
        if (p.parent == 0) return pid;
    return 0;
}

// The lifecycle fixture's whole story (the fds are its header's).
void check_lifecycle(const RunResult& r, const Recorder& rec, const std::string& program) {
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_TRUE(WIFEXITED(r.wait_status)) << r.wait_status;
    EXPECT_EQ(WEXITSTATUS(r.wait_status), 0);
    EXPECT_EQ(r.stats.lost_events, 0u);
    const auto procs = rec.processes();
    ASSERT_EQ(procs.size(), 2u);
    const pid_t parent = launched_pid(procs);
    ASSERT_NE(parent, 0);
    pid_t child = 0;
    for (const auto& [pid, p] : procs)
        if (pid != parent) child = pid;
    const ProcessRecord& pp = procs.at(parent);
    const ProcessRecord& cp = procs.at(child);
    EXPECT_EQ(pp.exe, program);
    EXPECT_TRUE(pp.exited);
    EXPECT_EQ(pp.wait_status, r.wait_status);
    EXPECT_EQ(cp.parent, parent);
    EXPECT_EQ(cp.exe, program);
    EXPECT_EQ(cp.argv, (std::vector<std::string>{program, "child"}));
    EXPECT_TRUE(cp.exited);

    const auto all = rec.events();
    // The launched child's fds before its exec come first, as one inventory.
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(all[0].op, Op::Reconcile);
    EXPECT_EQ(all[0].pid, parent);
    const auto mine = calls_of(all, parent);
    expect_in_order(mine, {
                              Want(Op::Execve).n(program),
                              Want(Op::CloseRange, 3),
                              Want(Op::Openat, 3).cx(true).k(Kind::File).n(program),
                              Want(Op::Openat, 4).cx(false).k(Kind::Dir).n("/"),
                              Want(Op::Openat, 5).cx(false).k(Kind::Chr).n("/dev/null"),
                              Want(Op::Pipe2, 6, 7).cx(true).k(Kind::Pipe),
                              Want(Op::Socketpair, 8, 9).cx(false).k(Kind::Unix),
                              Want(Op::Dup, 5, 10).cx(false),
                              Want(Op::Dup2, 5, 20).cx(false),
                              Want(Op::Close, 10),
                              Want(Op::Close, 3),
                              Want(Op::Close, 6),
                              Want(Op::Close, 7),
                              Want(Op::Close, 8),
                              Want(Op::Close, 9),
                              Want(Op::Clone),
                              Want(Op::Close, 4),
                              Want(Op::Close, 5),
                          });
    const auto fork = std::find_if(mine.begin(), mine.end(), [](const FdEvent& e) { return e.op == Op::Clone; });
    ASSERT_NE(fork, mine.end());
    // glibc's fork() is clone(SIGCHLD, ...): a copied table.
    EXPECT_EQ(fork->result, child);
    EXPECT_EQ(fork->flags & CLONE_FILES, 0u);
    EXPECT_NE(fork->new_table, fork->table);
    EXPECT_NE(fork->table, 0u);
    // The child: its exec (from the table fork gave it, to a new one), its open, its exit.
    const auto theirs = calls_of(all, child);
    expect_in_order(theirs, {
                                Want(Op::Execve).n(program),
                                Want(Op::Openat, 3).cx(false).k(Kind::Chr).n("/dev/null"),
                            });
    const auto exec = std::find_if(theirs.begin(), theirs.end(), [](const FdEvent& e) { return e.op == Op::Execve; });
    ASSERT_NE(exec, theirs.end());
    EXPECT_EQ(exec->table, fork->new_table);
    const auto exit = std::find_if(all.begin(), all.end(),
                                   [&](const FdEvent& e) { return e.op == Op::Exit && e.pid == child; });
    ASSERT_NE(exit, all.end());
    EXPECT_TRUE(WIFEXITED(static_cast<int>(exit->result)));
    EXPECT_EQ(WEXITSTATUS(static_cast<int>(exit->result)), 3);
    // An exec's inventory follows it when the process still runs by then:
    // fds 4, 5 and 20 crossed into the child.
    for (auto it = std::find_if(all.begin(), all.end(),
                                [&](const FdEvent& e) { return e.op == Op::Execve && e.pid == child; });
         it != all.end(); ++it)
        if (it->op == Op::Reconcile && it->pid == child) {
            std::vector<int> fds;
            for (auto p = it + 1; p != all.end() && p->op == Op::Present; ++p) fds.push_back(p->fd);
            EXPECT_NE(std::find(fds.begin(), fds.end(), 4), fds.end());
            EXPECT_NE(std::find(fds.begin(), fds.end(), 20), fds.end());
            break;
        }
}

TEST(BpfEngine, LaunchSeesEveryStepOfTheLifecycleFixture) {
    BPF_ENGINE_OR_SKIP(engine);
    Recorder rec;
    StackTable stacks;
    const std::string program = fixture("bpf_lifecycle_fp");
    const RunResult r = engine->launch({program}, quiet_options(), rec, stacks);
    check_lifecycle(r, rec, program);
    // Stacks came with the calls: the innermost frame is the libc wrapper
    // that made the call, as a module and offset. A frameless wrapper's
    // return address (the word at sp) leads to the fixture; a wrapper with
    // a frame but no frame pointer (open's, Debian 12) ends the walk, and
    // the notes say stacks stop in libc.
    const auto mine = calls_of(rec.events(), launched_pid(rec.processes()));
    const auto dir = std::find_if(mine.begin(), mine.end(), [](const FdEvent& e) { return e.name == "/"; });
    ASSERT_NE(dir, mine.end());
    ASSERT_NE(dir->stack, kNoStack);
    const auto frames = stacks.frames(dir->stack);
    ASSERT_FALSE(frames.empty());
    EXPECT_NE(frames[0].module.find("libc"), std::string::npos) << frames[0].module;
    EXPECT_FALSE(frames[0].build_id.empty());
    if (frames.size() >= 2) {
        EXPECT_EQ(frames[1].module, program);
    } else {
        EXPECT_TRUE(std::any_of(r.stats.notes.begin(), r.stats.notes.end(), [&](const std::string& n) {
            return n.rfind("stacks stop in " + frames[0].module, 0) == 0;
        }));
    }
}

// The function of each frame (the real one, after any inlined levels).
std::vector<std::string> functions_of(std::span<const RawFrame> frames) {
    symbolize::Symbolizer sym;
    std::vector<std::string> out;
    for (const RawFrame& f : frames) {
        const auto s = sym.symbolize(f);
        out.push_back(s.empty() ? "" : s.back().function);
    }
    return out;
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names) out += (out.empty() ? "" : " <- ") + (n.empty() ? "?" : n);
    return out;
}

// bpf_cfi (20000 opens from open_here()) under the engine: the function
// names of the stack of its last open. The program walks a wrapper's stack
// from its CFI rule once userspace has seen that wrapper's first stack, so
// the last open is long past that.
std::vector<std::string> last_open_functions(Engine& engine, const std::string& program, RunResult& r) {
    Recorder rec;
    StackTable stacks;
    r = engine.launch({program, "20000"}, quiet_options(), rec, stacks);
    const auto mine = calls_of(rec.events(), launched_pid(rec.processes()));
    const auto last = std::find_if(mine.rbegin(), mine.rend(), [](const FdEvent& e) {
        return e.op == Op::Openat && e.name == "/dev/null";
    });
    if (last == mine.rend() || last->stack == kNoStack) return {};
    return functions_of(stacks.frames(last->stack));
}

std::ptrdiff_t index_of(const std::vector<std::string>& names, const std::string& name, std::ptrdiff_t from = 0) {
    const auto it = std::find(names.begin() + std::min<std::ptrdiff_t>(from, static_cast<std::ptrdiff_t>(names.size())),
                              names.end(), name);
    return it == names.end() ? -1 : it - names.begin();
}

TEST(BpfEngine, CfiWalkFindsTheCallerOfAWrapperWithoutFramePointers) {
    BPF_ENGINE_OR_SKIP(engine);
    RunResult r;
    const auto names = last_open_functions(*engine, fixture("bpf_cfi_fp"), r);
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_TRUE(WIFEXITED(r.wait_status) && WEXITSTATUS(r.wait_status) == 0) << r.wait_status;
    EXPECT_EQ(r.stats.lost_events, 0u);
    // libc's open64, the function that called it, and its caller by the
    // fixture's frame pointers.
    const std::ptrdiff_t at = index_of(names, "open_here");
    std::string notes;
    for (const std::string& n : r.stats.notes) notes += "\n  " + n;
    EXPECT_EQ(at, 1) << joined(names) << notes;
    EXPECT_GT(index_of(names, "main", at + 1), at) << joined(names);
    RecordProperty("stack", joined(names));
}

TEST(BpfEngine, CfiWalkWithoutFramePointersFindsOnlyTheWrappersCaller) {
    BPF_ENGINE_OR_SKIP(engine);
    RunResult r;
    const auto names = last_open_functions(*engine, fixture("bpf_cfi_nofp"), r);
    ASSERT_TRUE(r.ok) << r.error;
    // The rule finds the wrapper's return address; open_here keeps no
    // frame pointer, so the walk from there has no chain to follow (main
    // is found only when the rbp left behind happens to lead to it).
    ASSERT_GE(names.size(), 2u) << joined(names);
    EXPECT_EQ(names[1], "open_here") << joined(names);
    RecordProperty("stack", joined(names));
}

TEST(BpfEngine, CfiWalkRefusedKeepsTheKernelsWalkAndSaysSo) {
    ::setenv("FDSCOPE_BPF_TRACE_REFUSE", "cfi_walk", 1);
    std::string why;
    auto engine = make_bpf_engine(why);
    ::unsetenv("FDSCOPE_BPF_TRACE_REFUSE");
    if (!engine) GTEST_SKIP() << "BPF engine: " << why;
    RunResult r;
    const auto names = last_open_functions(*engine, fixture("bpf_cfi_fp"), r);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_TRUE(std::any_of(r.stats.notes.begin(), r.stats.notes.end(), [](const std::string& n) {
        return n.find("stack walk from DWARF CFI rules refused") != std::string::npos;
    }));
    ASSERT_FALSE(names.empty());
    // Debian 12's open64 holds the path in rbp at the syscall: the kernel's
    // walk does not reach open_here (with a libc that keeps frame pointers it would).
    void* open64_fn = ::dlsym(RTLD_DEFAULT, "open64");
    Dl_info info{};
    const bool debian_libc = open64_fn && ::dladdr(open64_fn, &info) &&
                             std::string(info.dli_fname).find("x86_64-linux-gnu/libc.so.6") != std::string::npos;
    if (debian_libc) {
        EXPECT_EQ(index_of(names, "open_here"), -1) << joined(names);
    }
}

TEST(BpfEngine, TaskStorageRefusedKeepsEnterArgumentsByThread) {
    ::setenv("FDSCOPE_BPF_TRACE_REFUSE", "task_storage", 1);
    std::string why;
    auto engine = make_bpf_engine(why);
    ::unsetenv("FDSCOPE_BPF_TRACE_REFUSE");
    if (!engine) GTEST_SKIP() << "BPF engine: " << why;
    Recorder rec;
    StackTable stacks;
    const std::string program = fixture("bpf_lifecycle_nofp");
    const RunResult r = engine->launch({program}, quiet_options(), rec, stacks);
    check_lifecycle(r, rec, program);
    EXPECT_TRUE(std::any_of(r.stats.notes.begin(), r.stats.notes.end(),
                            [](const std::string& n) { return n.find("hash by thread id") != std::string::npos; }));
}

TEST(BpfEngine, ForkExecChainThreeDeep) {
    BPF_ENGINE_OR_SKIP(engine);
    Recorder rec;
    StackTable stacks;
    const std::string program = fixture("bpf_chain_fp");
    const RunResult r = engine->launch({program, "3"}, quiet_options(), rec, stacks);
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_TRUE(WIFEXITED(r.wait_status));
    EXPECT_EQ(WEXITSTATUS(r.wait_status), 0);
    const auto procs = rec.processes();
    ASSERT_EQ(procs.size(), 4u);
    // A chain: each process's parent is the one before it.
    pid_t at = launched_pid(procs);
    for (int depth = 3; depth >= 0; --depth) {
        ASSERT_NE(at, 0);
        const ProcessRecord& p = procs.at(at);
        EXPECT_EQ(p.exe, program);
        EXPECT_EQ(p.argv, (std::vector<std::string>{program, std::to_string(depth)}));
        EXPECT_TRUE(p.exited);
        const auto calls = calls_of(rec.events(), at);
        // fd numbers follow what the test process left open: any number.
        expect_in_order(calls, {Want(Op::Execve).n(program), Want(Op::Openat).cx(false).k(Kind::Chr).n("/dev/null")});
        pid_t next = 0;
        for (const auto& [pid, q] : procs)
            if (q.parent == at) next = pid;
        if (depth > 0) {
            const auto fork = std::find_if(calls.begin(), calls.end(), [](const FdEvent& e) { return e.op == Op::Clone; });
            ASSERT_NE(fork, calls.end());
            EXPECT_EQ(fork->result, next);
        }
        at = next;
    }
}

TEST(BpfEngine, ScmRightsBetweenTracedProcesses) {
    BPF_ENGINE_OR_SKIP(engine);
    Recorder rec;
    StackTable stacks;
    const RunResult r = engine->launch({fixture("bpf_scm_fp")}, quiet_options(), rec, stacks);
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_TRUE(WIFEXITED(r.wait_status));
    EXPECT_EQ(WEXITSTATUS(r.wait_status), 0);
    const auto procs = rec.processes();
    const pid_t parent = launched_pid(procs);
    pid_t child = 0;
    for (const auto& [pid, p] : procs)
        if (p.parent == parent) child = pid;
    ASSERT_NE(child, 0);
    expect_in_order(calls_of(rec.events(), child), {Want(Op::Openat, 5).cx(false).k(Kind::Chr).n("/dev/null")});
    expect_in_order(calls_of(rec.events(), parent), {Want(Op::Socketpair, 3, 4).cx(false).k(Kind::Unix),
                                                     Want(Op::Clone),
                                                     Want(Op::RecvmsgRights, 5, 3).cx(true)});
}

TEST(BpfEngine, LossesBecomeLostEventsAndAResync) {
    BPF_ENGINE_OR_SKIP(engine);
    // The burst's process waits on this pipe afterwards, so that the
    // resync finds it running; the sink releases it once it came.
    int gate[2];
    ASSERT_EQ(::pipe2(gate, O_CLOEXEC), 0);
    ASSERT_EQ(::fcntl(gate[0], F_SETFD, 0), 0);  // the fixture inherits the read end only
    Recorder rec;
    bool lost = false;
    std::atomic<bool> released = false;
    rec.on_event([&](const FdEvent& e) {
        if (e.op == Op::Lost) lost = true;
        if (lost && e.op == Op::Reconcile && !released.exchange(true)) ::close(gate[1]);
    });
    // Should no loss come, the fixture must still end (the test then fails).
    std::thread guard([&] {
        for (int i = 0; i < 600 && !released; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (!released.exchange(true)) ::close(gate[1]);
    });
    StackTable stacks;
    EngineOptions o = quiet_options();
    o.ring_bytes = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    const RunResult r =
        engine->launch({fixture("bpf_openclose_fp"), "20000", std::to_string(gate[0])}, o, rec, stacks);
    ::close(gate[0]);
    released = true;
    guard.join();
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_TRUE(WIFEXITED(r.wait_status) && WEXITSTATUS(r.wait_status) == 0) << r.wait_status;
    const pid_t pid = launched_pid(rec.processes());
    EXPECT_GT(r.stats.lost_events, 0u);
    EXPECT_EQ(r.stats.lost_pids, std::vector<pid_t>{pid});
    const auto all = rec.events();
    const auto first_lost = std::find_if(all.begin(), all.end(), [](const FdEvent& e) { return e.op == Op::Lost; });
    ASSERT_NE(first_lost, all.end());
    EXPECT_EQ(first_lost->pid, pid);
    EXPECT_GT(first_lost->result, 0);
    std::uint64_t counted = 0;
    for (const FdEvent& e : all)
        if (e.op == Op::Lost) counted += static_cast<std::uint64_t>(e.result);
    EXPECT_EQ(counted, r.stats.lost_events);
    EXPECT_TRUE(std::any_of(first_lost, all.end(),
                            [&](const FdEvent& e) { return e.op == Op::Reconcile && e.pid == pid; }));
    EXPECT_TRUE(std::any_of(r.stats.notes.begin(), r.stats.notes.end(),
                            [](const std::string& n) { return n.find("lost") != std::string::npos; }));
}

// A process of the test's own, talking over pipes: stdin lines in, JSON lines out.
class Holder {
public:
    explicit Holder(const std::string& program) {
        int in[2], out[2];
        if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::setpgid(0, 0);
            ::dup2(in[0], 0);
            ::dup2(out[1], 1);
            ::close_range(3, ~0U, 0);
            ::execl(program.c_str(), program.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(in[0]);
        ::close(out[1]);
        in_ = in[1];
        out_ = out[0];
    }
    ~Holder() {
        if (in_ >= 0) ::close(in_);
        if (out_ >= 0) ::close(out_);
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    pid_t pid() const { return pid_; }
    // The next line it writes ("" at EOF or after 30 s).
    std::string line() {
        for (;;) {
            if (const auto nl = buf_.find('\n'); nl != std::string::npos) {
                std::string l = buf_.substr(0, nl);
                buf_.erase(0, nl + 1);
                return l;
            }
            pollfd p{out_, POLLIN, 0};
            if (::poll(&p, 1, 30000) <= 0) return {};
            char chunk[256];
            const ssize_t n = ::read(out_, chunk, sizeof chunk);
            if (n <= 0) return {};
            buf_.append(chunk, static_cast<std::size_t>(n));
        }
    }
    bool say(const char* text) { return ::write(in_, text, std::strlen(text)) == static_cast<ssize_t>(std::strlen(text)); }

private:
    pid_t pid_ = -1;
    int in_ = -1, out_ = -1;
    std::string buf_;
};

std::vector<std::string> fd_links(pid_t pid) {
    std::vector<std::string> out;
    const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
    if (DIR* d = ::opendir(dir.c_str())) {
        while (const dirent* e = ::readdir(d)) {
            if (e->d_name[0] == '.') continue;
            char target[4096];
            const std::string path = dir + "/" + e->d_name;
            const ssize_t n = ::readlink(path.c_str(), target, sizeof target);
            out.push_back(std::string(e->d_name) + " -> " + (n > 0 ? std::string(target, static_cast<std::size_t>(n)) : "?"));
        }
        ::closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
}

TEST(BpfEngine, AttachAndStopLeavesTheProcessAsItWas) {
    BPF_ENGINE_OR_SKIP(engine);
    Holder holder(fixture("bpf_holder_fp"));
    ASSERT_GT(holder.pid(), 0);
    ASSERT_EQ(holder.line(), "{\"pid\":" + std::to_string(holder.pid()) + "}");
    const auto before = fd_links(holder.pid());
    ASSERT_EQ(before.size(), 6u);  // stdin, stdout, stderr, /dev/null, the pipe
    Recorder rec;
    StackTable stacks;
    std::atomic<bool> stop = false;
    EngineOptions o = quiet_options();
    o.stop = &stop;
    RunResult r;
    std::thread run([&] { r = engine->attach({holder.pid()}, o, rec, stacks); });
    // Traced once its inventory came; then it opens and closes "/".
    const pid_t pid = holder.pid();
    EXPECT_TRUE(rec.wait_for([&](const FdEvent& e) { return e.op == Op::Reconcile && e.pid == pid; }));
    EXPECT_TRUE(holder.say("go\n"));
    EXPECT_EQ(holder.line(), "{\"ok\":1}");
    EXPECT_TRUE(rec.wait_for([&](const FdEvent& e) { return e.op == Op::Close && e.pid == pid && e.fd == 6; }));
    stop = true;
    run.join();
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.wait_status, -1);
    // Detached: running, the same fds, still answering.
    EXPECT_EQ(::kill(pid, 0), 0);
    EXPECT_EQ(fd_links(pid), before);
    EXPECT_TRUE(holder.say("again\n"));
    EXPECT_EQ(holder.line(), "{\"ok\":1}");

    const auto all = rec.events();
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(all[0].op, Op::Reconcile);
    std::vector<int> present;
    for (std::size_t i = 1; i < all.size() && all[i].op == Op::Present; ++i) present.push_back(all[i].fd);
    EXPECT_EQ(present, (std::vector<int>{0, 1, 2, 3, 4, 5}));
    expect_in_order(calls_of(all, pid), {Want(Op::Openat, 6).cx(false).k(Kind::Dir).n("/"), Want(Op::Close, 6)});
    // The end: its fds as they are at detach.
    const auto last = std::find_if(all.rbegin(), all.rend(), [](const FdEvent& e) { return e.op == Op::Reconcile; });
    ASSERT_NE(last, all.rend());
    EXPECT_NE(last.base() - 1, all.begin());
    const auto procs = rec.processes();
    ASSERT_EQ(procs.count(pid), 1u);
    EXPECT_FALSE(procs.at(pid).exited);
    EXPECT_NE(procs.at(pid).end_ns, 0u);
}

}  // namespace
}  // namespace fdscope::trace
