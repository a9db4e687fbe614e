#include "collect/sampler.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <ctime>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <cstring>
#include <stdexcept>
#include <sys/stat.h>

#include "collect/read_process.hpp"
#include "sys/errno_text.hpp"
#include "sys/proc_path.hpp"
#include "procfs/parse_stat.hpp"
#include "procfs/parse_sysfs.hpp"
#include "procfs/text.hpp"
#include "sys/clock.hpp"

namespace fdscope::collect {
namespace {

constexpr std::uint32_t kPfKthread = 0x00200000;  // include/linux/sched.h

// The last pid allocated in our pid namespace: the fifth field of
// /proc/loadavg. A pid only appears after an allocation moves it.
long last_allocated_pid(int proc, std::string& buf) {
    if (sys::read_file_at(proc, "loadavg", buf, sys::ReadMode::SingleRecord) != 0) return -1;
    std::string_view text = procfs::text::trim(buf);
    const auto space = text.rfind(' ');
    if (space == std::string_view::npos) return -1;
    long v = -1;
    auto tail = text.substr(space + 1);
    std::from_chars(tail.data(), tail.data() + tail.size(), v);
    return v;
}

double read_boot_time(int proc, std::string& buf) {
    if (sys::read_file_at(proc, "stat", buf, sys::ReadMode::Stream) != 0) return 0;
    const auto at = buf.find("\nbtime ");
    if (at == std::string::npos) return 0;
    std::uint64_t v = 0;
    std::from_chars(buf.data() + at + 7, buf.data() + buf.size(), v);
    return static_cast<double>(v);
}

}  // namespace

Sampler::Sampler(SamplerOptions opts) : opts_(std::move(opts)) {
    int err = 0;
    proc_ = sys::open_dir(AT_FDCWD, opts_.proc_root.c_str(), err);
    if (!proc_) throw std::runtime_error("cannot open " + opts_.proc_root + ": " + sys::errno_text(err));
    boot_time_ = read_boot_time(proc_.get(), buf_);
    // One or two O_PATH descriptors are held per sampled process: use the whole hard
    // limit (our own; a machine with more processes than that falls back to
    // paths for the rest).
    struct rlimit rl {};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0)
        fd_budget_ = rl.rlim_cur == RLIM_INFINITY ? (1u << 30) : static_cast<std::size_t>(rl.rlim_cur);
    ticks_per_sec_ = static_cast<double>(sysconf(_SC_CLK_TCK));
    if (ticks_per_sec_ <= 0) ticks_per_sec_ = 100;
    // We hold at least proc_ open, so a zero size means this kernel does
    // not report the count (before 6.2).
    struct stat st {};
    if (opts_.count_entries) {
        entries_ = true;
        entries_reason_ = "counting /proc/PID/fd entries (--count-entries)";
    } else if (::fstatat(proc_.get(), "self/fd", &st, 0) != 0 || st.st_size == 0) {
        entries_ = true;
        entries_reason_ = "counting /proc/PID/fd entries: this kernel does not report the count as its size (Linux < 6.2)";
    }
    // /proc/loadavg names the last pid of *our* pid namespace: it only
    // tells about /proc's processes when /proc belongs to that namespace.
    std::string self;
    if (sys::readlink_at(proc_.get(), "self", self) == 0) {
        same_pidns_ = self == std::to_string(::getpid());
        self_ = std::atoi(self.c_str());
    }
    // Its pids are those of the initial pid namespace, ours when it
    // answers at all: they name /proc's processes if /proc is ours.
    if (opts_.exec_events && same_pidns_) events_.open();
    if (opts_.pids) {
        for (pid_t pid : *opts_.pids) {
            Known k;
            if (learn(pid, k, sys::unix_now())) known_.emplace(pid, std::move(k));
        }
    }
}

