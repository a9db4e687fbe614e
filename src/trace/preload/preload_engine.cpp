// make_preload_engine(): `fdscope trace --engine preload -- CMD`. The
// command runs with libfdscope-preload.so in LD_PRELOAD and FDSCOPE_REPORT
// pointing into a private directory; fdscope waits for the whole tree (as
// a child subreaper, so orphans come back to it), then reads one report
// per process image and hands the events to the sink at the end.
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/limits.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>

#include "sys/command_path.hpp"
#include "sys/files.hpp"
#include "sys/unique_fd.hpp"
#include "trace/elf_facts.hpp"
#include "trace/engine.hpp"
#include "trace/preload/report_parse.hpp"
#include "trace/reconcile.hpp"

extern char** environ;

namespace fdscope::trace {
namespace {

constexpr char kLibrary[] = "libfdscope-preload.so";

std::uint64_t monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

std::string self_dir() {
    char buf[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return {};
    std::string p(buf, static_cast<std::size_t>(n));
    const auto slash = p.rfind('/');
    return slash == std::string::npos ? std::string{} : p.substr(0, slash);
}

// Removes the report directory and what is in it (report files only: the
// directory is ours, made by mkdtemp).
void remove_dir(const std::string& dir) {
    if (DIR* d = ::opendir(dir.c_str())) {
        while (dirent* e = ::readdir(d)) {
            if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
            ::unlink((dir + "/" + e->d_name).c_str());
        }
        ::closedir(d);
    }
    ::rmdir(dir.c_str());
}

// The environment of the command: LD_PRELOAD with the library first (a
// preload already there stays after it), FDSCOPE_REPORT into `dir`.
std::vector<std::string> command_env(const std::string& library, const std::string& dir) {
    std::vector<std::string> env;
    std::string preload = library;
    for (char** e = environ; e && *e; ++e) {
        std::string_view v(*e);
        if (v.starts_with("LD_PRELOAD=")) {
            if (v.size() > 11) preload += ":" + std::string(v.substr(11));
            continue;
        }
        if (v.starts_with("FDSCOPE_REPORT=")) continue;
        env.emplace_back(v);
    }
    env.push_back("LD_PRELOAD=" + preload);
    env.push_back("FDSCOPE_REPORT=" + dir + "/report.%p");
    return env;
}

// Build-ids by module path, read once: the processes are gone, the files
// usually are not (a file replaced since gives its new build-id: the
// symbolizer then names what is there now, as for any build-id mismatch).
class Frames {
public:
    RawFrame operator()(const preload::ReportFrame& f) {
        RawFrame r;
        r.pc = f.pc;
        r.is_return_address = true;  // the library keeps return addresses only
        if (f.module.empty() || !f.offset) return r;
        r.module = f.module;
        r.offset = *f.offset;
        auto [it, fresh] = ids_.try_emplace(f.module);
        if (fresh) {
            sys::UniqueFd fd(::open(f.module.c_str(), O_RDONLY | O_CLOEXEC));
            if (fd) it->second = read_elf_facts(fd.get()).build_id;
        }
        r.build_id = it->second;
        return r;
    }

private:
    std::map<std::string, BuildId> ids_;
};

class PreloadEngine final : public Engine {
public:
    explicit PreloadEngine(std::string library) : library_(std::move(library)) {}
    EngineKind kind() const override { return EngineKind::Preload; }

    RunResult launch(const std::vector<std::string>& argv, const EngineOptions& opts, Sink& sink,
                     StackTable& stacks) override {
        (void)opts;  // the library's own stack mode applies (FDSCOPE_STACKS), not --stack-depth
        RunResult result;
        if (argv.empty()) {
            result.error = "no command to run";
            return result;
        }
        const char* tmp = std::getenv("TMPDIR");
        std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/fdscope-preload.XXXXXX";
        if (!::mkdtemp(templ.data())) {
            result.error = fmt::format("cannot make a directory for the reports ({}): {}", templ, std::strerror(errno));
            return result;
        }
        const std::string dir = templ;
        const std::string file = sys::command_path(argv[0]);
        std::vector<std::string> args = argv, env = command_env(library_, dir);
        std::vector<char*> cargv, cenv;
        for (std::string& a : args) cargv.push_back(a.data());
        cargv.push_back(nullptr);
        for (std::string& e : env) cenv.push_back(e.data());
        cenv.push_back(nullptr);

        // What the command gets from fdscope: its fds without close-on-exec.
        preload::Launch launch;
        for (FdEvent& e : reconcile(::getpid(), 0, 0))
            if (e.op == Op::Present && !e.cloexec) launch.inherited.push_back(std::move(e));

        int was_subreaper = 0;
        ::prctl(PR_GET_CHILD_SUBREAPER, &was_subreaper);
        const bool subreaper = ::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
        launch.start_ns = monotonic_ns();
        // The exec's errno comes back through a close-on-exec pipe (nothing
        // arrives when the exec worked).
        int err_pipe[2] = {-1, -1};
        if (::pipe2(err_pipe, O_CLOEXEC) != 0) err_pipe[0] = err_pipe[1] = -1;
        const pid_t pid = ::fork();
        if (pid < 0) {
            result.error = std::string("fork: ") + std::strerror(errno);
            if (err_pipe[0] >= 0) ::close(err_pipe[0]), ::close(err_pipe[1]);
            if (subreaper) ::prctl(PR_SET_CHILD_SUBREAPER, was_subreaper);
            remove_dir(dir);
            return result;
        }
        if (pid == 0) {
            ::execve(file.c_str(), cargv.data(), cenv.data());
            const int err = errno;
            if (err_pipe[1] >= 0) (void)!::write(err_pipe[1], &err, sizeof err);
            ::_exit(err == ENOENT || err == ENOTDIR ? 127 : 126);
        }
        launch.root = pid;
        int exec_error = 0;
        if (err_pipe[0] >= 0) {
            ::close(err_pipe[1]);
            while (::read(err_pipe[0], &exec_error, sizeof exec_error) < 0 && errno == EINTR) {
            }
            ::close(err_pipe[0]);
        }
        // The whole tree: the command, and every orphan of it handed to us.
        for (;;) {
            int status = 0;
            const pid_t w = ::waitpid(-1, &status, 0);
            if (w < 0) {
                if (errno == EINTR) continue;
                break;  // ECHILD: the tree is done
            }
            launch.reaped[w] = {status, monotonic_ns()};
            if (!subreaper && w == pid) break;
        }
        if (subreaper) ::prctl(PR_SET_CHILD_SUBREAPER, was_subreaper);
        result.wait_status = launch.reaped.contains(pid) ? launch.reaped[pid].wait_status : -1;

        std::vector<preload::Report> reports;
        std::vector<std::string> notes;
        if (DIR* d = ::opendir(dir.c_str())) {
            std::vector<std::string> names;
            while (dirent* e = ::readdir(d))
                if (std::string_view(e->d_name).starts_with("report.")) names.emplace_back(e->d_name);
            ::closedir(d);
            std::sort(names.begin(), names.end());
            for (const std::string& n : names) {
                std::string text;
                if (sys::read_all((dir + "/" + n).c_str(), text) != 0) {
                    notes.push_back(fmt::format("report {}: unreadable: {}", n, std::strerror(errno)));
                    continue;
                }
                for (preload::Report& r : preload::parse_reports(text, n, notes)) reports.push_back(std::move(r));
            }
        }
        remove_dir(dir);

        Frames frames;
        preload::Conversion c =
            preload::convert_reports(std::move(reports), launch, stacks, [&](const preload::ReportFrame& f) { return frames(f); });
        for (const ProcessRecord& p : c.processes) sink.process(p);
        for (const FdEvent& e : c.events) sink.event(e);
        for (const auto& v : c.violations)
            notes.push_back(fmt::format("pid {}: close({}) by tid {} closed an fd its {}* owns (an ownership violation: "
                                        "fclose/closedir will close the number again)",
                                        v.pid, v.fd, v.tid, v.owner.empty() ? "FILE" : v.owner));
        result.stats.events = c.events.size();
        result.stats.unwinds = stacks.size();
        for (std::string& n : c.notes) result.stats.notes.push_back(std::move(n));
        for (std::string& n : notes) result.stats.notes.push_back(std::move(n));
        if (exec_error != 0) {
            std::erase_if(result.stats.notes, [&](const std::string& n) { return n.find("wrote no report") != std::string::npos; });
            result.stats.notes.push_back("cannot run " + argv[0] + ": " + std::strerror(exec_error));
        }
        result.ok = true;
        return result;
    }

    RunResult attach(const std::vector<pid_t>& pids, const EngineOptions& opts, Sink& sink,
                     StackTable& stacks) override {
        (void)pids, (void)opts, (void)sink, (void)stacks;
        RunResult r;
        r.error = "the preload engine cannot attach: the library must be loaded when the program starts "
                  "(use --engine ptrace or bpf with -p)";
        return r;
    }

private:
    std::string library_;
};

}  // namespace

std::string find_preload_library(std::string& looked) {
    const std::string dir = self_dir();
    looked.clear();
    if (dir.empty()) {
        looked = "(the running fdscope's own path is unreadable)";
        return {};
    }
    for (const std::string& p : {dir + "/" + kLibrary, dir + "/" FDSCOPE_PRELOAD_FROM_BIN "/" + kLibrary}) {
        looked += (looked.empty() ? "" : ", ") + p;
        struct stat st {};
        if (::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
            char real[PATH_MAX];
            return ::realpath(p.c_str(), real) ? std::string(real) : p;
        }
    }
    return {};
}

std::unique_ptr<Engine> make_preload_engine(std::string& why) {
    std::string looked;
    std::string lib = find_preload_library(looked);
    if (lib.empty()) {
        why = kLibrary + std::string(" not found (looked at ") + looked + ")";
        return nullptr;
    }
    return std::make_unique<PreloadEngine>(std::move(lib));
}

}  // namespace fdscope::trace
