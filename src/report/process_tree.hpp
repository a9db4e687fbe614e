// Lineage in a process tree given as pid -> parent pid: one walk serves the
// audit scope (processes and their descendants, and the ancestors to read)
// and the search for where an inherited description came from. Pure.
#pragma once
#include <cstddef>
#include <sys/types.h>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "model/snapshot.hpp"

namespace fdscope::report {

using ParentMap = std::unordered_map<pid_t, pid_t>;

// Parents are read one process at a time; a pid reused meanwhile can close
// a cycle, so a lineage longer than this is taken for one.
inline constexpr int kMaxLineage = 4096;

// visit(parent), visit(grandparent), ... nearest first, until visit returns
// false, a process has no known parent, or the parent is 0 (the kernel).
template <class Visit>
void walk_up(pid_t pid, const ParentMap& parents, Visit&& visit) {
    for (int depth = 1; depth < kMaxLineage; ++depth) {
        const auto it = parents.find(pid);
        if (it == parents.end() || it->second <= 0) return;
        pid = it->second;
        if (!visit(pid)) return;
    }
}

ParentMap parent_map(const Snapshot& snap);

// The ancestors of `pid` among `parents`' processes, nearest first, at most
// `max`, up to (not including) init: a process reparented to init has lost
// its real lineage.
std::vector<pid_t> ancestors(pid_t pid, const ParentMap& parents, std::size_t max = 64);

// Whether `pid` is one of `roots` or descends from one.
bool descends_from(pid_t pid, const std::unordered_set<pid_t>& roots, const ParentMap& parents);

struct TreeScope {
    std::vector<pid_t> scope;  // the roots and their descendants (no roots: every process), sorted
    std::vector<pid_t> read;   // the scope and its processes' ancestors but init, sorted
};
TreeScope subtree_scope(const std::vector<pid_t>& roots, const ParentMap& parents);

}  // namespace fdscope::report
