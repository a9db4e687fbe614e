// `fdscope trace`: the fd lifecycle of a command's process tree or of
// running processes, with the stacks that created what leaked, crossed an
// exec or was closed by the wrong thread.
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <charconv>
#include <cstdio>
#include <map>
#include <memory>

#include "cli/commands.hpp"
#include "cli/exit_status.hpp"
#include "cli/terminal.hpp"
#include "cli/trace_why.hpp"
#include "render/output.hpp"
#include "render/trace_line.hpp"
#include "render/trace_view.hpp"
#include "report/trace_classes.hpp"
#include "report/trace_ledger.hpp"
#include "report/trace_report.hpp"
#include "trace/engine.hpp"
#include "trace/stack_symbols.hpp"

namespace fdscope::cli {

inline constexpr int kExitEngine = 3;

void add_trace(CLI::App& cmd, TraceArgs& a) {
    cmd.add_option("-p,--pid", a.pids, "attach to these running processes (every thread; Ctrl-C detaches and reports)")
        ->delimiter(',')
        ->option_text("PID[,PID...]");
    cmd.add_option("--engine", a.engine,
                   "bpf (root, BTF), ptrace (any user, any binary), preload (libfdscope-preload.so in the command: "
                   "dynamic binaries, no -p, events at the end), or auto: bpf when it loads")
        ->option_text("auto|bpf|ptrace|preload")
        ->default_str("auto");
    auto* on = cmd.add_flag("--stacks", a.stacks, "capture the user stack of every fd syscall (the default)");
    cmd.add_flag("--no-stacks", a.no_stacks, "capture no stacks (faster; the report names no call sites)")->excludes(on);
    cmd.add_option("--stack-depth", a.stack_depth, "frames kept per stack")->option_text("N")->default_str("32");
    cmd.add_option("-e", a.classes, "what is printed live: open, socket, pipe, dup, close, exec, pass, all (bookkeeping sees everything)")
        ->delimiter(',')
        ->option_text("CLASS[,...]");
    cmd.add_option("-o", a.output, "write the live event log to FILE instead of standard error")->option_text("FILE");
    cmd.add_flag("--ndjson", a.ndjson, "live events as one JSON object per line (docs/json.md)");
    cmd.add_flag("--json", a.json, "the final report as one JSON document on standard output (schema 1, docs/json.md)");
    cmd.add_flag("--quiet", a.quiet, "no live events: the report only");
    cmd.add_flag("--why", a.why, "explain each distinct failing path operation with `fdscope why`, as the traced thread");
    cmd.add_option("--fail-on", a.fail_on, "exit 1 when a finding of these kinds exists: leak, crossed-exec, stale-close, double-close")
        ->delimiter(',')
        ->option_text("KIND[,...]");
    cmd.add_option("--max-leaks", a.max_leaks, "with --fail-on leak: tolerate up to N leaked fds")->option_text("N");
    cmd.add_option("command", a.command, "the command to launch and trace, after --")->option_text("-- CMD [ARGS...]");
}

namespace {

std::atomic<bool> g_stop{false};

void on_stop_signal(int) { g_stop.store(true); }

int usage(const std::string& msg) {
    std::fprintf(stderr, "fdscope trace: %s\n", msg.c_str());
    return kExitUsage;
}

// Attach: Ctrl-C and SIGTERM detach and report. Launch: the command gets
// them from the terminal; fdscope keeps tracing to its end. A handler (not
// SIG_IGN) in both cases: handlers are reset by exec, SIG_IGN would be
// inherited by the command.
void install_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: the engine's wait returns EINTR and looks at the flag
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGQUIT, &sa, nullptr);
}

// The shell's convention for the command's end: its exit code, or 128 +
// the signal that killed it.
int status_of(int wait_status) {
    if (wait_status < 0) return kExitOk;
    if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
    if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
    return kExitFailure;
}