bool Sampler::learn(pid_t pid, Known& k, double now) {
    // The exe link before the command: an exec in between shows as a new
    // exe at the next tick, which reads the command again. (With events,
    // the exec's event is queued by then.)
    std::string exe;
    const int exe_err = events_.active() ? 0 : sys::readlink_at(proc_.get(), sys::ProcPath(pid, 0, "exe").text, exe);
    if (sys::read_file_at(proc_.get(), sys::ProcPath(pid, 0, "stat").text, buf_, sys::ReadMode::SingleRecord) != 0) return false;
    auto st = procfs::parse_stat(buf_);
    if (!st) return false;
    k = Known{};
    k.start_ticks = st->start_time;
    k.comm = st->comm;
    k.comm_read = now;
    k.kthread = (st->flags & kPfKthread) != 0;
    k.selected = !opts_.command || std::regex_search(k.comm, *opts_.command);
    k.exe = std::move(exe);
    k.exe_unreadable = exe_err == EACCES || exe_err == EPERM;
    return true;
}

// 0, or an errno value. Through the held descriptor of the link: no path
// walk, and it answers for this process only (a reused pid gets ENOENT).
int Sampler::read_exe(pid_t pid, Known& k, std::string& out) {
    // A leader that exited has no exe of its own: its live thread has.
    if (k.via_tid) return sys::readlink_at(proc_.get(), sys::ProcPath(pid, k.via_tid, "exe").text, out);
    if (!k.exe_link && !k.exe_failed) {
        if (room_to_hold())
            k.exe_link = sys::UniqueFd(::openat(proc_.get(), sys::ProcPath(pid, 0, "exe").text, O_PATH | O_NOFOLLOW | O_CLOEXEC));
        k.exe_failed = !k.exe_link;
        held_ += k.exe_link ? 1U : 0U;
    }
    if (k.exe_link) return sys::readlink_at(k.exe_link.get(), "", out);
    return sys::readlink_at(proc_.get(), sys::ProcPath(pid, 0, "exe").text, out);
}

// Whether the process exec'd since the last look: its exe link points
// elsewhere (a binary replaced on disk shows as "PATH (deleted)": read
// again too, which is harmless). One readlink per process per tick.
bool Sampler::exec_seen(pid_t pid, Known& k) {
    if (k.exe_unreadable || events_.active()) return false;
    const int err = read_exe(pid, k, exe_buf_);
    if (err == EACCES || err == EPERM) k.exe_unreadable = true;
    if (err != 0 || exe_buf_ == k.exe) return false;
    k.exe.swap(exe_buf_);
    return true;
}

bool Sampler::should_list(double now) {
    if (known_.empty() || now - last_list_ >= opts_.relist_seconds || !same_pidns_) return true;
    return last_allocated_pid(proc_.get(), buf_) != last_pid_;
}

void Sampler::list(double now) {
    // Read the last pid first: a pid allocated while we list moves it again
    // and the next tick lists once more.
    last_pid_ = same_pidns_ ? last_allocated_pid(proc_.get(), buf_) : -1;
    last_list_ = now;
    std::vector<std::int32_t> pids;
    if (sys::list_numeric(proc_.get(), pids) != 0) return;
    std::sort(pids.begin(), pids.end());
    for (auto it = known_.begin(); it != known_.end();) {
        if (std::binary_search(pids.begin(), pids.end(), it->first)) {
            ++it;
            continue;
        }
        release(it->second);
        it = known_.erase(it);
    }
    for (pid_t pid : pids) {
        if (known_.count(pid)) continue;
        Known k;
        if (learn(pid, k, now)) known_.emplace(pid, std::move(k));
    }
}

// The fd directory's attributes, through the descriptor held for it when
// there is one: no path walk (two thirds of a stat by path), and it is
// bound to the process itself, so a reused pid cannot answer for it.
// statx, asking only for size and inode: it copies out less than stat
// (15% of the call here).
int Sampler::stat_fd_dir(pid_t pid, Known& k, struct statx& st) {
    if (!k.via_tid && !k.dir && !k.dir_failed) {
        // A reserve stays free for /proc reads and drill-downs; beyond it
        // (or out of descriptors) a process is stat'ed by path.
        if (room_to_hold())
            k.dir = sys::UniqueFd(::openat(proc_.get(), sys::ProcPath(pid, 0, "fd").text, O_PATH | O_DIRECTORY | O_CLOEXEC));
        k.dir_failed = !k.dir;
        held_ += k.dir ? 1U : 0U;
    }
    constexpr unsigned kMask = STATX_SIZE | STATX_INO;
    if (!k.via_tid && k.dir) return ::statx(k.dir.get(), "", AT_EMPTY_PATH, kMask, &st);
    return ::statx(proc_.get(), sys::ProcPath(pid, k.via_tid, "fd").text, 0, kMask, &st);
}

