#include "trace/trace_helpers.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/support.hpp"

namespace fdscope::test {
namespace {

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

// Starts argv with stdin/stdout/stderr on the given fds and nothing else
// open: a traced command must not inherit the test's fds (ctest's log).
pid_t spawn_clean(const std::vector<std::string>& argv, int in, int out, int err) {
    std::vector<char*> v;
    for (const auto& a : argv) v.push_back(const_cast<char*>(a.c_str()));
    v.push_back(nullptr);
    pid_t pid = fork();
    if (pid < 0) fail("fork");
    if (pid == 0) {
        setpgid(0, 0);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        syscall(SYS_close_range, 3U, ~0U, 0U);
        execvp(v[0], v.data());
        _exit(127);
    }
    setpgid(pid, pid);
    return pid;
}

int wait_status(pid_t pid) {
    int st = 0;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// Every JSON value on stdout, in order: the report is the object whose
// "command" is "trace"; the rest are the traced command's own lines.
void split_output(TraceRun& r) {
    std::istringstream in(r.out);
    for (;;) {
        in >> std::ws;
        if (in.peek() == EOF) break;
        nlohmann::json v;
        try {
            in >> v;
        } catch (const std::exception&) {
            // Not JSON (a command printing text): skip the line.
            in.clear();
            std::string skipped;
            std::getline(in, skipped);
            continue;
        }
        if (v.is_object() && v.value("command", "") == "trace" && v.contains("schema")) r.report = std::move(v);
        else r.output.push_back(std::move(v));
    }
}

bool has_arg(const std::vector<std::string>& args, const std::string& a) {
    auto end = std::find(args.begin(), args.end(), std::string("--"));
    return std::find(args.begin(), end, a) != end;
}

void add_before_command(std::vector<std::string>& args, const std::string& a) {
    if (has_arg(args, a)) return;
    auto dashdash = std::find(args.begin(), args.end(), std::string("--"));
    args.insert(dashdash, a);
}

std::string drain(int fd, std::chrono::seconds limit) {
    std::string text;
    auto deadline = std::chrono::steady_clock::now() + limit;
    char buf[65536];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) throw std::runtime_error("fdscope trace did not finish in time");
        pollfd p{fd, POLLIN, 0};
        int r = poll(&p, 1, static_cast<int>(left.count()));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) continue;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return text;
        text.append(buf, static_cast<std::size_t>(n));
    }
}

std::string str(const nlohmann::json& j, const char* key) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
    return j[key].get<std::string>();
}
long long num(const nlohmann::json& j, const char* key, long long fallback) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return fallback;
    return j[key].get<long long>();
}
const nlohmann::json& arr(const nlohmann::json& j, const char* key) {
    static const nlohmann::json empty = nlohmann::json::array();
    if (!j.is_object() || !j.contains(key) || !j[key].is_array()) return empty;
    return j[key];
}

}  // namespace

std::string trace_fixture(const std::string& name) { return std::string(FDSCOPE_TRACE_FIXTURES) + "/" + name; }

std::vector<std::string> trace_argv(std::vector<std::string> args, bool quiet) {
    add_before_command(args, "--json");
    if (quiet) add_before_command(args, "--quiet");
    args.insert(args.begin(), {fdscope_bin(), "trace"});
    return args;
}

TraceRun run_trace(std::vector<std::string> args, bool quiet) {
    std::vector<std::string> argv = trace_argv(std::move(args), quiet);
    int out[2];
    if (pipe2(out, O_CLOEXEC) < 0) fail("pipe2");
    int err = memfd_create("trace-stderr", MFD_CLOEXEC);
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (err < 0 || in < 0) fail("memfd_create");
    pid_t pid = spawn_clean(argv, in, out[1], err);
    close(out[1]);
    close(in);
    TraceRun r;
    try {
        r.out = drain(out[0], std::chrono::seconds(120));
    } catch (...) {
        kill(-pid, SIGKILL);
        wait_status(pid);
        close(out[0]);
        close(err);
        throw;
    }
    close(out[0]);
    r.status = wait_status(pid);
    lseek(err, 0, SEEK_SET);
    r.err = drain(err, std::chrono::seconds(5));
    close(err);
    split_output(r);
    return r;
}