struct EngineChoice {
    std::unique_ptr<trace::Engine> engine;
    std::string bpf_refused;  // why auto did not take bpf
};

// --why asks about the traced thread as it was when its call failed: only
// ptrace holds it stopped there, so `auto` takes ptrace for --why.
std::optional<EngineChoice> choose_engine(const std::string& name, bool why, std::string& error) {
    EngineChoice c;
    if (name == "ptrace" || (name == "auto" && why)) {
        c.engine = trace::make_ptrace_engine();
        return c;
    }
    if (name == "preload") {
        std::string why_not;
        c.engine = trace::make_preload_engine(why_not);
        if (!c.engine) {
            error = "the preload engine is not available: " + why_not;
            return std::nullopt;
        }
        return c;
    }
    if (name != "bpf" && name != "auto") {
        error = "--engine is auto, bpf, ptrace or preload, not '" + name + "'";
        return std::nullopt;
    }
    c.engine = trace::make_bpf_engine(c.bpf_refused);
    if (c.engine) return c;
    if (name == "bpf") {
        error = "the BPF engine is not available: " + c.bpf_refused;
        return std::nullopt;
    }
    c.engine = trace::make_ptrace_engine();
    return c;
}

// Where the live lines go: standard error (strace's habit: the command's
// standard output stays its own) or -o FILE.
class LiveLog {
public:
    bool open(const TraceArgs& a, std::string& error) {
        enabled_ = !a.output.empty() || !a.quiet;
        if (!enabled_) return true;
        if (!a.output.empty()) {
            fd_ = ::open(a.output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
            if (fd_ < 0) {
                error = fmt::format("cannot write {}: {}", a.output, std::strerror(errno));
                return false;
            }
            owned_ = true;
        }
        out_ = std::make_unique<render::Output>(fd_);
        return true;
    }
    ~LiveLog() {
        out_.reset();
        if (owned_) ::close(fd_);
    }
    bool enabled() const { return enabled_; }
    void line(std::string_view s) {
        out_->write(s);
        out_->write("\n");
        out_->flush();
    }
    void ndjson(const FdEvent& e) {
        render::write_event_line(*out_, e);
        out_->flush();
    }

private:
    bool enabled_ = false, owned_ = false;
    int fd_ = 2;
    std::unique_ptr<render::Output> out_;
};

bool in_c_library(const std::string& module) {
    const std::string_view base = std::string_view(module).substr(module.rfind('/') + 1);
    return base.starts_with("libc.so") || base.starts_with("libc-") || base.starts_with("ld-linux") ||
           base.starts_with("libpthread");
}

// A static binary's copy of the C library has no module of its own: its
// syscall wrappers are known by name, and have no debug info.
bool static_c_wrapper(const SymbolizedFrame& f) {
    return f.file.empty() && (f.function == "syscall" || f.function.starts_with("__"));
}

// The frame a person would look at: the first one outside libc's syscall
// wrappers ("log_open (log.c:42)"), or the innermost when all are libc's.
std::string caller_location(const std::vector<SymbolizedFrame>& frames) {
    for (const SymbolizedFrame& f : frames)
        if (!in_c_library(f.module) && !static_c_wrapper(f)) return render::frame_text(f);
    return frames.empty() ? std::string{} : render::frame_text(frames.front());
}

// Feeds the ledger, prints what -e selects, asks `why` about failures.
class CommandSink final : public trace::Sink {
public:
    CommandSink(const TraceArgs& a, LiveLog& log, const StackTable& stacks, std::vector<report::EventClass> classes)
        : args_(a), log_(log), stacks_(stacks), classes_(std::move(classes)) {}

