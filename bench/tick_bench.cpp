// What one sampling tick of `fdscope watch`/`top` costs, in CPU time per
// 1,000 processes, against the other ways of counting every process's fds:
//   statx-only       the floor: one statx per process through held O_PATH
//                    descriptors, nothing else
//   fdscope          collect::Sampler, steady state (st_size of /proc/PID/fd,
//                    /proc listed only when a pid was allocated, execs
//                    from the kernel's process events)
//   fdscope-exe-links the same where there are no process events: every
//                    process's exe link is read every tick to notice execs
//   fdscope-relist   the same, listing /proc every tick (a machine where
//                    processes or threads start all the time)
//   fdscope-entries  the same, counting entries (what Linux < 6.2 needs)
//   readdir          process-exporter's way: list /proc, read every
//                    /proc/PID/fd directory and count its entries
//   ls-wc            `ls /proc/*/fd | wc -l` (CPU of the shell pipeline)
//   lsof-t           `lsof -t` (a full scan that prints only pids)
// Each tick is presented to the sampler as 1 s after the one before, so
// its periodic refreshes cost what they cost at the default interval.
// It starts P processes holding F fds each (children that wait on a pipe),
// then times each method REPS times in rounds (the order rotates), and
// prints medians of CPU (user+sys, getrusage) per tick and per 1,000
// processes, and each method's ratio to fdscope. Run as root.
//
// Usage: fdscope_tick_bench [--processes P] [--fds F] [--reps N] [--ticks T]
//                           [--gap-ms MS (pause between ticks, default 100)]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <functional>
#include <map>
#include <signal.h>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <ctime>
#include <unistd.h>
#include <vector>

#include "collect/sampler.hpp"

namespace {

double cpu_seconds(int who) {
    rusage r{};
    getrusage(who, &r);
    return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
           static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

// Children that each open `fds` descriptors and wait until the pipe closes.
std::vector<pid_t> start_population(int procs, int fds, int& hold) {
    int gate[2], ready[2];
    if (pipe(gate) || pipe(ready)) std::exit(1);
    std::vector<pid_t> kids;
    for (int i = 0; i < procs; ++i) {
        const pid_t c = fork();
        if (c == 0) {
            close(gate[1]);
            close(ready[0]);
            for (int k = 0; k < fds; ++k) open("/dev/null", O_RDONLY);
            char b = 1;
            if (write(ready[1], &b, 1) != 1) _exit(1);
            while (read(gate[0], &b, 1) > 0) {
            }
            _exit(0);
        }
        kids.push_back(c);
    }
    close(gate[0]);
    close(ready[1]);
    char b;
    for (int i = 0; i < procs; ++i)
        if (read(ready[0], &b, 1) != 1) std::exit(1);
    close(ready[0]);
    hold = gate[1];
    return kids;
}

std::uint64_t readdir_count() {
    std::uint64_t total = 0;
    DIR* proc = opendir("/proc");
    if (!proc) return 0;
    char path[300];
    while (dirent* e = readdir(proc)) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        std::snprintf(path, sizeof path, "/proc/%s/fd", e->d_name);
        DIR* d = opendir(path);
        if (!d) continue;
        while (dirent* f = readdir(d))
            if (f->d_name[0] != '.') ++total;
        closedir(d);
    }
    closedir(proc);
    return total;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

int arg(int argc, char** argv, const char* name, int fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], name) == 0) return std::atoi(argv[i + 1]);
    return fallback;
}

}  // namespace

