#include "export/collector.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/scan.hpp"
#include "procfs/parse_cgroup.hpp"
#include "procfs/parse_stat.hpp"
#include "report/account.hpp"
#include "report/audit.hpp"
#include "sys/clock.hpp"
#include "sys/files.hpp"

namespace fdscope::exporter {
namespace {

double steady() { return sys::now_monotonic(); }

// The group of one process; false when it vanished (its pid is gone).
bool group_for(const std::string& proc_root, GroupBy by, pid_t pid, const std::string& comm, std::string& group) {
    const std::string dir = proc_root + "/" + std::to_string(pid);
    std::string cgroup, exe;
    if (by == GroupBy::Unit || by == GroupBy::Cgroup) {
        std::string text;
        const int err = sys::read_all((dir + "/cgroup").c_str(), text);
        if (err == ENOENT || err == ESRCH) return false;
        // The v2 path; on a v1-only host, systemd's own hierarchy names the unit.
        const auto lines = procfs::parse_proc_cgroup(text);
        cgroup = procfs::cgroup_path_v2(lines).value_or(procfs::cgroup_path_v1(lines, "name=systemd").value_or(""));
    } else if (by == GroupBy::Exe) {
        char buf[4096];
        const ssize_t n = ::readlink((dir + "/exe").c_str(), buf, sizeof buf);
        if (n < 0 && (errno == ENOENT || errno == ESRCH)) {
            struct stat st {};
            if (::stat(dir.c_str(), &st) != 0) return false;  // a kernel thread has no exe, but is there
        }
        if (n > 0) exe.assign(buf, static_cast<std::size_t>(n));
    }
    group = group_of(by, cgroup, comm, exe);
    return true;
}

// The kinds folded into the label values docs/metrics.md lists.
std::string kind_label(Kind k) {
    switch (k) {
        case Kind::Tcp: case Kind::Tcp6: return "tcp";
        case Kind::Udp: case Kind::Udp6: return "udp";
        case Kind::Raw: case Kind::Raw6: case Kind::Netlink: case Kind::Packet: case Kind::Socket: return "socket";
        case Kind::Fifo: return "pipe";
        case Kind::Memfd: return "file";
        case Kind::Unknown: return "other";
        default: return std::string(kind_name(k));
    }
}

// Whether the scan saw what each fd of `p` is: its fd directory listed and
// not every link refused (with CAP_DAC_READ_SEARCH alone the numbers are
// listed, the links are not: such a process is not counted, not shown as
// having no fds).
bool kinds_readable(const Process& p) {
    if (p.refused.fds) return false;
    std::uint64_t listed = 0;
    for (const FdTable& t : p.tables) listed += t.fds.size();
    if (listed == 0) return p.fd_count() == 0;
    return p.refused.links < listed;
}

// Sleeps up to `seconds`, never past `deadline`; false when the deadline cut it short.
bool delay_until(double seconds, double deadline) {
    const double end = steady() + seconds;
    const double until = std::min(end, deadline);
    while (steady() < until) ::usleep(static_cast<useconds_t>(std::min(0.05, until - steady()) * 1e6) + 1);
    return end <= deadline;
}

struct Timed {
    std::vector<CollectorResult>& out;
    CollectorResult r;
    double began;
    Timed(std::vector<CollectorResult>& o, const char* name) : out(o), began(steady()) { r.name = name; }
    void done(bool ok) {
        r.success = ok;
        r.seconds = steady() - began;
        out.push_back(r);
    }
};

}  // namespace

double scrape_budget(std::string_view header, double cap) {
    double budget = cap;
    if (!header.empty()) {
        double t = 0;
        const std::string s(header);
        char* end = nullptr;
        errno = 0;
        t = std::strtod(s.c_str(), &end);
        if (errno == 0 && end != s.c_str() && std::isfinite(t) && t > 0) budget = std::min(cap, t - 0.5);
    }
    return std::max(0.1, budget);
}

SelfFacts read_self() {
    SelfFacts s;
    struct stat st {};
    if (::stat("/proc/self/fd", &st) == 0 && st.st_size > 0) {
        s.open_fds = static_cast<std::uint64_t>(st.st_size);
    } else {
        s.open_fds = 0;
        // Linux < 6.2: no count in st_size; the fdinfo listing is one readdir.
        if (DIR* d = ::opendir("/proc/self/fd")) {
            while (const dirent* e = ::readdir(d)) s.open_fds += e->d_name[0] != '.';
            ::closedir(d);
            if (s.open_fds) --s.open_fds;  // the listing's own descriptor
        }
    }
    rlimit rl {};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) s.max_fds = rl.rlim_cur == RLIM_INFINITY ? 0 : rl.rlim_cur;
    std::string text;
    if (sys::read_all("/proc/self/stat", text) != 0) return s;
    const auto ps = procfs::parse_stat(text);
    if (!ps) return s;
    const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
    s.cpu_seconds = static_cast<double>(ps->utime + ps->stime) / hz;
    s.resident_bytes = ps->rss_pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    std::string uptime;
    if (sys::read_all("/proc/uptime", uptime) == 0)
        s.start_time = sys::unix_now() - std::strtod(uptime.c_str(), nullptr) + static_cast<double>(ps->start_time) / hz;
    return s;
}