    void event(const FdEvent& e) override {
        book_.add(e);
        if (args_.why) explainer_.observe(e);
        if (!log_.enabled() || !shown(e.op)) return;
        if (args_.ndjson) log_.ndjson(e);
        else log_.line(render::live_line(e, location(e.stack)));
    }
    void process(const ProcessRecord& p) override { processes_[p.pid] = p; }
    // Said at once on standard error, whatever -o and --quiet say: the
    // person who attached is waiting for it (and Ctrl-C detaches).
    void attached(const std::vector<pid_t>& pids, std::string_view cost) override {
        std::string list;
        for (pid_t p : pids) list += (list.empty() ? "" : ",") + std::to_string(p);
        std::fprintf(stderr, "fdscope trace: attached to %s (%.*s); Ctrl-C detaches and reports\n", list.c_str(),
                     static_cast<int>(cost.size()), cost.data());
    }

    report::TraceBook& book() { return book_; }
    std::vector<ProcessRecord> processes() const {
        std::vector<ProcessRecord> v;
        for (const auto& [pid, p] : processes_) v.push_back(p);
        return v;
    }
    const FailureExplainer& explainer() const { return explainer_; }
    // The live lines' ELF files stay open for the report's stacks.
    symbolize::Symbolizer& symbolizer() { return symbolizer_; }

private:
    bool shown(Op op) const {
        if (op == Op::Present || op == Op::Reconcile) return false;
        for (report::EventClass c : classes_)
            if (report::in_class(op, c)) return true;
        return false;
    }
    // "log_open (log.c:42)": the first frame outside the C library's
    // wrappers, symbolized once per stack.
    std::string location(StackId id) {
        if (id == kNoStack) return {};
        auto [it, fresh] = locations_.try_emplace(id);
        if (!fresh) return it->second;
        const StackId one[] = {id};
        const auto symbols = trace::symbolize_stacks(stacks_, one, symbolizer_);
        it->second = caller_location(symbols.at(id));
        return it->second;
    }

    const TraceArgs& args_;
    LiveLog& log_;
    const StackTable& stacks_;
    std::vector<report::EventClass> classes_;
    report::TraceBook book_;
    std::map<pid_t, ProcessRecord> processes_;
    std::map<StackId, std::string> locations_;
    symbolize::Symbolizer symbolizer_;
    FailureExplainer explainer_;
};

std::optional<std::vector<report::EventClass>> parse_classes(const std::vector<std::string>& names, std::string& error) {
    std::vector<report::EventClass> out;
    for (const std::string& n : names) {
        auto c = report::event_class_from_name(n);
        if (!c) {
            error = "-e takes open, socket, pipe, dup, close, exec, pass or all, not '" + n + "'";
            return std::nullopt;
        }
        out.push_back(*c);
    }
    if (out.empty()) out.push_back(report::EventClass::All);
    return out;
}

std::optional<report::FailOn> parse_fail_on(const std::vector<std::string>& kinds, unsigned max_leaks, std::string& error) {
    report::FailOn on;
    on.max_leaks = max_leaks;
    for (const std::string& k : kinds) {
        if (k == "leak") on.leak = true;
        else if (k == "crossed-exec") on.crossed_exec = true;
        else if (k == "stale-close") on.stale_close = true;
        else if (k == "double-close") on.double_close = true;
        else {
            error = "--fail-on takes leak, crossed-exec, stale-close and double-close, not '" + k + "'";
            return std::nullopt;
        }
    }
    if (max_leaks > 0 && !on.leak) {
        error = "--max-leaks belongs with --fail-on leak";
        return std::nullopt;
    }
    return on;
}

// --why's findings beside the error group of the same call and errno.
void attach_explanations(report::TraceReport& rep, const std::vector<FailureExplanation>& found) {
    for (const FailureExplanation& x : found) {
        auto same_call = [&](const report::TraceError& e) { return e.op == x.op && e.error == x.error; };
        auto it = std::find_if(rep.errors.begin(), rep.errors.end(), [&](const report::TraceError& e) {
            return same_call(e) && std::find(e.names.begin(), e.names.end(), x.path) != e.names.end();
        });
        // A group lists a few of its paths: another one of the same call
        // and errno joins the group anyway.
        if (it == rep.errors.end()) it = std::find_if(rep.errors.begin(), rep.errors.end(), same_call);
        if (it != rep.errors.end()) it->why.push_back({x.path, x.layer, x.text, x.fix, x.agrees});
    }
}

std::uint64_t monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

}  // namespace