TraceSession::TraceSession(std::vector<std::string> argv) {
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) fail("pipe2");
    pid_ = spawn_clean(argv, in[0], out[1], err[1]);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    in_ = in[1];
    out_ = out[0];
    err_ = err[0];
    err_reader_ = std::thread([this] {
        char buf[4096];
        for (;;) {
            ssize_t n = read(err_, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            std::lock_guard lock(mu_);
            if (n <= 0) {
                err_done_ = true;
                cv_.notify_all();
                return;
            }
            err_text_.append(buf, static_cast<std::size_t>(n));
            cv_.notify_all();
        }
    });
}

TraceSession::~TraceSession() {
    if (pid_ > 0) {
        kill(-pid_, SIGKILL);
        kill(pid_, SIGKILL);
        wait_status(pid_);
    }
    if (in_ >= 0) close(in_);
    if (out_ >= 0) close(out_);
    if (err_reader_.joinable()) err_reader_.join();
    if (err_ >= 0) close(err_);
}

nlohmann::json TraceSession::next_json() {
    for (;;) {
        auto nl = buffer_.find('\n');
        if (nl != std::string::npos) {
            std::string line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            all_out_ += line + "\n";
            nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
            if (j.is_discarded()) continue;
            taken_.push_back(j);
            return j;
        }
        pollfd p{out_, POLLIN, 0};
        int r = poll(&p, 1, 60000);
        if (r == 0) throw std::runtime_error("no output line within 60 s");
        if (r < 0 && errno == EINTR) continue;
        char chunk[4096];
        ssize_t n = read(out_, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error("stdout ended before the next line");
        buffer_.append(chunk, static_cast<std::size_t>(n));
    }
}

void TraceSession::write_line(const std::string& line) {
    std::string s = line + "\n";
    if (write(in_, s.data(), s.size()) != static_cast<ssize_t>(s.size())) fail("write to stdin");
}

void TraceSession::close_stdin() {
    if (in_ >= 0) close(in_);
    in_ = -1;
}

bool TraceSession::wait_stderr(const std::string& needle) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(60),
                        [&] { return err_text_.find(needle) != std::string::npos || err_done_; }) &&
           err_text_.find(needle) != std::string::npos;
}

TraceRun TraceSession::finish() {
    close_stdin();
    TraceRun r;
    r.out = all_out_ + buffer_ + drain(out_, std::chrono::seconds(120));
    buffer_.clear();
    r.status = wait_status(pid_);
    pid_ = -1;
    if (err_reader_.joinable()) err_reader_.join();
    r.err = err_text_;
    split_output(r);
    return r;
}

bool wait_attached(TraceSession& s, pid_t) { return s.wait_stderr("attached"); }

std::string engine_unavailable(const std::string& engine) {
    static std::map<std::string, std::string> cache;
    auto it = cache.find(engine);
    if (it != cache.end()) return it->second;
    TraceRun r = run_trace({"--engine", engine, "--", "/bin/true"});
    std::string why;
    if (r.status != 0 || r.report.is_null()) {
        why = r.err.substr(0, r.err.find('\n'));
        if (why.empty()) why = "fdscope trace --engine " + engine + " exited with status " + std::to_string(r.status);
    }
    return cache[engine] = why;
}

// ------------------------------------------------------------ the report

std::vector<Frame> frames(const nlohmann::json& stack) {
    std::vector<Frame> out;
    if (!stack.is_array()) return out;
    for (const auto& f : stack) {
        Frame fr;
        fr.function = str(f, "function");
        fr.file = str(f, "file");
        fr.module = str(f, "module");
        fr.line = static_cast<int>(num(f, "line", 0));
        out.push_back(std::move(fr));
    }
    return out;
}

std::vector<LeakGroup> leaks(const nlohmann::json& report) {
    std::vector<LeakGroup> out;
    for (const auto& l : arr(report, "leaks")) {
        LeakGroup g;
        g.pid = static_cast<pid_t>(num(l, "pid", 0));
        g.count = static_cast<int>(num(l, "count", 0));
        g.kind = str(l, "kind");
        for (const auto& n : arr(l, "names"))
            if (n.is_string()) g.names.push_back(n.get<std::string>());
        for (const auto& f : arr(l, "fds"))
            if (f.is_number()) g.fds.push_back(f.get<int>());
        g.stack = frames(l.value("stack", nlohmann::json::array()));
        out.push_back(std::move(g));
    }
    return out;
}

