// Cheap, repeated fd counts of every process (top and watch).
//
// One tick costs one stat() per process: st_size of /proc/PID/fd is the fd
// count on Linux >= 6.2 (older kernels report 0: then the entries are
// counted, and counting() says so). Everything else is cached per process
// and re-read only when it may have changed:
// - /proc is listed only when a pid was allocated since the last tick (the
//   last pid in /proc/loadavg moved) or every `relist_seconds`;
// - /proc/PID/fd is stat'ed through an O_PATH descriptor held for it (no
//   path walk); that descriptor belongs to the process, not to its pid, so
//   a reused pid is a new process (confirmed by its start time). Without a
//   descriptor (fdscope's own limit reached) the path is used and a changed
//   inode of /proc/PID/fd sends us to check the start time;
// - fdscope leaves itself out: it holds descriptors of every process;
// - start time and command are read once (the command again now and then);
// - the RLIMIT_NOFILE soft limit is re-read every `limit_seconds` past
//   half of it, every tick near it, else every `slow_seconds`; the command
//   every `slow_seconds` (prctl(PR_SET_NAME) changes it too);
// - an exec is noticed at the next tick, and the command and the limit
//   are then read again at once (a wrapper such as `prlimit --nofile=N
//   CMD` sets the limit, then execs), and under -c the process is
//   selected or not by its new command. The kernel's process events say
//   which processes exec'd (netlink/proc_events: free when nothing
//   execs); where they cannot be had, the target of /proc/PID/exe is read
//   every tick, through an O_PATH descriptor of the link held for it (the
//   tick then costs about twice as much). Another user's exe link is not
//   readable without privilege: such a process's exec is then seen by the
//   periodic refresh only.
// A process whose leader exited is counted through a live thread.
#pragma once
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <sys/stat.h>
#include <sys/types.h>
#include <unordered_map>
#include <vector>

#include "model/sample.hpp"
#include "netlink/proc_events.hpp"
#include "sys/clock.hpp"
#include "sys/proc_io.hpp"

namespace fdscope::collect {

using fdscope::ProcSample;
using fdscope::Tick;

struct SamplerOptions {
    std::optional<std::vector<pid_t>> pids;  // nullopt: every process
    std::optional<std::regex> command;       // only processes whose comm matches
    bool count_entries = false;              // count /proc/PID/fd entries even where st_size works
    bool exec_events = true;                 // execs from the kernel's process events where it sends them
    double relist_seconds = 30;  // a safety net: new pids show in /proc/loadavg
    double limit_seconds = 10;   // the soft limit of a process past half of it
    double slow_seconds = 60;    // the others' limits, and every command
    std::string proc_root = "/proc";
};

class Sampler {
public:
    explicit Sampler(SamplerOptions opts);
    Tick tick();
    // The same at a given time (Unix seconds): the caches expire by it, so
    // a benchmark can run ticks back to back as if they were an interval apart.
    Tick tick(double now);
    // Counts only these already-known processes, now: extra samples between
    // ticks for processes whose trend is in question (a sawtooth faster
    // than the interval would alias into a ramp at the tick rate).
    std::vector<ProcSample> resample(const std::vector<pid_t>& pids, double& time);
    // "st_size" or "entries"
    const char* counting() const { return entries_ ? "entries" : "st_size"; }
    // Why entries are counted, empty when they are not.
    const std::string& counting_reason() const { return entries_reason_; }
    // How execs are noticed: "events" (the kernel says) or "exe links" (read every tick).
    const char* exec_watch() const { return events_.active() ? "events" : "exe links"; }

private:
    struct Known {
        std::uint64_t start_ticks = 0;
        std::string comm;
        std::uint64_t limit = 0;
        double limit_read = -1e18, comm_read = -1e18, zero_checked = -1e18;
        std::uint64_t fd_ino = 0;
        std::uint64_t last_fds = 0;
        sys::UniqueFd dir;              // O_PATH of /proc/PID/fd
        bool dir_failed = false;
        std::string exe;           // target of /proc/PID/exe when last read
        sys::UniqueFd exe_link;         // O_PATH|O_NOFOLLOW of /proc/PID/exe
        bool exe_failed = false, exe_unreadable = false;
        pid_t via_tid = 0;
        bool kthread = false, selected = true, fresh = true;
    };
    bool learn(pid_t pid, Known& k, double now);
    int count(pid_t pid, Known& k, double now, std::uint64_t& fds, int depth = 0);
    int stat_fd_dir(pid_t pid, Known& k, struct statx& st);
    pid_t live_thread(pid_t pid);
    void release(Known& k);  // closes its held descriptors
    bool room_to_hold() const { return held_ + kReserveFds < fd_budget_; }
    int read_exe(pid_t pid, Known& k, std::string& out);
    bool exec_seen(pid_t pid, Known& k);
    void exec_events();
    void refresh(pid_t pid, Known& k, double now, std::uint64_t fds);
    void refresh_comm(pid_t pid, Known& k, double now);
    bool should_list(double now);
    void list(double now);

    SamplerOptions opts_;
    sys::UniqueFd proc_;
    bool entries_ = false;
    std::string entries_reason_;
    bool same_pidns_ = true;
    pid_t self_ = 0;  // fdscope, as /proc names it
    static constexpr std::size_t kReserveFds = 128;
    std::size_t fd_budget_ = 1024, held_ = 0;
    double boot_time_ = 0, ticks_per_sec_ = 100;
    long last_pid_ = -1;
    double last_list_ = -1e18;
    std::unordered_map<pid_t, Known> known_;
    std::string buf_, exe_buf_;
    netlink::ProcEvents events_;
    std::vector<pid_t> execd_;
    std::vector<std::int32_t> scratch_;
};

}  // namespace fdscope::collect
