#include "report/summary.hpp"

#include <algorithm>

namespace fdscope::report {

ProcessUse process_use(const Process& p) {
    ProcessUse u;
    u.pid = p.pid;
    u.comm = p.comm;
    u.uid = p.uid;
    u.fds = p.fd_count();
    u.nofile = p.nofile;
    u.tables = static_cast<std::uint32_t>(p.tables.size());
    u.leader_exited = p.leader_exited;
    if (p.nofile.known && p.nofile.soft != kUnlimited && p.nofile.soft > 0) {
        u.percent = 100.0 * static_cast<double>(u.fds) / static_cast<double>(p.nofile.soft);
        u.headroom = p.nofile.soft > u.fds ? p.nofile.soft - u.fds : 0;
    }
    return u;
}

Summary summarize(const Snapshot& snap, std::size_t top_n, double near_percent) {
    Summary s;
    s.file_nr = snap.file_nr;
    s.nr_open = snap.nr_open;
    s.near_percent = near_percent;
    if (snap.file_nr.max) s.handles_percent = 100.0 * static_cast<double>(snap.file_nr.allocated) / static_cast<double>(snap.file_nr.max);
    s.skipped = snap.skipped_processes;
    std::vector<ProcessUse> all;
    all.reserve(snap.processes.size());
    for (const auto& p : snap.processes) {
        if (p.partial) continue;
        all.push_back(process_use(p));
        s.fds += all.back().fds;
    }
    s.processes = all.size();
    for (const auto& u : all)
        if (u.percent >= near_percent) s.near_limit.push_back(u);
    std::sort(s.near_limit.begin(), s.near_limit.end(),
              [](const auto& a, const auto& b) { return a.percent != b.percent ? a.percent > b.percent : a.pid < b.pid; });
    auto by_fds = [](const ProcessUse& a, const ProcessUse& b) { return a.fds != b.fds ? a.fds > b.fds : a.pid < b.pid; };
    std::size_t n = std::min(top_n, all.size());
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(), by_fds);
    all.resize(n);
    s.top = std::move(all);
    return s;
}

}  // namespace fdscope::report