Collector::Collector(CollectorOptions opts) : opts_(std::move(opts)) {}

Collector::~Collector() { stop(); }

void Collector::start() {
    if (!opts_.account && !opts_.audit) return;
    worker_ = std::thread([this] { worker(); });
}

void Collector::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (worker_.joinable()) worker_.join();
}

void Collector::publish(Sampled sampled) {
    auto p = std::make_shared<const Sampled>(std::move(sampled));
    std::lock_guard lock(mu_);
    sampled_ = std::move(p);
}

void Collector::count_scrape(Format format) {
    std::lock_guard lock(mu_);
    ++scrapes_by_format_[format == Format::OpenMetrics ? "openmetrics" : "text"];
}

std::uint64_t Collector::snapshots_taken() const {
    std::lock_guard lock(mu_);
    return generation_;
}

std::shared_ptr<const Snapshot> Collector::snapshot(double budget) {
    std::unique_lock lock(mu_);
    if (in_flight_) {
        // Single flight: share the snapshot being taken.
        const std::uint64_t waiting_for = generation_ + 1;
        done_.wait(lock, [&] { return !in_flight_ && generation_ >= waiting_for; });
        return last_;
    }
    in_flight_ = true;
    lock.unlock();
    std::shared_ptr<const Snapshot> snap;
    try {
        snap = take(steady() + std::min(budget, opts_.max_budget));
    } catch (...) {
        lock.lock();
        in_flight_ = false;
        ++generation_;
        last_ = std::make_shared<const Snapshot>();
        done_.notify_all();
        throw;
    }
    lock.lock();
    last_ = snap;
    in_flight_ = false;
    done_.notify_all();
    return snap;
}

std::shared_ptr<const Snapshot> Collector::take(double deadline) {
    ScrapeData d;
    std::shared_ptr<const Sampled> sampled;
    // Processes some collector could not read, each counted once.
    std::set<pid_t> refused;
    {
        std::lock_guard lock(mu_);
        sampled = sampled_;
        d.scrapes_by_format = scrapes_by_format_;
        d.account = account_;
        d.inherited = inherited_;
        if (opts_.audit) refused.insert(audit_unreadable_.begin(), audit_unreadable_.end());
    }
    d.version = opts_.version;
    d.revision = opts_.revision;
    d.backend = opts_.backend;

    {
        Timed t(d.collectors, "file_nr");
        const auto nr = collect::read_file_nr();
        if (nr) {
            d.file_handles = nr->allocated;
            d.file_handles_limit = nr->max;
        }
        t.done(nr.has_value());
    }

    // processes: the last tick's counts, each process's group read now.
    {
        Timed t(d.collectors, "processes");
        bool ok = sampled != nullptr;
        if (ok && opts_.test_delay > 0) ok = delay_until(opts_.test_delay, deadline);
        if (ok) {
            d.skipped_permission = sampled->tick.unreadable;
            d.processes.reserve(sampled->tick.procs.size());
            for (const ProcSample& p : sampled->tick.procs) {
                if (steady() >= deadline) {
                    ++d.skipped_budget;
                    continue;
                }
                ProcessFacts f;
                if (!group_for(opts_.proc_root, opts_.group_by, p.pid, p.comm, f.group)) {
                    ++d.skipped_vanished;
                    continue;
                }
                f.pid = p.pid;
                f.comm = p.comm;
                f.fds = p.fds;
                f.max_fds = p.limit;
                f.start_time = p.start;
                d.processes.push_back(std::move(f));
            }
            ok = d.skipped_budget == 0;
        } else if (sampled) {
            // Past the budget before anything was grouped: every process is left out.
            d.skipped_budget = sampled->tick.procs.size();
        }
        t.done(ok);
    }

    // leaks: the tracker's verdicts, grouped like their processes.
    {
        Timed t(d.collectors, "leaks");
        const bool ok = sampled != nullptr && steady() < deadline;
        if (ok) {
            for (const Suspect& s : sampled->suspects) {
                LeakFacts l;
                l.pid = s.pid;
                l.comm = s.comm;
                const auto it = std::find_if(d.processes.begin(), d.processes.end(), [&](const ProcessFacts& p) { return p.pid == s.pid; });
                if (it != d.processes.end()) l.group = it->group;
                else if (!group_for(opts_.proc_root, opts_.group_by, s.pid, s.comm, l.group)) continue;
                l.fds_per_second = s.fds_per_second;
                l.eta_seconds = s.eta_seconds;
                l.start_time = s.since;
                d.leaks.push_back(std::move(l));
            }
        }
        t.done(ok);
    }

    // kinds: a scan of the processes that get per-process series.
    if (opts_.cardinality.kinds) {
        Timed t(d.collectors, "kinds");
        bool ok = steady() < deadline;
        if (ok) {
            const std::vector<pid_t> pids = select_processes(d, opts_.cardinality);
            collect::ScanOptions so;
            so.pids = pids;
            so.sockets = true;  // tcp, udp, unix from the socket tables
            so.identity = false;
            so.read.fdinfo = false;
            so.read.details = false;
            so.read.assocs = false;
            so.read.maps = false;
            so.threads = 1;
            const fdscope::Snapshot snap = collect::scan(so);
            for (const Process& proc : snap.processes) {
                auto it = std::find_if(d.processes.begin(), d.processes.end(), [&](const ProcessFacts& p) { return p.pid == proc.pid; });
                if (it == d.processes.end()) continue;
                if (!kinds_readable(proc)) {
                    refused.insert(proc.pid);  // counted, but its kinds are not readable
                    continue;
                }
                std::map<std::string, std::uint64_t> kinds;
                for (const FdTable& tb : proc.tables)
                    for (const OpenFile& f : tb.fds) ++kinds[kind_label(f.kind)];
                it->kinds = std::move(kinds);
            }
            ok = steady() < deadline;
        }
        t.done(ok);
    }

    d.skipped_permission += refused.size();

    if (opts_.account) {
        Timed t(d.collectors, "account");
        std::lock_guard lock(mu_);
        t.done(account_.has_value() && account_error_.empty());
    }
    if (opts_.audit) {
        Timed t(d.collectors, "audit");
        std::lock_guard lock(mu_);
        t.done(inherited_.has_value() && audit_error_.empty());
    }

    {
        Timed t(d.collectors, "self");
        d.self = read_self();
        t.done(true);
    }

    auto snap = std::make_shared<Snapshot>();
    snap->families = build_families(d, opts_.cardinality);
    std::lock_guard lock(mu_);
    snap->generation = ++generation_;
    return snap;
}

