#include "export/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <utility>

namespace fdscope::exporter {
namespace {

constexpr std::string_view kOther = "__other__";
constexpr double kInfinity = std::numeric_limits<double>::infinity();

double as_value(std::uint64_t n) { return static_cast<double>(n); }

Family family(std::string name, MetricType type, std::string help, std::string unit = {}) {
    return Family{std::move(name), type, std::move(help), std::move(unit), {}};
}

Family gauge(std::string name, std::string help, double value, std::string unit = {}) {
    Family f = family(std::move(name), MetricType::Gauge, std::move(help), std::move(unit));
    f.samples.push_back({{}, value});
    return f;
}

std::vector<Label> process_labels(pid_t pid, const std::string& comm, const std::string& group) {
    return {{"pid", std::to_string(pid)}, {"comm", comm}, {"group", group}};
}

// "Cached: refreshed every 60 seconds." for the collectors that are not
// read on scrape (writing_exporters: say so in HELP).
std::string refreshed(double interval) {
    return " Cached: refreshed every " + format_value(interval) + " seconds.";
}

struct GroupTotals {
    std::uint64_t fds = 0, processes = 0;
    std::optional<double> worst_ratio;  // none when no process of it has a limit

    void add(const GroupTotals& o) {
        fds += o.fds;
        processes += o.processes;
        if (o.worst_ratio) worst_ratio = std::max(worst_ratio.value_or(0), *o.worst_ratio);
    }
};

// The groups as exported: the max_groups largest by fds under their own
// name, every other one summed into "__other__" (a group that calls itself
// that is folded too, so the label stays unique and the sums right).
class Groups {
public:
    Groups(const std::vector<ProcessFacts>& processes, std::size_t max_groups) {
        std::map<std::string, GroupTotals> all;
        for (const ProcessFacts& p : processes) {
            GroupTotals one{p.fds, 1, std::nullopt};
            if (p.max_fds > 0) one.worst_ratio = as_value(p.fds) / as_value(p.max_fds);
            all[p.group].add(one);
        }
        std::vector<std::pair<std::string, GroupTotals>> ranked;
        for (auto& [name, totals] : all)
            if (name != kOther) ranked.emplace_back(name, totals);
        std::stable_sort(ranked.begin(), ranked.end(),
                         [](const auto& a, const auto& b) { return a.second.fds > b.second.fds; });
        if (ranked.size() > max_groups) ranked.resize(max_groups);
        for (auto& [name, totals] : ranked) kept_.insert(name);
        for (auto& [name, totals] : all) totals_[std::string(fold(name))].add(totals);
    }

