// Running `fdscope trace` in tests, and every access to its JSON. The field
// names of the report (schema 1, issue 14) and of the --ndjson events are
// read here and nowhere else, so a renamed field is fixed in one place.
#pragma once
#include <gtest/gtest.h>
#include <sys/types.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace fdscope::test {

// ------------------------------------------------------------ running it

struct TraceRun {
    int status = -1;                      // fdscope's exit status, or 128+signal
    nlohmann::json report;                // the --json document (null if none parsed)
    std::vector<nlohmann::json> output;   // other JSON values on stdout: the traced command's lines
    std::string out, err;                 // raw stdout and stderr
};

// The trace fixture NAME (tests/trace/fixture), e.g. "trace_leaker_fp".
std::string trace_fixture(const std::string& name);

// Runs `fdscope trace ARGS` to its end with only fds 0-2 open, stdin from
// /dev/null. ARGS are what a user types after `trace` ("--engine",
// "ptrace", "--", CMD...); "--json" and "--quiet" are added in front of "--"
// (or at the end) unless ARGS hold them already, so stdout carries the
// command's own lines and then the report; quiet=false leaves --quiet out
// (live lines wanted). Throws after 120 s.
TraceRun run_trace(std::vector<std::string> args, bool quiet = true);

// `fdscope trace` running alongside the test, for fixtures that are talked
// to (signals, -p attach): stdin and stdout are pipes, stderr is collected
// by a thread.
class TraceSession {
public:
    // argv is the whole command line (fdscope trace ..., or a fixture alone).
    explicit TraceSession(std::vector<std::string> argv);
    ~TraceSession();
    TraceSession(const TraceSession&) = delete;
    TraceSession& operator=(const TraceSession&) = delete;

    pid_t pid() const { return pid_; }
    // The next stdout line as JSON; throws after 60 s or at EOF.
    nlohmann::json next_json();
    void write_line(const std::string& line);
    void close_stdin();
    // Waits until stderr holds `needle` (true) or 60 s passed (false).
    bool wait_stderr(const std::string& needle);
    // Closes stdin, waits for the exit and parses what is left as TraceRun
    // does; the lines next_json() took are in `output` too.
    TraceRun finish();

private:
    pid_t pid_ = -1;
    int in_ = -1, out_ = -1, err_ = -1;
    std::string buffer_, all_out_;
    std::vector<nlohmann::json> taken_;
    std::thread err_reader_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::string err_text_;
    bool err_done_ = false;
};

// The `fdscope trace` command line for an interactive session: fdscope,
// trace, ARGS with --json/--quiet added as run_trace does.
std::vector<std::string> trace_argv(std::vector<std::string> args, bool quiet = true);

// Waits until fdscope has attached to pid: it says so on stderr ("attached")
// before the first event. false after 60 s.
bool wait_attached(TraceSession& s, pid_t pid);

// "" when `fdscope trace --engine ENGINE` can run here, else why not: the
// first line of its stderr (asked once per engine and test binary).
std::string engine_unavailable(const std::string& engine);

// ------------------------------------------------------- reading the report

struct Frame {
    std::string function, file, module;
    int line = 0;
};

struct LeakGroup {
    pid_t pid = 0;
    int count = 0;
    std::string kind;
    std::vector<std::string> names;
    std::vector<int> fds;  // the fd numbers, when the report lists them
    std::vector<Frame> stack;
};

struct Crossing {
    pid_t pid = 0;
    int fd = -1;
    std::string kind, name, fix;
    pid_t into_pid = 0;
    std::string into_exe;
    std::vector<Frame> stack;
};

struct StaleClose {
    pid_t pid = 0, tid = 0;
    int fd = -1;
    std::vector<Frame> closed_stack;
    pid_t victim_tid = 0;
    std::string victim_name;
    std::vector<Frame> victim_stack;
};

struct EbadfClose {
    pid_t pid = 0;
    int fd = -1;
    int count = 1;
    bool sweep = false;  // classified as a close-all sweep (benign)
    std::vector<Frame> stack;
};

struct ProcessRow {
    pid_t pid = 0, parent = 0;
    std::string command, exe;
    nlohmann::json exit;
};

std::vector<Frame> frames(const nlohmann::json& stack);
std::vector<LeakGroup> leaks(const nlohmann::json& report);
std::vector<Crossing> crossed(const nlohmann::json& report);
std::vector<StaleClose> stale_closes(const nlohmann::json& report);
std::vector<EbadfClose> ebadf_closes(const nlohmann::json& report);
std::vector<ProcessRow> processes(const nlohmann::json& report);
long long lost_events(const nlohmann::json& report);
std::string engine_of(const nlohmann::json& report);
// has_function(), or, on the bpf engine only, a stack of bare addresses
// whose process the report's notes say exited before its maps were read
// (an asynchronous engine cannot hold a process that lives less than its
// reader's latency; ptrace can, and is held to has_function()).
bool names_function(const nlohmann::json& report, const std::vector<Frame>& stack, const std::string& function);
// Whether one of the report's notes contains both `a` and `b`.
bool notes_mention(const nlohmann::json& report, const std::string& a, const std::string& b);

// Function names of a stack, innermost first.
std::vector<std::string> functions(const std::vector<Frame>& stack);
// Whether a frame of the stack is the function `name`: equal, or equal once
// the parameter list is dropped ("leak_fifty" matches "leak_fifty()"),
// "(anonymous namespace)::" ignored on both sides.
bool has_function(const std::vector<Frame>& stack, const std::string& name);
std::string function_key(const std::string& name);
// The leak groups whose stack has `function`.
std::vector<LeakGroup> leaks_from(const nlohmann::json& report, const std::string& function);
// For messages: the report's leak groups as "pid count kind [functions]" lines.
std::string describe_leaks(const nlohmann::json& report);

// ------------------------------------------------------- the event stream

struct TraceEvent {
    pid_t pid = 0, tid = 0;
    std::string op;  // op_name(): "openat", "close", "pipe2", "recvmsg_rights", ...
    long long fd = -1, fd2 = -1, result = 0;
    std::string error;  // "EBADF", "" on success
};

// The --ndjson event log (-o FILE), one event per line.
std::vector<TraceEvent> parse_events(const std::string& ndjson);
// The step an event made, spelled as strace_fd_steps() spells a syscall's
// (peer_parsers.hpp); "" for events that are not a traced syscall (present,
// reconcile, fork, exec, exit).
std::string event_step(const TraceEvent& e);
// Steps per thread, in order.
std::map<pid_t, std::vector<std::string>> steps_by_tid(const std::vector<TraceEvent>& events);

}  // namespace fdscope::test
