// The metric set of `fdscope serve` (the names are a contract: docs/metrics.md)
// built from what one scrape knows. Pure: facts in, families out; bounded
// cardinality is decided here (groups past max_groups summed into
// group="__other__", per-process series only for the selected processes).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "export/exposition.hpp"

namespace fdscope::exporter {

enum class GroupBy { Unit, Comm, Cgroup, Exe };

// What a process is grouped by: --group-by unit takes the systemd unit from
// the cgroup v2 path (a "0::" line of /proc/PID/cgroup or the path alone):
// the innermost component ending in .service or .scope, else the innermost
// .socket, .mount, .swap, .slice or .target ("init.scope" for pid 1), else
// the comm; cgroup is the path itself; exe the basename of the executable
// (else the comm). Never an empty string ("unknown" without even a comm).
std::string group_of(GroupBy by, std::string_view cgroup_path, std::string_view comm, std::string_view exe_path);

struct ProcessFacts {
    pid_t pid = 0;
    std::string comm;           // any bytes (sanitized on output)
    std::string group;          // group_of(...)
    std::uint64_t fds = 0;
    std::uint64_t max_fds = 0;  // soft RLIMIT_NOFILE, 0 = unlimited/unknown
    double start_time = 0;      // Unix seconds
    // By kind ("file", "tcp", ...), when the kinds collector read it.
    std::optional<std::map<std::string, std::uint64_t>> kinds;
};

struct LeakFacts {
    pid_t pid = 0;
    std::string comm, group;
    double fds_per_second = 0;
    std::optional<double> eta_seconds;  // to the soft limit; none when unlimited
    double start_time = 0;              // Unix seconds the growth began
};

struct CollectorResult {
    std::string name;  // "processes", "leaks", "account", "audit", "kinds", ...
    bool success = true;
    double seconds = 0;
};

struct AccountFacts {  // fdscope account's holders (cached)
    std::uint64_t fd_table = 0, mapping = 0, sysv_shm = 0, in_flight = 0, io_uring = 0, unattributed = 0;
    double timestamp = 0;  // Unix seconds of that reconciliation
    double interval = 0;   // seconds between reconciliations (stated in HELP)
};

struct InheritedFacts {  // fdscope audit's inherited-across-exec findings (cached)
    std::map<std::pair<std::string, std::string>, std::uint64_t> by_group_severity;  // (group, severity) -> fds
    double timestamp = 0;
    double interval = 0;
};

struct SelfFacts {  // the exporter's own process_* metrics
    std::uint64_t open_fds = 0, max_fds = 0, resident_bytes = 0;
    double cpu_seconds = 0, start_time = 0;
};

struct ScrapeData {
    std::uint64_t file_handles = 0, file_handles_limit = 0;  // file-nr fields 1 and 3
    std::vector<ProcessFacts> processes;                     // every counted process
    std::vector<LeakFacts> leaks;                            // current suspects
    std::uint64_t skipped_permission = 0, skipped_vanished = 0, skipped_budget = 0;
    std::optional<AccountFacts> account;      // --collector.account
    std::optional<InheritedFacts> inherited;  // --collector.audit
    std::vector<CollectorResult> collectors;
    // Scrapes served since start, by format ("openmetrics", "text"): the
    // counter fdscope_scrapes_total{format} (how a test, or an operator,
    // sees what Prometheus negotiated).
    std::map<std::string, std::uint64_t> scrapes_by_format;
    SelfFacts self;
    std::string version, revision, backend;
};

struct CardinalityOptions {
    std::size_t max_groups = 200;     // largest by fds kept, the rest summed into "__other__"
    std::size_t top = 10;             // per-process series: top N by fds, top N by fds/limit
    std::size_t max_suspects = 50;    // leak suspects with per-process series
    bool kinds = false;               // fdscope_process_open_fds_by_kind for the selected processes
};

// Every family of docs/metrics.md, in its order. Families with no series
// (no leak suspects) are still written, for promtool and absent()-free rules;
// those of an optional collector that is off (account, inherited nullopt,
// opts.kinds false) are not written at all.
std::vector<Family> build_families(const ScrapeData& data, const CardinalityOptions& opts);

// The pids that get per-process series: top N by fds ∪ top N by fds/limit
// ∪ leak suspects (at most max_suspects of them, nearest ETA first).
std::vector<pid_t> select_processes(const ScrapeData& data, const CardinalityOptions& opts);

}  // namespace fdscope::exporter