int main(int argc, char** argv) {
    const int procs = arg(argc, argv, "--processes", 1000);
    const int fds = arg(argc, argv, "--fds", 20);
    const int reps = arg(argc, argv, "--reps", 7);
    const int ticks = arg(argc, argv, "--ticks", 50);
    const int gap_ms = arg(argc, argv, "--gap-ms", 100);
    int hold = -1;
    auto kids = start_population(procs, fds, hold);

    using fdscope::collect::Sampler;
    using fdscope::collect::SamplerOptions;
    Sampler steady{SamplerOptions{}};
    SamplerOptions relist_opts;
    relist_opts.relist_seconds = 0;
    Sampler relist{relist_opts};
    SamplerOptions entries_opts;
    entries_opts.count_entries = true;
    Sampler entries{entries_opts};
    SamplerOptions links_opts;
    links_opts.exec_events = false;
    Sampler links{links_opts};
    std::size_t processes = 0, listed = 0, steady_ticks = 0;
    // Ticks run back to back but the samplers are told they are 1 s apart:
    // their caches (limits, commands: 10 s; forced re-listing: 5 s) expire
    // at the rate a 1 s interval would see.
    double clock = 1e9;
    for (Sampler* s : {&steady, &relist, &entries, &links}) processes = s->tick().procs.size();  // warm: learn every process

    // In-process methods: CPU per tick over `ticks` ticks. Tools: CPU of the
    // children per run (fewer runs: they are slow).
    struct Method {
        std::string name;
        std::function<double()> per_tick;
    };
    // A pause between ticks, as in real use: caches go cold in between
    // (back to back, a tick costs about half as much).
    auto in_process = [&](std::function<void()> fn) {
        return [fn, ticks, gap_ms] {
            const timespec gap{0, gap_ms * 1000000L};
            double cpu = 0;
            for (int i = 0; i < ticks; ++i) {
                if (gap_ms) nanosleep(&gap, nullptr);
                const double c0 = cpu_seconds(RUSAGE_SELF);
                fn();
                cpu += cpu_seconds(RUSAGE_SELF) - c0;
            }
            return cpu / ticks;
        };
    };
    auto tool = [](std::string cmd) {
        return [cmd] {
            const double c0 = cpu_seconds(RUSAGE_CHILDREN);
            if (std::system(cmd.c_str()) != 0) {
            }
            return cpu_seconds(RUSAGE_CHILDREN) - c0;
        };
    };
    // The floor: only the statx calls a tick makes, through O_PATH
    // descriptors held for every process, nothing else.
    std::vector<int> held;
    {
        DIR* proc = opendir("/proc");
        char path[300];
        while (dirent* e = proc ? readdir(proc) : nullptr) {
            if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
            std::snprintf(path, sizeof path, "/proc/%s/fd", e->d_name);
            const int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (fd >= 0) held.push_back(fd);
        }
        if (proc) closedir(proc);
    }
    std::vector<Method> methods{
        {"statx-only", in_process([&] {
             std::uint64_t sum = 0;
             for (int fd : held) {
                 struct statx sx;
                 if (statx(fd, "", AT_EMPTY_PATH, STATX_SIZE, &sx) == 0) sum += sx.stx_size;
             }
             if (sum == 42) std::puts("");
         })},
        {"fdscope", in_process([&] {
             listed += steady.tick(clock += 1).listed;
             ++steady_ticks;
         })},
        {"fdscope-relist", in_process([&] { relist.tick(clock += 1); })},
        {"fdscope-exe-links", in_process([&] { links.tick(clock += 1); })},
        {"fdscope-entries", in_process([&] { entries.tick(clock += 1); })},
        {"readdir", in_process([&] { readdir_count(); })},
        {"ls-wc", tool("ls /proc/*/fd 2>/dev/null | wc -l >/dev/null")},
        {"lsof-t", tool("lsof -t >/dev/null 2>&1")},
    };
    std::map<std::string, std::vector<double>> results;
    for (int r = 0; r < reps; ++r)
        for (std::size_t k = 0; k < methods.size(); ++k) {
            const Method& m = methods[(k + static_cast<std::size_t>(r)) % methods.size()];
            results[m.name].push_back(m.per_tick());
        }

    const double base = median(results["fdscope"]);
    std::printf("%zu processes sampled (%d started with %d fds each), %d reps x %d ticks, medians of CPU time\n",
                processes, procs, fds, reps, ticks);
    std::printf("fdscope steady state listed /proc in %zu of %zu ticks; execs noticed by %s\n\n", listed, steady_ticks,
                steady.exec_watch());
    std::printf("| method | CPU per tick (ms) | per 1,000 processes (ms) | x fdscope |\n|---|---:|---:|---:|\n");
    for (const Method& m : methods) {
        const double v = median(results[m.name]);
        std::printf("| %s | %.3f | %.3f | %.2f |\n", m.name.c_str(), v * 1e3,
                    v * 1e3 * 1000.0 / static_cast<double>(processes), base > 0 ? v / base : 0);
    }
    close(hold);
    for (pid_t k : kids) waitpid(k, nullptr, 0);
    return 0;
}
