// Lookups into a Snapshot for tests.
#pragma once
#include <gtest/gtest.h>

#include "collect/scan.hpp"
#include "model/snapshot.hpp"

namespace fdscope::test {

inline const Process* find_process(const Snapshot& s, pid_t pid) {
    for (const auto& p : s.processes)
        if (p.pid == pid && !p.partial) return &p;
    return nullptr;
}

inline const OpenFile* find_fd(const Process& p, int fd, pid_t tid = 0) {
    for (const auto& t : p.tables)
        if (tid == 0 || t.tid == tid)
            for (const auto& f : t.fds)
                if (f.fd == fd) return &f;
    return nullptr;
}

inline Snapshot scan_pids(std::vector<pid_t> pids, bool endpoints = false) {
    collect::ScanOptions o;
    o.pids = std::move(pids);
    o.endpoints = endpoints;
    return collect::scan(o);
}

}  // namespace fdscope::test
