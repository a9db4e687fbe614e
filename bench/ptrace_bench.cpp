// The ptrace engine alone on one command: launch it through the engine API
// with a sink that only counts (no ledger, no rendering), and print the
// wall time and the engine's figures. bench/ptrace.sh compares it with the
// command run natively and under strace.
//
// Usage: fdscope_ptrace_bench [--stacks] -- CMD [ARGS...]
#include <sys/wait.h>
#include <time.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "trace/engine.hpp"

namespace {

class CountingSink final : public fdscope::trace::Sink {
public:
    void event(const fdscope::FdEvent&) override { ++events; }
    void process(const fdscope::ProcessRecord&) override { ++processes; }
    unsigned long events = 0, processes = 0;
};

double now() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
    bool stacks = false;
    std::vector<std::string> cmd;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--stacks") == 0) {
            stacks = true;
        } else if (std::strcmp(argv[i], "--") == 0) {
            cmd.assign(argv + i + 1, argv + argc);
            break;
        }
    }
    if (cmd.empty()) {
        std::fprintf(stderr, "usage: fdscope_ptrace_bench [--stacks] -- CMD [ARGS...]\n");
        return 2;
    }
    fdscope::trace::EngineOptions opts;
    opts.stacks.enabled = stacks;
    CountingSink sink;
    fdscope::StackTable table;
    const double start = now();
    const fdscope::trace::RunResult r = fdscope::trace::make_ptrace_engine()->launch(cmd, opts, sink, table);
    const double wall = now() - start;
    if (!r.ok) {
        std::fprintf(stderr, "fdscope_ptrace_bench: %s\n", r.error.c_str());
        return 3;
    }
    std::printf("wall %.3f s  stops %llu  syscall_stops %llu  skipped_exit_stops %llu  events %lu  unwinds %llu  "
                "stacks %zu  exit %d\n",
                wall, static_cast<unsigned long long>(r.stats.stops),
                static_cast<unsigned long long>(r.stats.syscall_stops),
                static_cast<unsigned long long>(r.stats.skipped_exit_stops), sink.events,
                static_cast<unsigned long long>(r.stats.unwinds), table.size(),
                WIFEXITED(r.wait_status) ? WEXITSTATUS(r.wait_status) : 128 + WTERMSIG(r.wait_status));
    for (const std::string& note : r.stats.notes) std::printf("note: %s\n", note.c_str());
    return 0;
}
