#include "collect/identity.hpp"

#include "sys/kcmp.hpp"
#include "sys/parallel_for.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>
#include <unordered_map>

namespace fdscope::collect {
namespace {

struct Ref {
    OpenFile* file;
    pid_t tid;
    pid_t pid, ppid;
    std::uint64_t dev, ino;
    std::uint32_t group_key;  // kind and access mode
    std::uint32_t cls;        // description class, unique across the snapshot
    std::uint32_t order;      // position in (pid, table, fd) order
};

bool same_group(const Ref& a, const Ref& b) {
    return a.dev == b.dev && a.ino == b.ino && a.group_key == b.group_key;
}

// A socket inode has exactly one struct file, and so does an eventfd context
// (eventfd-id): neither needs kcmp.
bool unique_by_inode(const OpenFile& f) {
    return is_socket(f.kind) || (f.kind == Kind::Eventfd && f.detail && f.detail->eventfd_id >= 0);
}

std::uint64_t hint_key(const OpenFile& f) {
    return (static_cast<std::uint64_t>(f.flags & ~static_cast<std::uint32_t>(O_CLOEXEC)) << 40) ^ f.pos;
}

std::atomic<std::uint64_t> g_kcmp_calls{0};

sys::KcmpResult compare(const Ref& a, const Ref& b) {
    g_kcmp_calls.fetch_add(1, std::memory_order_relaxed);
    return sys::kcmp_files(a.tid, a.file->fd, b.tid, b.file->fd);
}

// Whether the fd behind a ref is still open in its task.
bool alive(const Ref& r) { return compare(r, r) == sys::KcmpResult::Equal; }

struct Rep {
    const Ref* ref;
    std::uint32_t cls;
};

// Splits refs[begin, end) (one group) into classes. `next_cls` hands out ids.
// Returns false if kcmp was denied somewhere (the caller then falls back).
bool split_group(std::vector<Ref>& refs, std::size_t begin, std::size_t end,
                 std::atomic<std::uint32_t>& next_cls) {
    std::vector<Rep> reps;  // sorted by kcmp order
    std::unordered_map<std::uint64_t, Rep> hints;
    bool ok = true;
    for (std::size_t i = begin; i < end; ++i) {
        Ref& x = refs[i];
        const std::uint64_t hk = hint_key(*x.file);
        // dup() shares within a table, fork() between parent and child: only
        // there is the hint likely to be the same description.
        auto related = [&](const Ref& r) { return r.pid == x.pid || r.pid == x.ppid || r.ppid == x.pid; };
        if (auto h = hints.find(hk); h != hints.end() && related(*h->second.ref)) {
            sys::KcmpResult c = compare(x, *h->second.ref);
            if (c == sys::KcmpResult::Equal) {
                x.cls = h->second.cls;
                continue;
            }
            if (c == sys::KcmpResult::Denied) ok = false;
        }
        // Binary insertion. A representative whose fd closed (or whose task
        // exited) since the read cannot be compared any more: drop it and
        // search again, or it would split every later fd of its group.
        bool found = false;
        for (;;) {
            std::size_t lo = 0, hi = reps.size();
            sys::KcmpResult failed = sys::KcmpResult::Equal;
            std::size_t failed_at = 0;
            while (lo < hi) {
                std::size_t mid = (lo + hi) / 2;
                sys::KcmpResult c = compare(x, *reps[mid].ref);
                if (c == sys::KcmpResult::Equal) {
                    x.cls = reps[mid].cls;
                    found = true;
                    break;
                }
                if (c == sys::KcmpResult::Less) hi = mid;
                else if (c == sys::KcmpResult::Greater) lo = mid + 1;
                else {
                    failed = c;
                    failed_at = mid;
                    break;
                }
            }
            if (found) break;
            if (failed == sys::KcmpResult::Equal) {  // searched to the end: a new description
                x.cls = next_cls.fetch_add(1, std::memory_order_relaxed);
                reps.insert(reps.begin() + static_cast<std::ptrdiff_t>(lo), Rep{&x, x.cls});
                break;
            }
            if (failed == sys::KcmpResult::Denied) ok = false;
            if (failed == sys::KcmpResult::Unknown && alive(x)) {
                reps.erase(reps.begin() + static_cast<std::ptrdiff_t>(failed_at));
                continue;
            }
            // x itself is gone (or kcmp is denied): its own description.
            x.cls = next_cls.fetch_add(1, std::memory_order_relaxed);
            break;
        }
        hints[hk] = Rep{&x, x.cls};
    }
    return ok;
}

// Without kcmp: what a description cannot hide (flags, position).
void approximate_group(std::vector<Ref>& refs, std::size_t begin, std::size_t end,
                       std::atomic<std::uint32_t>& next_cls) {
    std::unordered_map<std::uint64_t, std::uint32_t> seen;
    for (std::size_t i = begin; i < end; ++i) {
        auto [it, fresh] = seen.try_emplace(hint_key(*refs[i].file), 0);
        if (fresh) it->second = next_cls.fetch_add(1, std::memory_order_relaxed);
        refs[i].cls = it->second;
    }
}

}  // namespace

void assign_descriptions(Snapshot& snap, unsigned threads) {
    std::size_t total = 0;
    for (auto& p : snap.processes)
        for (auto& t : p.tables) total += t.fds.size();
    std::vector<Ref> sorted;
    sorted.reserve(total);
    std::atomic<std::uint32_t> next_cls{0};
    for (auto& p : snap.processes)
        for (auto& t : p.tables)
            for (auto& f : t.fds) {
                std::uint32_t gk = (static_cast<std::uint32_t>(f.kind) << 8) | static_cast<std::uint32_t>(f.mode);
                std::uint64_t ino = f.inode;
                if (f.kind == Kind::Eventfd && f.detail && f.detail->eventfd_id >= 0)
                    ino = static_cast<std::uint64_t>(f.detail->eventfd_id);
                sorted.push_back(Ref{&f, t.tid, p.pid, p.ppid, f.dev, ino, gk, 0,
                                     static_cast<std::uint32_t>(sorted.size())});
            }
    std::sort(sorted.begin(), sorted.end(), [](const Ref& x, const Ref& y) {
        if (x.dev != y.dev) return x.dev < y.dev;
        if (x.ino != y.ino) return x.ino < y.ino;
        if (x.group_key != y.group_key) return x.group_key < y.group_key;
        return x.order < y.order;
    });
    // Group boundaries; groups that need kcmp go to the workers.
    std::vector<std::pair<std::size_t, std::size_t>> groups;
    for (std::size_t i = 0; i < sorted.size();) {
        std::size_t j = i + 1;
        while (j < sorted.size() && same_group(sorted[i], sorted[j])) ++j;
        // Sockets and eventfds are one description per key (eventfd ids start
        // at 0, so this test comes before the unknown-inode one).
        const bool unique = unique_by_inode(*sorted[i].file);
        if (j - i == 1 || unique) {
            std::uint32_t cls = next_cls.fetch_add(1, std::memory_order_relaxed);
            for (std::size_t k = i; k < j; ++k) sorted[k].cls = cls;
        } else if (sorted[i].ino == 0) {
            // Inode 0: identity unknown, every fd is its own description.
            for (std::size_t k = i; k < j; ++k) sorted[k].cls = next_cls.fetch_add(1, std::memory_order_relaxed);
        } else {
            groups.emplace_back(i, j);
        }
        i = j;
    }
    std::atomic<bool> denied{false};
    sys::parallel_for(groups.size(), threads, [&](std::size_t g, unsigned) {
        auto [b, e] = groups[g];
        if (denied.load(std::memory_order_relaxed) || !split_group(sorted, b, e, next_cls)) {
            denied.store(true, std::memory_order_relaxed);
            approximate_group(sorted, b, e, next_cls);
        }
    });
    if (denied) snap.ids_exact = false;
    if (std::getenv("FDSCOPE_TIMING"))
        std::fprintf(stderr, "fdscope: identity: %zu fds, %zu groups to split, %llu kcmp calls\n", sorted.size(),
                     groups.size(), static_cast<unsigned long long>(g_kcmp_calls.load()));

    // Dense ids in order of first appearance: visit the refs in their
    // original order through a permutation, then number classes as met.
    std::vector<std::uint32_t> by_order(sorted.size());
    for (std::uint32_t i = 0; i < sorted.size(); ++i) by_order[sorted[i].order] = i;
    std::vector<std::uint32_t> dense(next_cls.load(), kNoDescription);
    std::uint32_t next_id = 0;
    for (std::uint32_t i : by_order) {
        const Ref& r = sorted[i];
        if (dense[r.cls] == kNoDescription) dense[r.cls] = next_id++;
        r.file->description = dense[r.cls];
    }
    snap.description_count = next_id;
}

}  // namespace fdscope::collect