// account and audit: whole-machine scans, too slow for a scrape.
void Collector::refresh_cached() {
    if (opts_.account) {
        collect::ScanOptions so;
        so.sockets = false;
        so.identity = true;
        so.read.assocs = false;
        so.read.maps = true;
        so.read.details = true;
        so.threads = 1;  // a background refresh: one core at most
        const fdscope::Snapshot snap = collect::scan(so);
        const report::Account acc = report::account(snap, collect::read_filp_active(), ::geteuid() == 0);
        AccountFacts f;
        f.fd_table = acc.held_by.fd_tables;
        f.mapping = acc.held_by.mappings;
        f.sysv_shm = acc.held_by.sysv_shm;
        f.in_flight = acc.held_by.in_flight;
        f.io_uring = acc.held_by.io_uring;
        f.unattributed = acc.held_by.unattributed;
        f.timestamp = sys::unix_now();
        f.interval = opts_.cache_interval;
        std::lock_guard lock(mu_);
        account_ = f;
        account_error_.clear();
    }
    if (opts_.audit) {
        collect::ScanOptions so;
        so.identity = true;
        so.read.maps = false;
        so.read.details = false;
        so.threads = 1;
        const fdscope::Snapshot snap = collect::scan(so);
        report::AuditOptions ao;
        ao.locked = collect::read_locked_files();
        const report::Audit audit = report::audit(snap, ao);
        std::vector<pid_t> unreadable;
        for (const Process& p : snap.processes)
            if (!kinds_readable(p)) unreadable.push_back(p.pid);
        InheritedFacts f;
        std::map<pid_t, std::string> groups;
        for (const report::Finding& fi : audit.findings) {
            if (fi.kind != "inherited") continue;
            auto g = groups.find(fi.pid);
            if (g == groups.end()) {
                std::string comm = fi.command;
                for (const Process& p : snap.processes)
                    if (p.pid == fi.pid) comm = p.comm;
                std::string group;
                if (!group_for(opts_.proc_root, opts_.group_by, fi.pid, comm, group)) group = group_of(opts_.group_by, "", comm, "");
                g = groups.emplace(fi.pid, group).first;
            }
            ++f.by_group_severity[{g->second, std::string(report::severity_name(fi.severity))}];
        }
        f.timestamp = sys::unix_now();
        f.interval = opts_.cache_interval;
        std::lock_guard lock(mu_);
        inherited_ = std::move(f);
        audit_unreadable_ = std::move(unreadable);
        audit_error_.clear();
    }
}

void Collector::worker() {
    for (;;) {
        try {
            refresh_cached();
        } catch (const std::exception& e) {
            std::lock_guard lock(mu_);
            (opts_.account ? account_error_ : audit_error_) = e.what();
        }
        std::unique_lock lock(mu_);
        if (wake_.wait_for(lock, std::chrono::duration<double>(opts_.cache_interval), [&] { return stopping_; })) return;
    }
}

}  // namespace fdscope::exporter
