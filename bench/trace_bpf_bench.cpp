// The BPF trace engine's cost (issue 14's targets: <= 2x native on the
// open/close loop, <= 3x with stacks, no lost events), and what the whole
// machine pays while it is attached (its tracepoints run on every syscall
// of every task).
//
//   fdscope_trace_bpf_bench OPENCLOSE [PAIRS=100000] [RUNS=5]
//
// OPENCLOSE is build/fixtures/trace/bpf_openclose_fp. Medians of RUNS:
// native, traced without and with stacks (the traced process's own run
// time, fork to exit, and launch() from call to return), events and lost
// events; then a getpid() loop of an untraced process, alone and while an
// idle process is attached.
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "trace/engine.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double run_native(const std::vector<std::string>& argv) {
    const auto t0 = Clock::now();
    const pid_t pid = ::fork();
    if (pid == 0) {
        std::vector<char*> a;
        for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
        a.push_back(nullptr);
        ::execv(a[0], a.data());
        ::_exit(127);
    }
    int st = 0;
    ::waitpid(pid, &st, 0);
    return seconds_since(t0);
}

struct CountingSink : fdscope::trace::Sink {
    std::uint64_t events = 0;
    std::uint64_t start = 0, end = 0;
    std::atomic<pid_t> root = 0;
    void event(const fdscope::FdEvent&) override { ++events; }
    void process(const fdscope::ProcessRecord& p) override {
        if (p.parent != 0) return;
        root = p.pid;
        if (!start) start = p.start_ns;
        if (p.end_ns) end = p.end_ns;
    }
};

struct Traced {
    double run = 0, launch = 0;
    std::uint64_t events = 0, lost = 0;
};

Traced run_traced(fdscope::trace::Engine& engine, const std::vector<std::string>& argv, bool stacks) {
    fdscope::trace::EngineOptions o;
    o.stacks.enabled = stacks;
    CountingSink sink;
    fdscope::StackTable table;
    const auto t0 = Clock::now();
    const auto r = engine.launch(argv, o, sink, table);
    Traced t;
    t.launch = seconds_since(t0);
    t.run = static_cast<double>(sink.end - sink.start) / 1e9;
    t.events = sink.events;
    t.lost = r.stats.lost_events;
    if (!r.ok) std::fprintf(stderr, "launch failed: %s\n", r.error.c_str());
    return t;
}

// An untraced child's getpid() loop, timed inside it.
double getpid_loop(long n) {
    int p[2];
    if (::pipe(p) != 0) return 0;
    const pid_t pid = ::fork();
    if (pid == 0) {
        const auto t0 = Clock::now();
        for (long i = 0; i < n; ++i) ::syscall(SYS_getpid);
        const double s = seconds_since(t0);
        [[maybe_unused]] auto w = ::write(p[1], &s, sizeof s);
        ::_exit(0);
    }
    ::close(p[1]);
    double s = 0;
    [[maybe_unused]] auto r = ::read(p[0], &s, sizeof s);
    ::close(p[0]);
    ::waitpid(pid, nullptr, 0);
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s OPENCLOSE [PAIRS] [RUNS]\n", argv[0]);
        return 2;
    }
    const std::string program = argv[1];
    const std::string pairs = argc > 2 ? argv[2] : "100000";
    const int runs = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;
    std::string why;
    auto engine = fdscope::trace::make_bpf_engine(why);
    if (!engine) {
        std::fprintf(stderr, "no BPF engine: %s\n", why.c_str());
        return 1;
    }
    const std::vector<std::string> cmd = {program, pairs};
    std::vector<double> native, plain_run, plain_launch, stack_run, stack_launch;
    std::uint64_t plain_events = 0, stack_events = 0, lost = 0;
    for (int i = 0; i < runs; ++i) {
        native.push_back(run_native(cmd));
        const Traced a = run_traced(*engine, cmd, false);
        plain_run.push_back(a.run);
        plain_launch.push_back(a.launch);
        plain_events = a.events;
        const Traced b = run_traced(*engine, cmd, true);
        stack_run.push_back(b.run);
        stack_launch.push_back(b.launch);
        stack_events = b.events;
        lost += a.lost + b.lost;
    }
    const double n = median(native);
    std::printf("open+close pairs: %s, medians of %d runs\n", pairs.c_str(), runs);
    std::printf("  native                %.3f s\n", n);
    std::printf("  bpf, no stacks        %.3f s traced run (%.2fx), %.3f s launch() (%.2fx), %llu events\n",
                median(plain_run), median(plain_run) / n, median(plain_launch), median(plain_launch) / n,
                static_cast<unsigned long long>(plain_events));
    std::printf("  bpf, stacks           %.3f s traced run (%.2fx), %.3f s launch() (%.2fx), %llu events\n",
                median(stack_run), median(stack_run) / n, median(stack_launch), median(stack_launch) / n,
                static_cast<unsigned long long>(stack_events));
    std::printf("  lost events           %llu\n", static_cast<unsigned long long>(lost));

    // The machine while attached: an idle traced process, an untraced loop.
    constexpr long kGetpids = 5'000'000;
    std::vector<double> alone, attached;
    for (int i = 0; i < runs; ++i) alone.push_back(getpid_loop(kGetpids));
    const pid_t idle = ::fork();
    if (idle == 0) {
        ::pause();
        ::_exit(0);
    }
    std::atomic<bool> stop = false;
    CountingSink sink;
    fdscope::StackTable table;
    fdscope::trace::EngineOptions o;
    o.stop = &stop;
    std::thread t([&] { engine->attach({idle}, o, sink, table); });
    while (sink.root == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    for (int i = 0; i < runs; ++i) attached.push_back(getpid_loop(kGetpids));
    stop = true;
    t.join();
    ::kill(idle, SIGKILL);
    ::waitpid(idle, nullptr, 0);
    std::printf("untraced getpid() x %ld: %.3f s alone, %.3f s while attached (%.2fx)\n", kGetpids, median(alone),
                median(attached), median(attached) / median(alone));
    return 0;
}
