#include "report/inventory.hpp"

#include <algorithm>

#include "report/describe.hpp"
#include "report/ls.hpp"

namespace fdscope::report {

std::string group_name(const OpenFile& f, const SocketInfo* sock) {
    if (f.kind == Kind::Pipe) return "";
    if (sock) {
        std::string s;
        if (f.kind == Kind::Unix) {
            s = sock->local;  // empty for unnamed sockets: one group
        } else if (is_connected(*sock)) {
            s = "-> " + sock->remote;
        } else {
            s = sock->local;
        }
        if (!sock->state.empty()) s += (s.empty() ? "(" : " (") + std::string(sock->state) + ")";
        return s;
    }
    if (is_socket(f.kind)) return "";
    std::string buf;
    std::string s(name_of(f, buf));
    if (f.deleted) s += " (deleted)";
    return s;
}

Inventory inventory_of(const Snapshot& snap, pid_t pid) {
    Inventory inv;
    LsReport r(snap, LsFilter{});
    for (const Row& row : r.rows()) {
        if (row.process->pid != pid || row.file->assoc != Assoc::Fd) continue;
        ++inv[{std::string(kind_name(row.file->kind)), group_name(*row.file, r.socket(*row.file))}];
    }
    return inv;
}

std::vector<FdGroup> inventory_diff(const Inventory& before, const Inventory& now) {
    std::vector<FdGroup> out;
    auto add = [&](const auto& key, std::int64_t d) {
        if (d) out.push_back({key.first, key.second, d});
    };
    for (const auto& [key, n] : now) {
        auto it = before.find(key);
        add(key, static_cast<std::int64_t>(n) - (it == before.end() ? 0 : static_cast<std::int64_t>(it->second)));
    }
    for (const auto& [key, n] : before)
        if (!now.count(key)) add(key, -static_cast<std::int64_t>(n));
    std::stable_sort(out.begin(), out.end(), [](const FdGroup& a, const FdGroup& b) { return a.count > b.count; });
    return out;
}

std::vector<FdGroup> kinds_of(const Inventory& inv) {
    std::map<std::string, std::int64_t> per;
    for (const auto& [key, n] : inv) per[key.first] += static_cast<std::int64_t>(n);
    std::vector<FdGroup> out;
    for (const auto& [kind, n] : per) out.push_back({kind, "", n});
    std::stable_sort(out.begin(), out.end(), [](const FdGroup& a, const FdGroup& b) { return a.count > b.count; });
    return out;
}

GroupSites new_sites(const Snapshot& snap, pid_t pid, const OriginsPtr& origins, double since,
                     const std::vector<FdGroup>& diff, std::size_t top) {
    GroupSites out;
    if (!origins) return out;
    LsReport r(snap, LsFilter{});
    r.set_origins({origins});
    // (kind, name) -> site -> count, for the growing groups only.
    std::map<std::pair<std::string, std::string>, std::map<std::string, std::uint64_t>> per;
    for (const FdGroup& g : diff)
        if (g.count > 0) per[{g.kind, g.name}];
    if (per.empty()) return out;
    for (const Row& row : r.rows()) {
        if (row.process->pid != pid) continue;
        const Origin* o = r.origin(row);
        if (!o || o->library_fd || o->quarantined || o->time < since) continue;
        auto it = per.find({std::string(kind_name(row.file->kind)), group_name(*row.file, r.socket(*row.file))});
        if (it == per.end()) continue;
        const std::string& site = origins->stack_of(o->stack).site;
        ++it->second[site.empty() ? "-" : site];
    }
    for (const auto& [key, counts] : per) {
        std::vector<SiteCount>& sites = out[key];
        for (const auto& [site, n] : counts) sites.push_back({n, site});
        std::stable_sort(sites.begin(), sites.end(), [](const SiteCount& a, const SiteCount& b) { return a.count > b.count; });
        if (sites.size() > top) sites.resize(top);
    }
    return out;
}

std::string describe_sites(const std::vector<SiteCount>& sites) {
    if (sites.empty()) return "";
    std::string s = " from " + sites.front().site;
    if (sites.size() == 1) return s;
    s += " " + std::to_string(sites.front().count);
    for (std::size_t i = 1; i < sites.size(); ++i) s += ", " + sites[i].site + " " + std::to_string(sites[i].count);
    return s;
}

std::string describe_group(const FdGroup& g) {
    std::string s = (g.count > 0 ? "+" : "") + std::to_string(g.count) + " " + g.kind;
    if (!g.name.empty()) s += " " + g.name;
    return s;
}

}  // namespace fdscope::report
