// make_ptrace_engine(): launch a command under a seccomp filter, or attach
// to running processes, and run the Tracer until the tree is done.
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "sys/command_path.hpp"
#include "trace/engine.hpp"
#include "trace/ptrace/process_facts.hpp"
#include "trace/ptrace/seccomp_filter.hpp"
#include "trace/ptrace/tracer.hpp"

namespace fdscope::trace {

namespace {

using ptrace::StopMode;

constexpr long kLaunchOptions = PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT |
                                PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
                                PTRACE_O_TRACESECCOMP;

// The filter's syscalls: the decoder's, and the process calls whose stops
// give the clone flags (a shared or a copied fd table) and the exec's file.
std::vector<long> filter_syscalls() {
    const std::span<const long> fd_calls = traced_syscalls(Abi::X86_64);
    std::vector<long> nrs(fd_calls.begin(), fd_calls.end());
    for (const long nr : {SYS_clone, SYS_clone3, SYS_fork, SYS_vfork, SYS_execve, SYS_execveat}) nrs.push_back(nr);
    std::sort(nrs.begin(), nrs.end());
    nrs.erase(std::unique(nrs.begin(), nrs.end()), nrs.end());
    return nrs;
}

// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void run_child(const char* file, const std::vector<char*>& argv, const ptrace::FilterProgram& filter) {
    if (!filter.program.empty()) ptrace::install_trace_filter(filter.program);
    // Stopped until the parent has seized us (it sends SIGCONT then), so
    // that the exec and everything after it is traced.
    ::kill(::getpid(), SIGSTOP);
    ::execv(file, argv.data());
    // As a shell does: 127 for a command not found, 126 for one that cannot run.
    ::_exit(errno == ENOENT || errno == ENOTDIR ? 127 : 126);
}

class PtraceEngine final : public Engine {
public:
    EngineKind kind() const override { return EngineKind::Ptrace; }

    RunResult launch(const std::vector<std::string>& argv, const EngineOptions& opts, Sink& sink,
                     StackTable& stacks) override {
        RunResult result;
        if (argv.empty()) {
            result.error = "no command to run";
            return result;
        }
        const ptrace::FilterProgram filter = ptrace::build_trace_filter(filter_syscalls());
        std::vector<std::string> args = argv;
        std::vector<char*> cargv;
        for (std::string& a : args) cargv.push_back(a.data());
        cargv.push_back(nullptr);
        const int filters_before = ptrace::read_seccomp_filter_count(::getpid());
        // PATH is searched here, not in the traced child (sys/command_path.hpp).
        const std::string file = sys::command_path(argv[0]);

        const pid_t pid = ::fork();
        if (pid < 0) {
            result.error = std::string("fork: ") + std::strerror(errno);
            return result;
        }
        if (pid == 0) run_child(file.c_str(), cargv, filter);

        int status = 0;
        pid_t waited = 0;
        while ((waited = ::waitpid(pid, &status, WUNTRACED)) < 0 && errno == EINTR) {
        }
        if (waited != pid || !WIFSTOPPED(status)) {
            result.error = "the child ended before it could be traced";
            if (waited == pid) result.wait_status = status;
            return result;
        }
        if (::ptrace(PTRACE_SEIZE, pid, nullptr, reinterpret_cast<void*>(kLaunchOptions)) != 0) {
            const int err = errno;
            ::kill(pid, SIGKILL);
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            result.error = std::string("cannot trace the command: ptrace: ") + std::strerror(err) +
                           (err == EPERM ? " (ptrace is not allowed here: a container or Yama's ptrace_scope?)" : "");
            return result;
        }
        // Whether the filter went in: one more filter than we have.
        const int filters_after = ptrace::read_seccomp_filter_count(pid);
        const bool filtered = !filter.program.empty() && filters_before >= 0 && filters_after == filters_before + 1;
        if (!filtered) {
            result.stats.notes.push_back("no seccomp filter could be installed" +
                                         (filter.error.empty() ? std::string() : " (" + filter.error + ")") +
                                         ": every syscall stops");
        }
        ptrace::Tracer tracer(filtered ? StopMode::Seccomp : StopMode::EverySyscall, opts, sink, stacks, result.stats);
        tracer.add_launched(pid);
        ::kill(pid, SIGCONT);
        tracer.run();
        result.ok = true;
        result.wait_status = tracer.root_wait_status();
        if (const int err = tracer.root_exec_error(); err != 0)
            result.stats.notes.push_back("cannot run " + argv[0] + ": " + std::strerror(err));
        return result;
    }

    RunResult attach(const std::vector<pid_t>& pids, const EngineOptions& opts, Sink& sink,
                     StackTable& stacks) override {
        RunResult result;
        if (pids.empty()) {
            result.error = "no process to attach to";
            return result;
        }
        ptrace::Tracer tracer(StopMode::EverySyscall, opts, sink, stacks, result.stats);
        for (const pid_t pid : pids) {
            if (std::string why = tracer.attach(pid); !why.empty()) {
                tracer.abandon();
                result.error = std::move(why);
                return result;
            }
        }
        tracer.run();
        result.ok = true;
        return result;
    }
};

}  // namespace

std::unique_ptr<Engine> make_ptrace_engine() { return std::make_unique<PtraceEngine>(); }

}  // namespace fdscope::trace