int run_trace(const TraceArgs& a) {
    if (a.command.empty() == a.pids.empty())
        return usage(a.command.empty() ? "what to trace? -- CMD [ARGS...] or -p PID" : "-p and a command are two different targets: give one");
    for (pid_t p : a.pids)
        if (p <= 0) return usage("-p takes process ids");
    if (a.stack_depth == 0 || a.stack_depth > 127) return usage("--stack-depth is 1 to 127");
    if (a.ndjson && a.json && a.output.empty()) return usage("--ndjson and --json both want standard output: give -o FILE for the events");
    if (a.engine == "preload" && !a.pids.empty())
        return usage("--engine preload cannot attach to a running process (the library must be loaded when it starts): "
                     "use --engine ptrace or bpf with -p");
    if (a.engine == "preload" && a.why)
        return usage("--why needs the failing thread stopped at its call: --engine ptrace (preload reports at exit)");
    std::string error;
    auto classes = parse_classes(a.classes, error);
    if (!classes) return usage(error);
    auto fail_on = parse_fail_on(a.fail_on, a.max_leaks, error);
    if (!fail_on) return usage(error);
    auto choice = choose_engine(a.engine, a.why, error);
    if (!choice) {
        std::fprintf(stderr, "fdscope trace: %s\n", error.c_str());
        return kExitEngine;
    }
    LiveLog log;
    if (!log.open(a, error)) {
        std::fprintf(stderr, "fdscope trace: %s\n", error.c_str());
        return kExitFailure;
    }

    StackTable stacks;
    CommandSink sink(a, log, stacks, std::move(*classes));
    trace::EngineOptions opts;
    opts.stacks.enabled = !a.no_stacks;
    opts.stacks.depth = a.stack_depth;
    opts.stop = &g_stop;
    install_signal_handlers();
    const std::uint64_t started_ns = monotonic_ns();
    const trace::RunResult run = a.command.empty() ? choice->engine->attach(a.pids, opts, sink, stacks)
                                                   : choice->engine->launch(a.command, opts, sink, stacks);
    if (!run.ok) {
        std::fprintf(stderr, "fdscope trace: %s\n", run.error.c_str());
        return kExitFailure;
    }
    const int command_status = a.command.empty() ? kExitOk : status_of(run.wait_status);

    report::TraceRun facts;
    facts.engine = std::string(trace::engine_name(choice->engine->kind()));
    if (!a.command.empty()) facts.exit_status = command_status;
    facts.processes = sink.processes();
    facts.stats = run.stats;
    facts.start_ns = started_ns;
    if (!choice->bpf_refused.empty()) facts.stats.notes.insert(facts.stats.notes.begin(), "not the bpf engine: " + choice->bpf_refused);
    report::TraceReport rep = report::build_trace_report(sink.book().finish(), facts);
    attach_explanations(rep, sink.explainer().explanations());
    const std::vector<StackId> ids = report::trace_report_stacks(rep);
    const trace::SymbolizedStacks symbols = trace::symbolize_stacks(stacks, ids, sink.symbolizer());
    auto lookup = [&](StackId id) {
        auto it = symbols.find(id);
        return it == symbols.end() ? std::vector<SymbolizedFrame>{} : it->second;
    };

    render::Output out(a.json ? 1 : 2);
    if (a.json) {
        render::write_trace_json(out, rep, lookup);
    } else {
        render::TraceStyle style;
        style.color = use_color();
        render::write_trace_text(out, rep, lookup, style);
    }
    const int written = finish_output(out);
    if (written != kExitOk) return written;
    if (command_status == kExitOk && report::fails(rep, *fail_on)) return kExitFailure;
    return command_status;
}

}  // namespace fdscope::cli