std::vector<Crossing> crossed(const nlohmann::json& report) {
    std::vector<Crossing> out;
    for (const auto& c : arr(report, "crossed_exec")) {
        Crossing x;
        x.pid = static_cast<pid_t>(num(c, "pid", 0));
        x.fd = static_cast<int>(num(c, "fd", -1));
        x.kind = str(c, "kind");
        x.name = str(c, "name");
        x.fix = str(c, "fix");
        if (c.contains("into")) {
            x.into_pid = static_cast<pid_t>(num(c["into"], "pid", 0));
            x.into_exe = str(c["into"], "exe");
        }
        x.stack = frames(c.value("stack", nlohmann::json::array()));
        out.push_back(std::move(x));
    }
    return out;
}

std::vector<StaleClose> stale_closes(const nlohmann::json& report) {
    std::vector<StaleClose> out;
    for (const auto& s : arr(report, "stale_closes")) {
        StaleClose x;
        x.pid = static_cast<pid_t>(num(s, "pid", 0));
        x.tid = static_cast<pid_t>(num(s, "tid", 0));
        x.fd = static_cast<int>(num(s, "fd", -1));
        x.closed_stack = frames(s.value("closed_stack", nlohmann::json::array()));
        if (s.contains("victim")) {
            const auto& v = s["victim"];
            x.victim_tid = static_cast<pid_t>(num(v, "tid", 0));
            x.victim_name = str(v, "name");
            x.victim_stack = frames(v.value("stack", nlohmann::json::array()));
        }
        out.push_back(std::move(x));
    }
    return out;
}

std::vector<EbadfClose> ebadf_closes(const nlohmann::json& report) {
    std::vector<EbadfClose> out;
    for (const auto& e : arr(report, "ebadf_closes")) {
        EbadfClose x;
        x.pid = static_cast<pid_t>(num(e, "pid", 0));
        x.fd = static_cast<int>(num(e, "fd", -1));
        x.count = static_cast<int>(num(e, "count", 1));
        x.sweep = (e.contains("sweep") && e["sweep"].is_boolean() && e["sweep"].get<bool>()) ||
                  str(e, "class") == "sweep";
        x.stack = frames(e.value("stack", nlohmann::json::array()));
        out.push_back(std::move(x));
    }
    return out;
}

std::vector<ProcessRow> processes(const nlohmann::json& report) {
    std::vector<ProcessRow> out;
    for (const auto& p : arr(report, "processes")) {
        ProcessRow x;
        x.pid = static_cast<pid_t>(num(p, "pid", 0));
        x.parent = static_cast<pid_t>(num(p, "parent", 0));
        x.command = str(p, "command");
        x.exe = str(p, "exe");
        x.exit = p.value("exit", nlohmann::json());
        out.push_back(std::move(x));
    }
    return out;
}

long long lost_events(const nlohmann::json& report) { return num(report, "lost_events", -1); }
std::string engine_of(const nlohmann::json& report) { return str(report, "engine"); }

bool names_function(const nlohmann::json& report, const std::vector<Frame>& stack, const std::string& function) {
    if (has_function(stack, function)) return true;
    const bool bare = std::all_of(stack.begin(), stack.end(), [](const Frame& f) { return f.function.empty(); });
    return engine_of(report) == "bpf" && bare && notes_mention(report, "in no mapping read", "exited");
}

bool notes_mention(const nlohmann::json& report, const std::string& a, const std::string& b) {
    if (!report.contains("notes") || !report["notes"].is_array()) return false;
    for (const auto& n : report["notes"]) {
        if (!n.is_string()) continue;
        const std::string t = n.get<std::string>();
        if (t.find(a) != std::string::npos && t.find(b) != std::string::npos) return true;
    }
    return false;
}

std::vector<std::string> functions(const std::vector<Frame>& stack) {
    std::vector<std::string> out;
    for (const auto& f : stack) out.push_back(f.function);
    return out;
}