// 1: counted; 0: the process is gone; -1: it cannot be counted (EACCES).
int Sampler::count(pid_t pid, Known& k, double now, std::uint64_t& fds, int depth) {
    // A process that changes under us more than twice in one count is gone.
    if (depth > 2) return 0;
    struct statx st {};
    if (stat_fd_dir(pid, k, st) != 0) {
        if (k.via_tid) {
            k.via_tid = 0;  // that thread ended: back to the leader, or another thread
            k.fd_ino = 0;
            return count(pid, k, now, fds, depth + 1);
        }
        // Gone; another process may have its pid already (not followed
        // under -p: that names one process).
        Known again;
        if (opts_.pids || !learn(pid, again, now) || (again.start_ticks == k.start_ticks && k.dir)) return 0;
        release(k);
        k = std::move(again);
        return count(pid, k, now, fds, depth + 1);
    }
    if (k.fd_ino && st.stx_ino != k.fd_ino && !k.dir) {
        // Counted by path: new /proc inodes mean the pid was reused, or the
        // kernel dropped its cached dentries. The start time tells which.
        Known again;
        if (!learn(pid, again, now)) return 0;
        if (again.start_ticks != k.start_ticks) {
            if (opts_.pids) return 0;
            release(k);
            k = std::move(again);
        }
    }
    k.fd_ino = st.stx_ino;
    if (entries_) {
        int err = 0;
        sys::UniqueFd dir = sys::open_dir(proc_.get(), sys::ProcPath(pid, k.via_tid, "fd").text, err);
        if (!dir) return err == -ENOENT || err == -ESRCH ? 0 : -1;
        scratch_.clear();
        if (sys::list_numeric(dir.get(), scratch_) != 0) return -1;
        fds = scratch_.size();
    } else {
        fds = st.stx_size;
    }
    // No fds at all: maybe the leader exited and its threads hold the table.
    // Checked when the count drops to zero, then now and then.
    if (fds == 0 && !k.via_tid && (k.last_fds > 0 || now - k.zero_checked >= opts_.relist_seconds)) {
        k.zero_checked = now;
        if (pid_t tid = live_thread(pid)) {
            k.via_tid = tid;
            k.fd_ino = 0;
            return count(pid, k, now, fds, depth + 1);
        }
    }
    k.last_fds = fds;
    return 1;
}

void Sampler::release(Known& k) {
    held_ -= (k.dir ? 1U : 0U) + (k.exe_link ? 1U : 0U);
    k.dir = sys::UniqueFd();
    k.exe_link = sys::UniqueFd();
}

// A thread of a process whose leader is a zombie, 0 when there is none.
pid_t Sampler::live_thread(pid_t pid) {
    if (sys::read_file_at(proc_.get(), sys::ProcPath(pid, 0, "stat").text, buf_, sys::ReadMode::SingleRecord) != 0) return 0;
    auto st = procfs::parse_stat(buf_);
    if (!st || st->state != 'Z' || st->num_threads < 2) return 0;
    int err = 0;
    sys::UniqueFd tasks = sys::open_dir(proc_.get(), sys::ProcPath(pid, 0, "task").text, err);
    scratch_.clear();
    if (!tasks || sys::list_numeric(tasks.get(), scratch_) != 0) return 0;
    for (pid_t tid : scratch_)
        if (tid != pid) return tid;
    return 0;
}

// Every tick near the limit, every limit_seconds past half of it, else
// every slow_seconds: a changed limit matters in proportion to how close
// the process is, and the refreshes are a fifth of a tick's cost otherwise.
void Sampler::refresh(pid_t pid, Known& k, double now, std::uint64_t fds) {
    const bool near = k.limit && fds >= k.limit - k.limit / 10;
    const bool half = !k.limit || fds >= k.limit / 2;
    const double period = half ? opts_.limit_seconds : opts_.slow_seconds;
    if (near || now - k.limit_read >= period) {
        const Limit l = nofile_limit(pid, proc_.get(), sys::ProcPath(pid, 0, "limits").text, buf_);
        k.limit = l.known && l.soft != kUnlimited ? l.soft : 0;
        k.limit_read = now;
    }
}

