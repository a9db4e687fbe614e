#include "report/process_tree.hpp"

#include <algorithm>

namespace fdscope::report {

ParentMap parent_map(const Snapshot& snap) {
    ParentMap parents;
    parents.reserve(snap.processes.size());
    for (const Process& p : snap.processes) parents.emplace(p.pid, p.ppid);
    return parents;
}

std::vector<pid_t> ancestors(pid_t pid, const ParentMap& parents, std::size_t max) {
    std::vector<pid_t> up;
    if (max == 0) return up;
    walk_up(pid, parents, [&](pid_t a) {
        if (a <= 1 || !parents.count(a)) return false;
        up.push_back(a);
        return up.size() < max;
    });
    return up;
}

bool descends_from(pid_t pid, const std::unordered_set<pid_t>& roots, const ParentMap& parents) {
    if (roots.count(pid)) return true;
    bool found = false;
    walk_up(pid, parents, [&](pid_t a) {
        found = roots.count(a) != 0;
        return !found;
    });
    return found;
}

namespace {

std::vector<pid_t> sorted(const std::unordered_set<pid_t>& pids) {
    std::vector<pid_t> out(pids.begin(), pids.end());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TreeScope subtree_scope(const std::vector<pid_t>& roots, const ParentMap& parents) {
    const std::unordered_set<pid_t> tops(roots.begin(), roots.end());
    std::unordered_set<pid_t> scope;
    for (const auto& [pid, ppid] : parents)
        if (tops.empty() || descends_from(pid, tops, parents)) scope.insert(pid);
    std::unordered_set<pid_t> read(scope);
    for (pid_t pid : scope) walk_up(pid, parents, [&](pid_t a) { return a > 1 && read.insert(a).second; });
    return {sorted(scope), sorted(read)};
}

}  // namespace fdscope::report