std::string function_key(const std::string& name) {
    std::string s = name;
    const std::string anon = "(anonymous namespace)::";
    for (std::size_t p; (p = s.find(anon)) != std::string::npos;) s.erase(p, anon.size());
    // Drop the parameter list: the last top-level "(...)" at the end.
    if (!s.empty() && s.back() == ')') {
        int depth = 0;
        for (std::size_t i = s.size(); i-- > 0;) {
            if (s[i] == ')') ++depth;
            else if (s[i] == '(' && --depth == 0) {
                s.erase(i);
                break;
            }
        }
    }
    return s;
}

bool has_function(const std::vector<Frame>& stack, const std::string& name) {
    std::string want = function_key(name);
    return std::any_of(stack.begin(), stack.end(), [&](const Frame& f) { return function_key(f.function) == want; });
}

std::vector<LeakGroup> leaks_from(const nlohmann::json& report, const std::string& function) {
    std::vector<LeakGroup> out;
    for (auto& g : leaks(report))
        if (has_function(g.stack, function)) out.push_back(std::move(g));
    return out;
}

std::string describe_leaks(const nlohmann::json& report) {
    std::string s;
    for (const auto& g : leaks(report)) {
        s += std::to_string(g.pid) + " " + std::to_string(g.count) + " " + g.kind + " [";
        for (const auto& f : functions(g.stack)) s += f + " ";
        s += "]\n";
    }
    return s.empty() ? "(no leaks)\n" : s;
}

// ------------------------------------------------------------ the events

std::vector<TraceEvent> parse_events(const std::string& ndjson) {
    std::vector<TraceEvent> out;
    std::istringstream in(ndjson);
    std::string line;
    while (std::getline(in, line)) {
        nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_object()) continue;
        TraceEvent e;
        e.pid = static_cast<pid_t>(num(j, "pid", 0));
        e.tid = static_cast<pid_t>(num(j, "tid", e.pid));
        e.op = str(j, "op");
        e.fd = num(j, "fd", -1);
        e.fd2 = num(j, "fd2", -1);
        e.result = num(j, "result", 0);
        if (j.contains("errno") && j["errno"].is_string()) e.error = j["errno"].get<std::string>();
        out.push_back(std::move(e));
    }
    return out;
}

std::string event_step(const TraceEvent& e) {
    auto result = [&](long long ok) { return e.error.empty() ? std::to_string(ok) : e.error; };
    static const std::vector<std::string> kDup = {"dup", "dup2", "dup3", "fcntl_dupfd", "fcntl_dupfd_cloexec"};
    static const std::vector<std::string> kTwo = {"pipe", "pipe2", "socketpair"};
    static const std::vector<std::string> kNone = {"present", "reconcile", "lost", "fork", "vfork", "clone",
                                                   "unshare", "execve", "execveat", "exit"};
    auto in = [&](const std::vector<std::string>& v) { return std::find(v.begin(), v.end(), e.op) != v.end(); };
    if (e.op.empty() || in(kNone)) return "";
    if (e.op == "close") return "close " + std::to_string(e.fd) + " -> " + result(0);
    if (e.op == "close_range")
        return "close_range " + std::to_string(e.fd) + "," +
               std::to_string(static_cast<std::uint32_t>(e.fd2)) + " -> " + result(0);
    if (e.op == "fcntl_setfd") return "fcntl_setfd " + std::to_string(e.fd) + " -> " + result(0);
    if (in(kDup)) return e.op + " " + std::to_string(e.fd) + " -> " + result(e.fd2);
    if (in(kTwo)) return e.op + " -> " + (e.error.empty() ? std::to_string(e.fd) + "," + std::to_string(e.fd2) : e.error);
    return e.op + " -> " + result(e.fd);
}

std::map<pid_t, std::vector<std::string>> steps_by_tid(const std::vector<TraceEvent>& events) {
    std::map<pid_t, std::vector<std::string>> out;
    for (const auto& e : events)
        if (std::string s = event_step(e); !s.empty()) out[e.tid].push_back(s);
    return out;
}

}  // namespace fdscope::test