// A process may exec into the command a filter looks for: comm is re-read
// after an exec and now and then (PR_SET_NAME, or an exec we could not
// see), selected or not.
void Sampler::refresh_comm(pid_t pid, Known& k, double now) {
    if (now - k.comm_read < opts_.slow_seconds) return;
    k.comm_read = now;
    if (sys::read_file_at(proc_.get(), sys::ProcPath(pid, 0, "comm").text, buf_, sys::ReadMode::SingleRecord) != 0) return;
    if (!buf_.empty() && buf_.back() == '\n') buf_.pop_back();
    k.comm = buf_;
    k.selected = !opts_.command || std::regex_search(k.comm, *opts_.command);
}

std::vector<ProcSample> Sampler::resample(const std::vector<pid_t>& pids, double& time) {
    std::vector<ProcSample> out;
    time = sys::unix_now();
    for (pid_t pid : pids) {
        auto it = known_.find(pid);
        if (it == known_.end()) continue;
        Known& k = it->second;
        const std::uint64_t start = k.start_ticks;
        std::uint64_t fds = 0;
        // A vanished or reused pid is the next tick's business.
        if (count(pid, k, time, fds) != 1 || k.start_ticks != start) continue;
        ProcSample s;
        s.pid = pid;
        s.start_ticks = start;
        s.fds = fds;
        s.limit = k.limit;
        out.push_back(std::move(s));
    }
    return out;
}

// The processes the kernel says exec'd (or were renamed) since the last
// tick have their command and limit read again; all of them when events
// were lost.
void Sampler::exec_events() {
    if (!events_.active()) return;
    execd_.clear();
    const bool complete = events_.drain(execd_);
    if (!complete)
        for (auto& [pid, k] : known_) k.comm_read = k.limit_read = -1e18;
    for (pid_t pid : execd_)
        if (auto it = known_.find(pid); it != known_.end()) it->second.comm_read = it->second.limit_read = -1e18;
}

Tick Sampler::tick() { return tick(sys::unix_now()); }

Tick Sampler::tick(double now) {
    Tick t;
    t.time = now;
    if (sys::read_file_at(proc_.get(), "sys/fs/file-nr", buf_, sys::ReadMode::SingleRecord) == 0)
        if (auto nr = procfs::parse_file_nr(buf_)) {
            t.file_nr = nr->allocated;
            t.file_max = nr->max;
        }
    exec_events();
    if (!opts_.pids && should_list(t.time)) {
        list(t.time);
        t.listed = true;
    }
    t.procs.reserve(known_.size());
    for (auto it = known_.begin(); it != known_.end();) {
        const pid_t pid = it->first;
        Known& k = it->second;
        // Kernel threads have no fds; fdscope itself holds one or two per process.
        if (k.kthread || pid == self_) {
            ++it;
            continue;
        }
        if (exec_seen(pid, k)) k.comm_read = k.limit_read = -1e18;  // both now
        refresh_comm(pid, k, t.time);
        if (!k.selected) {
            ++it;
            continue;
        }
        std::uint64_t fds = 0;
        const int got = count(pid, k, t.time, fds);
        if (got == 0) {
            release(k);
            it = known_.erase(it);
            continue;
        }
        ++it;
        if (got < 0) {
            ++t.unreadable;
            continue;
        }
        refresh(pid, k, t.time, fds);
        ProcSample s;
        s.pid = pid;
        s.start_ticks = k.start_ticks;
        s.start = boot_time_ + static_cast<double>(k.start_ticks) / ticks_per_sec_;
        s.comm = k.comm;
        s.fds = fds;
        s.limit = k.limit;
        s.via_tid = k.via_tid;
        s.fresh = k.fresh;
        k.fresh = false;
        t.procs.push_back(std::move(s));
    }
    std::sort(t.procs.begin(), t.procs.end(), [](const ProcSample& a, const ProcSample& b) { return a.pid < b.pid; });
    return t;
}

}  // namespace fdscope::collect
