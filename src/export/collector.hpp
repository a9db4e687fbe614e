// What `fdscope serve` knows, and when it learns it:
// - continuously: the watch sampler's ticks and leak verdicts (the serve
//   command's main loop runs live::Monitor and publishes each tick here);
// - on scrape: file-nr, each counted process's group (its cgroup or exe
//   read now), the kinds of the selected processes, the exporter's own
//   process_* figures;
// - cached, refreshed on an interval by a worker thread: account's holders
//   and audit's inherited fds, with the time they were taken (a full scan
//   is too slow for every scrape).
// Scrapes are single-flight: a scrape that arrives while a snapshot is
// being taken waits for that one and shares it. A snapshot honours a time
// budget: collectors not done by then are left out and reported with
// fdscope_scrape_collector_success 0, the rest is still served.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "export/exposition.hpp"
#include "export/metrics.hpp"
#include "export/suspect.hpp"
#include "model/sample.hpp"

namespace fdscope::exporter {

struct CollectorOptions {
    GroupBy group_by = GroupBy::Unit;
    CardinalityOptions cardinality;
    bool account = false, audit = false;   // cached collectors
    double cache_interval = 60;            // seconds between account/audit refreshes
    double max_budget = 10;                // a scrape's own cap on its time (seconds)
    // Test-only (FDSCOPE_SERVE_TEST_DELAY): the processes collector takes
    // this much longer, a wait that ends at the scrape's budget.
    double test_delay = 0;
    std::string version, revision, backend;
    std::string proc_root = "/proc";
};


// What the sampling loop hands over after each tick.
struct Sampled {
    Tick tick;
    std::vector<Suspect> suspects;
};

// One snapshot: the families of one scrape, shared by every scrape that
// waited for it.
struct Snapshot {
    std::uint64_t generation = 0;  // counts snapshots taken since start
    std::vector<Family> families;
};

class Collector {
public:
    explicit Collector(CollectorOptions opts);
    ~Collector();
    Collector(const Collector&) = delete;
    Collector& operator=(const Collector&) = delete;

    // Starts the worker of the cached collectors (account, audit), if any.
    void start();
    void stop();

    void publish(Sampled sampled);
    // Counted into fdscope_scrapes_total{format} of the snapshots taken after.
    void count_scrape(Format format);
    // A snapshot taken within `budget` seconds (capped by max_budget), or
    // the one in progress when another scrape is taking it.
    std::shared_ptr<const Snapshot> snapshot(double budget);
    std::uint64_t snapshots_taken() const;

private:
    struct Cached;
    std::shared_ptr<const Snapshot> take(double deadline);
    void refresh_cached();
    void worker();

    CollectorOptions opts_;
    mutable std::mutex mu_;  // guards what follows
    std::condition_variable done_;
    std::shared_ptr<const Sampled> sampled_;
    std::map<std::string, std::uint64_t> scrapes_by_format_;
    bool in_flight_ = false;
    std::shared_ptr<const Snapshot> last_;
    std::uint64_t generation_ = 0;
    std::optional<AccountFacts> account_;
    std::optional<InheritedFacts> inherited_;
    // Processes the last audit could not read (fds by number only): not
    // fully counted, so each scrape counts them in fdscope_processes_skipped.
    std::vector<pid_t> audit_unreadable_;
    std::string account_error_, audit_error_;  // the last refresh's failure, empty when it worked
    bool stopping_ = false;
    std::condition_variable wake_;
    std::thread worker_;
};

// Budget of a scrape from its X-Prometheus-Scrape-Timeout-Seconds value
// (empty: none given): timeout - 0.5 s, at most `cap`, at least 0.1 s.
double scrape_budget(std::string_view timeout_header, double cap);

// The exporter's own figures (/proc/self).
SelfFacts read_self();

}  // namespace fdscope::exporter