    std::string_view fold(const std::string& group) const {
        return kept_.count(group) ? std::string_view(group) : kOther;
    }
    const std::map<std::string, GroupTotals>& totals() const { return totals_; }

private:
    std::set<std::string> kept_;
    std::map<std::string, GroupTotals> totals_;
};

void add_group_families(const Groups& groups, std::vector<Family>& out) {
    Family fds = family("fdscope_group_open_fds", MetricType::Gauge,
                        "Open file descriptors summed over the processes of the group.");
    Family procs = family("fdscope_group_processes", MetricType::Gauge, "Processes in the group.");
    Family worst = family("fdscope_group_worst_fd_ratio", MetricType::Gauge,
                          "Highest ratio of open fds to the soft RLIMIT_NOFILE among the processes of the group.");
    for (const auto& [name, t] : groups.totals()) {
        const std::vector<Label> labels{{"group", name}};
        fds.samples.push_back({labels, as_value(t.fds)});
        procs.samples.push_back({labels, as_value(t.processes)});
        if (t.worst_ratio) worst.samples.push_back({labels, *t.worst_ratio});
    }
    out.push_back(std::move(fds));
    out.push_back(std::move(procs));
    out.push_back(std::move(worst));
}

void add_process_families(const ScrapeData& data, const std::vector<pid_t>& selected, bool kinds,
                          std::vector<Family>& out) {
    Family fds = family("fdscope_process_open_fds", MetricType::Gauge,
                        "Open file descriptors of a listed process (top-N or leak suspect).");
    Family max = family("fdscope_process_max_fds", MetricType::Gauge, "Soft RLIMIT_NOFILE of a listed process.");
    Family start = family("fdscope_process_start_time_seconds", MetricType::Gauge,
                          "Start time of a listed process since unix epoch in seconds.", "seconds");
    Family by_kind = family("fdscope_process_open_fds_by_kind", MetricType::Gauge,
                            "Open file descriptors of a listed process, by kind.");
    std::map<pid_t, const ProcessFacts*> by_pid;
    for (const ProcessFacts& p : data.processes) by_pid.emplace(p.pid, &p);
    for (pid_t pid : selected) {
        const auto it = by_pid.find(pid);
        if (it == by_pid.end()) continue;  // a suspect that vanished from this scrape's count
        const ProcessFacts& p = *it->second;
        const auto labels = process_labels(p.pid, p.comm, p.group);
        fds.samples.push_back({labels, as_value(p.fds)});
        // 0 is "not known": no series rather than a limit of zero.
        if (p.max_fds > 0) max.samples.push_back({labels, as_value(p.max_fds)});
        start.samples.push_back({labels, p.start_time});
        if (kinds && p.kinds)
            for (const auto& [kind, n] : *p.kinds) {
                auto with_kind = labels;
                with_kind.push_back({"kind", kind});
                by_kind.samples.push_back({std::move(with_kind), as_value(n)});
            }
    }
    out.push_back(std::move(fds));
    out.push_back(std::move(max));
    out.push_back(std::move(start));
    if (kinds) out.push_back(std::move(by_kind));
}

void add_leak_families(const ScrapeData& data, const std::vector<pid_t>& selected, std::vector<Family>& out) {
    out.push_back(gauge("fdscope_leak_suspects", "Processes with a leak verdict now.", as_value(data.leaks.size())));
    Family rate = family("fdscope_leak_fds_per_second", MetricType::Gauge,
                         "Robust growth rate of a leak suspect's fd count over the detection window.");
    Family eta = family("fdscope_leak_eta_seconds", MetricType::Gauge,
                        "Seconds until a leak suspect reaches its soft RLIMIT_NOFILE at that rate.", "seconds");
    Family since = family("fdscope_leak_start_timestamp_seconds", MetricType::Gauge,
                          "Unix time at which the suspect's fd count began to grow.", "seconds");
    const std::set<pid_t> wanted(selected.begin(), selected.end());
    std::vector<const LeakFacts*> leaks;
    for (const LeakFacts& l : data.leaks)
        if (wanted.count(l.pid)) leaks.push_back(&l);
    std::stable_sort(leaks.begin(), leaks.end(), [](auto* a, auto* b) { return a->pid < b->pid; });
    std::set<pid_t> written;  // one series per pid, should the facts repeat one
    for (const LeakFacts* l : leaks) {
        if (!written.insert(l->pid).second) continue;
        const auto labels = process_labels(l->pid, l->comm, l->group);
        rate.samples.push_back({labels, l->fds_per_second});
        if (l->eta_seconds) eta.samples.push_back({labels, *l->eta_seconds});
        since.samples.push_back({labels, l->start_time});
    }
    out.push_back(std::move(rate));
    out.push_back(std::move(eta));
    out.push_back(std::move(since));
}

void add_account_families(const AccountFacts& a, std::vector<Family>& out) {
    Family f = family("fdscope_file_handles_attributed", MetricType::Gauge,
                      "File handles attributed to a holder by the last reconciliation (fdscope account); holders "
                      "partition fdscope_file_handles." +
                          refreshed(a.interval));
    const std::pair<const char*, std::uint64_t> holders[] = {
        {"fd_table", a.fd_table}, {"mapping", a.mapping},   {"sysv_shm", a.sysv_shm},
        {"in_flight", a.in_flight}, {"io_uring", a.io_uring}, {"unattributed", a.unattributed}};
    for (const auto& [holder, n] : holders) f.samples.push_back({{{"holder", holder}}, as_value(n)});
    out.push_back(std::move(f));
    out.push_back(gauge("fdscope_account_timestamp_seconds",
                        "Unix time of the reconciliation behind fdscope_file_handles_attributed.", a.timestamp,
                        "seconds"));
}

void add_inherited_families(const InheritedFacts& in, const Groups& groups, std::vector<Family>& out) {
    Family f = family("fdscope_inherited_fds", MetricType::Gauge,
                      "Open file descriptions shared with a process running a different executable (fdscope audit), "
                      "by severity." +
                          refreshed(in.interval));
    std::map<std::pair<std::string, std::string>, std::uint64_t> folded;
    for (const auto& [key, n] : in.by_group_severity) folded[{std::string(groups.fold(key.first)), key.second}] += n;
    for (const auto& [key, n] : folded)
        f.samples.push_back({{{"group", key.first}, {"severity", key.second}}, as_value(n)});
    out.push_back(std::move(f));
    out.push_back(gauge("fdscope_audit_timestamp_seconds", "Unix time of the audit behind fdscope_inherited_fds.",
                        in.timestamp, "seconds"));
}

void add_scrape_families(const ScrapeData& data, std::vector<Family>& out) {
    Family skipped = family("fdscope_processes_skipped", MetricType::Gauge,
                            "Processes not fully counted in this scrape, by reason.");
    skipped.samples.push_back({{{"reason", "permission"}}, as_value(data.skipped_permission)});
    skipped.samples.push_back({{{"reason", "vanished"}}, as_value(data.skipped_vanished)});
    skipped.samples.push_back({{{"reason", "budget"}}, as_value(data.skipped_budget)});
    out.push_back(std::move(skipped));
    Family duration = family("fdscope_scrape_collector_duration_seconds", MetricType::Gauge,
                             "fdscope: Duration of a collector scrape.", "seconds");
    Family success = family("fdscope_scrape_collector_success", MetricType::Gauge,
                            "fdscope: Whether a collector succeeded.");
    for (const CollectorResult& c : data.collectors) {
        duration.samples.push_back({{{"collector", c.name}}, c.seconds});
        success.samples.push_back({{{"collector", c.name}}, c.success ? 1.0 : 0.0});
    }
    out.push_back(std::move(duration));
    out.push_back(std::move(success));
    Family scrapes = family("fdscope_scrapes", MetricType::Counter,
                            "Scrapes served since the exporter started, by exposition format.");
    for (const auto& [format, n] : data.scrapes_by_format) scrapes.samples.push_back({{{"format", format}}, as_value(n)});
    out.push_back(std::move(scrapes));
    Family build = family("fdscope_build", MetricType::Info,
                          "A metric with a constant '1' value labeled by version, revision and backend from which "
                          "fdscope was built.");
    build.samples.push_back(
        {{{"version", data.version}, {"revision", data.revision}, {"backend", data.backend}}, 1.0});
    out.push_back(std::move(build));
}

// client_golang's process collector, its HELP texts verbatim: dashboards
// and alerts written for any Go exporter read the same names.
void add_self_families(const SelfFacts& self, std::vector<Family>& out) {
    out.push_back(gauge("process_open_fds", "Number of open file descriptors.", as_value(self.open_fds)));
    out.push_back(gauge("process_max_fds", "Maximum number of open file descriptors.", as_value(self.max_fds)));
    Family cpu = family("process_cpu_seconds", MetricType::Counter, "Total user and system CPU time spent in seconds.",
                        "seconds");
    cpu.samples.push_back({{}, self.cpu_seconds});
    out.push_back(std::move(cpu));
    out.push_back(gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                        as_value(self.resident_bytes), "bytes"));
    out.push_back(gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                        self.start_time, "seconds"));
}

