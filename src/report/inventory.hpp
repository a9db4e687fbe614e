// A process's fds grouped by kind and name or peer, and what changed
// between two such inventories (the drill-down of top and watch: "+312 tcp ->
// 10.0.0.5:5432 CLOSE-WAIT", "+200 file /var/log/app.log"). Pure.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "model/origin.hpp"
#include "model/snapshot.hpp"

namespace fdscope::report {

// (kind, group name) -> fds
using Inventory = std::map<std::pair<std::string, std::string>, std::uint64_t>;

// A creation site (model/origin.hpp: OriginStack::site) and how many of a
// group's new fds it made.
struct SiteCount {
    std::uint64_t count = 0;
    std::string site;
};

struct FdGroup {
    std::string kind, name;
    std::int64_t count = 0;  // a difference may be negative
};

// Per growing group (kind, name): its new fds by creation site, most first.
using GroupSites = std::map<std::pair<std::string, std::string>, std::vector<SiteCount>>;

// The group a file falls in: what stays the same across the fds a leak
// opens. A connected socket is its peer and state (the local port differs
// per fd), a listening or unconnected one its local address; a pipe or an
// unnamed UNIX socket has no useful name (each is new); a file is its path.
std::string group_name(const OpenFile& f, const SocketInfo* sock);

// Every fd of process `pid` in the snapshot (all its tables).
Inventory inventory_of(const Snapshot& snap, pid_t pid);

// now - before, non-zero groups only, largest growth first.
std::vector<FdGroup> inventory_diff(const Inventory& before, const Inventory& now);

// Fds per kind, most first.
std::vector<FdGroup> kinds_of(const Inventory& inv);

// For a process running libfdscope-preload.so: the top `top` creation
// sites of each growing group in `diff` (inventory_diff's, of process
// `pid` in `snap`), counting the group's fds created at or after `since`
// (Unix seconds; the table's clock is CLOCK_MONOTONIC plus the wall-clock
// offset taken when the library loaded). Fds the library did not see are
// not counted.
GroupSites new_sites(const Snapshot& snap, pid_t pid, const OriginsPtr& origins, double since,
                     const std::vector<FdGroup>& diff, std::size_t top = 3);

// "+312 tcp -> 10.0.0.5:5432 (CLOSE-WAIT)"
std::string describe_group(const FdGroup& g);
// " from db_connect (pool.c:88)" (one site), " from a (pool.c:88) 300, b (x.c:9) 12"
// (several), "" without sites.
std::string describe_sites(const std::vector<SiteCount>& sites);

}  // namespace fdscope::report

namespace fdscope::report {

// A drill-down: the process's fds now against its first inventory.
struct Drill {
    bool taken = false;          // an inventory could be taken now
    double baseline_time = 0;    // 0: no earlier inventory (this one becomes it)
    double time = 0;
    std::vector<FdGroup> kinds;  // now, per kind
    std::vector<FdGroup> diff;   // since the baseline
    bool origins = false;        // the process's preload table was read: `sites` says where
    GroupSites sites;            // per growing group of diff
    // The sites of one group of diff; null when none are known.
    const std::vector<SiteCount>* sites_of(const FdGroup& g) const {
        auto it = sites.find({g.kind, g.name});
        return it == sites.end() ? nullptr : &it->second;
    }
};

}  // namespace fdscope::report
