#include "export/sample_data.hpp"

#include <limits>

namespace fdscope::exporter::sample {
namespace {

ProcessFacts process(pid_t pid, std::string comm, std::string group, std::uint64_t fds, std::uint64_t max_fds,
                     double start) {
    ProcessFacts p;
    p.pid = pid;
    p.comm = std::move(comm);
    p.group = std::move(group);
    p.fds = fds;
    p.max_fds = max_fds;
    p.start_time = start;
    return p;
}

}  // namespace

ScrapeData all_features() {
    ScrapeData d;
    d.file_handles = 12345;
    d.file_handles_limit = static_cast<std::uint64_t>(std::numeric_limits<long>::max());
    d.processes = {
        process(1, "systemd", "init.scope", 120, 524288, 1733300000),
        process(812, "sshd", "ssh.service", 9, 1024, 1733300010.25),
        process(4242, std::string(kHostileComm), std::string(kHostileComm), 700, 1024, 1733300500),
        process(5001, "leaker", "leak.service", 3000, 4096, 1733301000.5),
        process(5002, "pool", "pool.service", 40, 0, 1733301001),
        process(6001, "cron", "cron.service", 7, 1024, 1733300020),
        process(6002, "cron", "cron.service", 5, 1024, 1733300030),
        process(7001, "tiny", "tiny.service", 2, 64, 1733300040),
    };
    d.processes[3].kinds = std::map<std::string, std::uint64_t>{{"file", 2990}, {"tcp", 8}, {"pipe", 2}};
    d.processes[2].kinds = std::map<std::string, std::uint64_t>{{"unix", 700}};
    d.leaks = {
        {5001, "leaker", "leak.service", 19.5, 56.41025641025641, 1733301002},
        {4242, std::string(kHostileComm), std::string(kHostileComm), 0.25, std::nullopt, 1733300600},
        {5002, "pool", "pool.service", 0.5, std::numeric_limits<double>::infinity(), 1733301100},
    };
    d.skipped_permission = 17;
    d.skipped_vanished = 2;
    d.skipped_budget = 0;
    d.account = AccountFacts{9000, 2000, 45, 3, 1, 1296, 1733301200, 60};
    InheritedFacts in;
    in.by_group_severity = {{{"ssh.service", "high"}, 1}, {{"cron.service", "low"}, 2}, {{"tiny.service", "high"}, 4}};
    in.timestamp = 1733301190;
    in.interval = 300;
    d.inherited = in;
    d.collectors = {{"processes", true, 0.0125},
                    {"leaks", true, 0.0001},
                    {"account", true, 0.5},
                    {"audit", false, std::numeric_limits<double>::quiet_NaN()},
                    {"kinds", true, 0.003}};
    d.scrapes_by_format = {{"openmetrics", 41}, {"text", 3}};
    d.self = SelfFacts{12, 1048576, 8388608, 1.75, 1733300005.5};
    d.version = "0.1.0";
    d.revision = "c72972f";
    d.backend = "procfs";
    return d;
}

CardinalityOptions all_features_options() {
    CardinalityOptions o;
    o.max_groups = 4;  // leak, the hostile one, init, pool kept; cron, ssh, tiny folded
    o.top = 3;
    o.max_suspects = 2;
    o.kinds = true;
    return o;
}

ScrapeData thousand_processes() {
    ScrapeData d;
    d.file_handles = 200000;
    d.file_handles_limit = static_cast<std::uint64_t>(std::numeric_limits<long>::max());
    for (pid_t pid = 1; pid <= 1000; ++pid) {
        const auto n = static_cast<std::uint64_t>(pid);
        ProcessFacts p = process(pid, "comm" + std::to_string(pid % 450),
                                 "unit-" + std::to_string(pid % 300) + ".service", (n * 37) % 500 + 3,
                                 pid % 7 == 0 ? 0 : 1024, 1733300000 + pid);
        p.kinds = std::map<std::string, std::uint64_t>{{"file", p.fds / 2}, {"tcp", p.fds / 4}, {"pipe", 2}};
        d.processes.push_back(std::move(p));
    }
    for (pid_t pid : {100, 200, 300, 400, 500})
        d.leaks.push_back({pid, "comm" + std::to_string(pid % 450), "unit-" + std::to_string(pid % 300) + ".service",
                           2.0, 3600.0 * pid, 1733300100});
    d.collectors = {{"processes", true, 0.02}, {"leaks", true, 0.001}, {"kinds", true, 0.3}};
    d.scrapes_by_format = {{"text", 1}};
    d.version = "0.1.0";
    d.revision = "unknown";
    d.backend = "procfs";
    return d;
}

}  // namespace fdscope::exporter::sample
