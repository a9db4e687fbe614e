// The BPF engine: make_bpf_engine() loads trace.bpf.c (that is the check
// `auto` relies on), launch() and attach() run a TraceSession over it.
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <deque>
#include <set>

#include "procfs/parse_stat.hpp"
#include "sys/errno_text.hpp"
#include "sys/proc_io.hpp"
#include "sys/unique_fd.hpp"
#include "trace/bpf/trace_program.hpp"
#include "trace/bpf/trace_session.hpp"
#include "sys/command_path.hpp"
#include "trace/engine.hpp"

namespace fdscope::trace {
namespace {

constexpr int kPollMs = 10;
constexpr std::uint64_t kVanishCheckNs = 200'000'000;  // after losses: how often /proc is asked

bool options_from_env(ProgramOptions& o, std::string& why) {
    const char* refuse = std::getenv("FDSCOPE_BPF_TRACE_REFUSE");
    return !refuse || parse_trace_refusals(refuse, o, why);
}

// Every process whose parent is in `set`, transitively (attach: the
// existing descendants), with its parent.
std::vector<std::pair<pid_t, pid_t>> descendants(const std::set<pid_t>& roots) {
    std::vector<std::pair<pid_t, pid_t>> by_parent;  // (pid, ppid)
    sys::UniqueFd proc(::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    std::vector<std::int32_t> pids;
    if (!proc || sys::list_numeric(proc.get(), pids) != 0) return {};
    std::string buf;
    for (const std::int32_t pid : pids) {
        const std::string path = std::to_string(pid) + "/stat";
        if (sys::read_file_at(proc.get(), path.c_str(), buf, sys::ReadMode::SingleRecord) != 0) continue;
        if (const auto st = procfs::parse_stat(buf)) by_parent.emplace_back(pid, st->ppid);
    }
    std::set<pid_t> in = roots;
    std::vector<std::pair<pid_t, pid_t>> out;
    for (bool grew = true; grew;) {
        grew = false;
        for (const auto& [pid, ppid] : by_parent)
            if (in.count(ppid) && !in.count(pid)) {
                in.insert(pid);
                out.emplace_back(pid, ppid);
                grew = true;
            }
    }
    return out;
}

bool exists(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

class BpfEngine final : public Engine {
public:
    BpfEngine(std::unique_ptr<TraceProgram> program, ProgramOptions options, std::vector<std::string> notes)
        : program_(std::move(program)), options_(options), load_notes_(std::move(notes)) {}

    EngineKind kind() const override { return EngineKind::Bpf; }

    RunResult launch(const std::vector<std::string>& argv, const EngineOptions& opts, Sink& sink,
                     StackTable& stacks) override;
    RunResult attach(const std::vector<pid_t>& pids, const EngineOptions& opts, Sink& sink,
                     StackTable& stacks) override;

private:
    // A program for this run: the one loaded, emptied of the last run's
    // state (the traced set, the loss counters), when its ring has the
    // size asked; else a new one.
    bool prepare(const EngineOptions& opts, std::string& why);
    RunResult finish(TraceSession& session, RunResult r);

    std::unique_ptr<TraceProgram> program_;
    ProgramOptions options_;
    std::vector<std::string> load_notes_;
    bool used_ = false;
};

bool BpfEngine::prepare(const EngineOptions& opts, std::string& why) {
    if (program_ && program_->ring_bytes() == ring_size_for(opts.ring_bytes)) {
        if (used_) program_->reset();
    } else {
        program_.reset();
        ProgramOptions o = options_;
        o.ring_bytes = ring_size_for(opts.ring_bytes);
        load_notes_.clear();
        program_ = TraceProgram::load(o, why, load_notes_);
        if (!program_) return false;
    }
    used_ = true;
    program_->set_stack_frames(opts.stacks.enabled ? opts.stacks.depth : 0);
    return true;
}

RunResult BpfEngine::finish(TraceSession& session, RunResult r) {
    r.stats = session.take_stats();
    r.stats.notes.insert(r.stats.notes.begin(), load_notes_.begin(), load_notes_.end());
    return r;
}

RunResult BpfEngine::launch(const std::vector<std::string>& argv, const EngineOptions& opts, Sink& sink,
                            StackTable& stacks) {
    RunResult r;
    if (argv.empty()) {
        r.error = "no command to run";
        return r;
    }
    if (!prepare(opts, r.error)) return r;
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);

    // go: the child waits on it until its pid is traced. err: its exec's
    // errno when the exec fails (closed on exec otherwise).
    int go[2], err[2];
    if (::pipe2(go, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
        r.error = "cannot make a pipe: " + sys::errno_text(errno, sys::ErrnoNumber::Shown);
        return r;
    }
    sys::UniqueFd go_read(go[0]), go_write(go[1]), err_read(err[0]), err_write(err[1]);
    // PATH is searched here, not in the traced child (sys/command_path.hpp).
    const std::string file = sys::command_path(args[0]);
    // A static binary's own C library: its wrappers' first calls walk too.
    program_->add_cfi_signatures(file);
    const pid_t child = ::fork();
    if (child < 0) {
        r.error = "cannot fork: " + sys::errno_text(errno, sys::ErrnoNumber::Shown);
        return r;
    }
    if (child == 0) {
        // Async-signal-safe calls only: the parent may have threads.
        char c = 0;
        ssize_t n;
        while ((n = ::read(go[0], &c, 1)) < 0 && errno == EINTR) {
        }
        if (n != 1) ::_exit(127);  // the engine gave up before releasing it
        ::execv(file.c_str(), args.data());
        const int e = errno;
        [[maybe_unused]] ssize_t w = ::write(err[1], &e, sizeof e);
        ::_exit(127);
    }
    go_read = sys::UniqueFd();
    err_write = sys::UniqueFd();

    TraceSession session(*program_, opts, sink, stacks);
    auto abandon = [&](std::string why) {
        go_write = sys::UniqueFd();  // the child exits without running anything
        int status = 0;
        while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
        program_->detach();
        r.error = std::move(why);
        return r;
    };
    if (!program_->trace(child)) return abandon("cannot add the child to the traced set: " +
                                                 sys::errno_text(errno, sys::ErrnoNumber::Shown));
    std::string why;
    if (!program_->attach(why)) return abandon(why);
    session.begin(child, 0);
    if (::write(go_write.get(), "x", 1) != 1) return abandon("cannot release the child: " +
                                                             sys::errno_text(errno, sys::ErrnoNumber::Shown));
    go_write = sys::UniqueFd();

    bool reaped = false;
    int status = -1;
    std::uint64_t last_check = 0;
    while (!reaped || session.alive()) {
        session.poll(kPollMs);
        if (!reaped) {
            int st = 0;
            const pid_t w = ::waitpid(child, &st, WNOHANG);
            if (w == child) {
                reaped = true;
                status = st;
                // Its exit record is in the ring by now: read it first.
                session.poll(0);
                session.reaped(child, st);
            } else if (w < 0 && errno == ECHILD) {
                reaped = true;
            }
        }
        // Only losses can hide an exit: then /proc says who is gone.
        if (session.had_losses() && monotonic_ns() - last_check > kVanishCheckNs) {
            session.drop_vanished();
            last_check = monotonic_ns();
        }
    }
    program_->detach();
    session.finish(false);
    int exec_errno = 0;
    if (::read(err_read.get(), &exec_errno, sizeof exec_errno) == sizeof exec_errno) {
        r.error = "cannot run " + argv[0] + ": " + sys::errno_text(exec_errno, sys::ErrnoNumber::Hidden);
        r.wait_status = status;
        return finish(session, r);
    }
    r.ok = true;
    r.wait_status = status;
    return finish(session, r);
}

RunResult BpfEngine::attach(const std::vector<pid_t>& pids, const EngineOptions& opts, Sink& sink,
                            StackTable& stacks) {
    RunResult r;
    for (pid_t pid : pids)
        if (pid <= 0 || !exists(pid)) {
            r.error = "no process " + std::to_string(pid);
            return r;
        }
    if (!prepare(opts, r.error)) return r;
    TraceSession session(*program_, opts, sink, stacks);
    std::set<pid_t> roots(pids.begin(), pids.end());
    for (pid_t pid : roots)
        if (!program_->trace(pid)) {
            r.error = "cannot add process " + std::to_string(pid) + " to the traced set: " +
                      sys::errno_text(errno, sys::ErrnoNumber::Shown);
            return r;
        }
    std::string why;
    if (!program_->attach(why)) {
        r.error = why;
        return r;
    }
    // Children forked from here on are added by the fork program; the
    // ones that exist already come from /proc.
    const auto family = descendants(roots);
    for (const auto& [pid, ppid] : family) program_->trace(pid);
    for (pid_t pid : roots) session.begin(pid, 0);
    for (const auto& [pid, ppid] : family) session.begin(pid, ppid);
    sink.attached(pids, "bpf: the processes do not stop");

    std::uint64_t last_check = 0;
    while (session.alive() && !(opts.stop && opts.stop->load())) {
        session.poll(kPollMs);
        if (session.had_losses() && monotonic_ns() - last_check > kVanishCheckNs) {
            session.drop_vanished();
            last_check = monotonic_ns();
        }
    }
    // Detaching is unloading the programs: the processes are untouched.
    program_->detach();
    session.finish(true);
    r.ok = true;
    return finish(session, r);
}

}  // namespace

std::unique_ptr<Engine> make_bpf_engine(std::string& why) {
    struct stat st {};
    if (::stat("/sys/kernel/btf/vmlinux", &st) != 0) {
        why = "the kernel has no BTF (/sys/kernel/btf/vmlinux): the BPF engine needs it for its tp_btf programs";
        return nullptr;
    }
    ProgramOptions options;
    if (!options_from_env(options, why)) return nullptr;
    std::vector<std::string> notes;
    std::unique_ptr<TraceProgram> program = TraceProgram::load(options, why, notes);
    if (!program) {
        if (::geteuid() != 0) why = "not root: " + why;
        return nullptr;
    }
    return std::make_unique<BpfEngine>(std::move(program), options, std::move(notes));
}

}  // namespace fdscope::trace