// The first n of `candidates` after ordering them by `before`.
template <typename T, typename Before>
void take_first(std::vector<const T*> candidates, std::size_t n, Before before, std::set<pid_t>& into) {
    std::sort(candidates.begin(), candidates.end(), before);
    for (std::size_t i = 0; i < candidates.size() && i < n; ++i) into.insert(candidates[i]->pid);
}

}  // namespace

std::vector<pid_t> select_processes(const ScrapeData& data, const CardinalityOptions& opts) {
    std::set<pid_t> chosen;
    std::vector<const ProcessFacts*> all, limited;
    for (const ProcessFacts& p : data.processes) {
        all.push_back(&p);
        if (p.max_fds > 0) limited.push_back(&p);
    }
    take_first(all, opts.top, [](auto* a, auto* b) { return a->fds != b->fds ? a->fds > b->fds : a->pid < b->pid; },
               chosen);
    // Compared as fds_a * max_b against fds_b * max_a, in long double so no
    // two different ratios tie by rounding.
    take_first(limited, opts.top,
               [](auto* a, auto* b) {
                   const long double ra = static_cast<long double>(a->fds) * static_cast<long double>(b->max_fds);
                   const long double rb = static_cast<long double>(b->fds) * static_cast<long double>(a->max_fds);
                   return ra != rb ? ra > rb : a->pid < b->pid;
               },
               chosen);
    std::vector<const LeakFacts*> leaks;
    for (const LeakFacts& l : data.leaks) leaks.push_back(&l);
    // Nearest exhaustion first; suspects without an ETA (no limit) after,
    // fastest first. A NaN sorts last, so the order stays strict.
    const auto eta = [](const LeakFacts* l) {
        const double v = l->eta_seconds.value_or(kInfinity);
        return std::isnan(v) ? kInfinity : v;
    };
    const auto rate = [](const LeakFacts* l) { return std::isnan(l->fds_per_second) ? -kInfinity : l->fds_per_second; };
    take_first(leaks, opts.max_suspects,
               [&](auto* a, auto* b) {
                   if (eta(a) != eta(b)) return eta(a) < eta(b);
                   if (rate(a) != rate(b)) return rate(a) > rate(b);
                   return a->pid < b->pid;
               },
               chosen);
    return {chosen.begin(), chosen.end()};
}

std::vector<Family> build_families(const ScrapeData& data, const CardinalityOptions& opts) {
    std::vector<Family> out;
    out.push_back(gauge("fdscope_file_handles",
                        "Kernel file handles (struct file) in use: first field of /proc/sys/fs/file-nr.",
                        as_value(data.file_handles)));
    out.push_back(gauge("fdscope_file_handles_limit", "Kernel limit on file handles: fs.file-max.",
                        as_value(data.file_handles_limit)));
    if (data.account) add_account_families(*data.account, out);
    const Groups groups(data.processes, opts.max_groups);
    add_group_families(groups, out);
    const std::vector<pid_t> selected = select_processes(data, opts);
    add_process_families(data, selected, opts.kinds, out);
    add_leak_families(data, selected, out);
    if (data.inherited) add_inherited_families(*data.inherited, groups, out);
    add_scrape_families(data, out);
    add_self_families(data.self, out);
    return out;
}

}  // namespace fdscope::exporter
