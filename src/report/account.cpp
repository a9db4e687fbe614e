#include "report/account.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace fdscope::report {
namespace {

// 110213 -> "110,213": the verdict is read by people.
std::string grouped(std::uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

using DevIno = std::pair<std::uint64_t, std::uint64_t>;

// What the fd tables hold, machine-wide.
struct FdSide {
    std::unordered_set<std::uint32_t> descriptions;  // ids seen on fds
    std::set<DevIno> files;                          // (dev, inode) open as an fd anywhere
    std::uint64_t without_id = 0;                    // fds with no description id: one handle each
};

void count_fds(const Snapshot& snap, Account& a, FdSide& side, std::vector<AccountProcess>& procs) {
    std::unordered_set<std::uint64_t> queued_sockets, rings;  // counted once per socket / ring
    for (const Process& p : snap.processes) {
        if (p.partial) continue;
        AccountProcess ap;
        ap.pid = p.pid;
        ap.comm = p.comm;
        std::unordered_set<std::uint32_t> mine;
        for (const FdTable& t : p.tables) {
            if (t.fds.empty() && t.counted) {
                // Counted but unreadable (permission): each fd taken as its
                // own handle, the most it can be.
                ap.fds += t.counted;
                ap.descriptions += t.counted;
                ap.unreadable = true;
                a.unreadable_fds += t.counted;
                continue;
            }
            for (const OpenFile& f : t.fds) {
                ++ap.fds;
                if (f.inode) side.files.emplace(f.dev, f.inode);
                if (f.description == kNoDescription) {
                    ++ap.descriptions;
                    ++side.without_id;
                } else if (mine.insert(f.description).second) {
                    ++ap.descriptions;
                    side.descriptions.insert(f.description);
                }
                if (f.detail && f.detail->scm_fds > 0 && queued_sockets.insert(f.inode).second) {
                    ap.in_flight += static_cast<std::uint64_t>(f.detail->scm_fds);
                    a.held_by.in_flight += static_cast<std::uint64_t>(f.detail->scm_fds);
                }
                const std::uint64_t ring = f.description != kNoDescription ? f.description : (1ULL << 63) | f.inode;
                if (f.detail && f.detail->io_uring_files > 0 && rings.insert(ring).second) {
                    ap.io_uring += static_cast<std::uint64_t>(f.detail->io_uring_files);
                    a.held_by.io_uring += static_cast<std::uint64_t>(f.detail->io_uring_files);
                }
            }
        }
        a.fds += ap.fds;
        procs.push_back(std::move(ap));
    }
}

// Id-less SysV attaches (procfs) that a process holds through fork(): its
// parent has the same segment attached over the same range. fork() copies
// the mapping with its struct file (one handle, however many processes);
// a process's own shmat() is a new handle at an address its parent does not
// have (it is taken in the forked address space; after an exec the layout is
// random anew). By (pid, range start).
std::set<std::pair<pid_t, std::uint64_t>> inherited_attaches(const Snapshot& snap) {
    using Attach = std::tuple<std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t>;  // dev, shmid, start, end
    std::unordered_map<pid_t, std::set<Attach>> by_pid;
    for (const Process& p : snap.processes)
        for (const OpenFile& f : p.assocs)
            if (f.assoc == Assoc::Shm && f.description == kNoDescription && f.range)
                by_pid[p.pid].emplace(f.dev, f.inode, f.range->start, f.range->end);
    std::set<std::pair<pid_t, std::uint64_t>> out;
    for (const Process& p : snap.processes) {
        auto mine = by_pid.find(p.pid), parent = by_pid.find(p.ppid);
        if (mine == by_pid.end() || parent == by_pid.end() || p.ppid == p.pid) continue;
        for (const Attach& a : mine->second)
            if (parent->second.count(a)) out.emplace(p.pid, std::get<2>(a));
    }
    return out;
}

// Mapping-only handles and SysV attaches. With description ids on the rows
// (BPF) both are exact; rows without (procfs) are bounded.
void count_mappings(const Snapshot& snap, const FdSide& side, Account& a, std::vector<AccountProcess>& procs) {
    std::unordered_set<std::uint32_t> map_only, attach_ids;
    std::set<DevIno> map_only_files;          // inodes of exact mapping-only handles
    std::set<DevIno> unknown_files;           // id-less rows: distinct files (low bound)
    // Id-less rows by (dev, inode, lowest address in the process): a forked
    // child inherits its parent's mappings at the same addresses (one struct
    // file), unrelated processes map at different ones (ASLR).
    std::set<std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>> unknown_groups;
    std::uint64_t unknown_rows = 0, unknown_attach_total = 0;
    std::map<std::int64_t, AccountSegment> segments;  // by shmid
    for (const ShmSegment& s : snap.shm) {
        AccountSegment& seg = segments[s.shmid];
        seg.key = s.key;
        seg.shmid = s.shmid;
        seg.size = s.size;
        seg.nattch = s.nattch;
    }
    const auto inherited = inherited_attaches(snap);
    std::size_t pi = 0;
    for (const Process& p : snap.processes) {
        if (p.partial) continue;
        AccountProcess& ap = procs[pi++];
        std::unordered_set<std::uint32_t> mine_maps, mine_attaches;
        std::map<DevIno, std::uint64_t> mine_unknown;  // file -> lowest start
        std::set<std::uint64_t> unknown_attaches;  // procfs: one attach per mapped range start
        for (const OpenFile& f : p.assocs) {
            if (f.assoc == Assoc::Shm) {
                // A shmid means a segment of the process's own IPC namespace:
                // only ours is listed in /proc/sysvipc/shm.
                AccountSegment* seg = nullptr;
                const bool our_ns = !p.ipcns || !snap.ipcns || p.ipcns == snap.ipcns;
                if (auto it = segments.find(static_cast<std::int64_t>(f.inode)); our_ns && it != segments.end())
                    seg = &it->second;
                bool fresh = false;
                if (f.description != kNoDescription) {
                    fresh = mine_attaches.insert(f.description).second;
                    if (attach_ids.insert(f.description).second && seg) ++seg->attaches;
                } else if (f.range) {
                    fresh = unknown_attaches.insert(f.range->start).second;
                    // Each process holds the attach (as with BPF's ids), the
                    // machine holds it once: not again in a forked child.
                    if (fresh && !inherited.count({p.pid, f.range->start})) {
                        ++unknown_attach_total;
                        if (seg) ++seg->attaches;
                    }
                }
                if (fresh) {
                    ++ap.sysv_shm;
                    if (seg && (seg->pids.empty() || seg->pids.back() != p.pid)) seg->pids.push_back(p.pid);
                }
                continue;
            }
            if (f.assoc != Assoc::Mem) continue;
            if (f.description != kNoDescription) {
                if (side.descriptions.count(f.description)) continue;  // an fd holds it: counted there
                if (mine_maps.insert(f.description).second) ++ap.mappings;
                if (map_only.insert(f.description).second) map_only_files.emplace(f.dev, f.inode);
            } else {
                if (side.files.count({f.dev, f.inode})) continue;  // probably the fd's own file
                ++unknown_rows;
                const std::uint64_t start = f.range ? f.range->start : 0;
                auto [it, fresh] = mine_unknown.try_emplace({f.dev, f.inode}, start);
                if (fresh) {
                    ++ap.mappings;
                    unknown_files.emplace(f.dev, f.inode);
                } else {
                    it->second = std::min(it->second, start);
                }
            }
        }
        for (const auto& [file, start] : mine_unknown) unknown_groups.emplace(file.first, file.second, start);
    }
    a.held_by.sysv_shm = attach_ids.size() + unknown_attach_total;
    a.shm_segment_files = snap.shm.size();
    a.held_by.sysv_shm += a.shm_segment_files;

    std::uint64_t low_unknown = 0;
    for (const DevIno& f : unknown_files)
        if (!map_only_files.count(f)) ++low_unknown;
    a.mappings_range.low = map_only.size() + low_unknown;
    a.mappings_range.estimate = map_only.size() + unknown_groups.size();
    a.mappings_range.high = map_only.size() + unknown_rows;
    a.held_by.mappings = a.mappings_range.estimate;
    if (unknown_rows)
        a.mappings_derivation = fmt::format(
            "{} mapped ranges of files no fd holds, without file identity (procfs): at least one handle per "
            "distinct file ({}), at most one per range ({}); estimated as one per file and address, since a "
            "forked child's inherited mappings share the parent's addresses and its open file ({})",
            unknown_rows, a.mappings_range.low - map_only.size(), unknown_rows, unknown_groups.size());
    for (auto& [id, seg] : segments) a.segments.push_back(std::move(seg));
    std::sort(a.segments.begin(), a.segments.end(), [](const AccountSegment& x, const AccountSegment& y) {
        return x.attaches != y.attaches ? x.attaches > y.attaches : x.shmid < y.shmid;
    });
}

const AccountProcess* most(const std::vector<AccountProcess>& procs, std::uint64_t AccountProcess::*field) {
    const AccountProcess* best = nullptr;
    for (const auto& p : procs)
        if (p.*field && (!best || p.*field > best->*field)) best = &p;
    return best;
}

std::string who(const AccountProcess& p) { return fmt::format("pid {} ({})", p.pid, p.comm); }

std::string verdict_readable(const Account& a);

// As a non-root user most fds are other users' and unreadable: what they
// hold is a bound, not a finding, so the verdict says so first.
std::string verdict(const Account& a) {
    if (!a.unreadable_fds) return verdict_readable(a);
    const std::string unreadable =
        fmt::format("fdscope could not read {} of {} fds ({})", grouped(a.unreadable_fds), grouped(a.fds), a.unreadable_why);
    // Leading with them only when they could hold more than any other part
    // does: root, too, cannot read a few processes (pid 1 of a sandbox), and
    // 2,000 files kept by mappings are still the answer then.
    const HeldBy& h = a.held_by;
    const std::uint64_t largest_other = std::max({h.sysv_shm, h.mappings, h.in_flight, h.io_uring, h.unattributed});
    if (a.unreadable_fds * 2 >= a.fds && a.unreadable_handles >= largest_other)
        return fmt::format("{}; the {} it could read reach {} of {} handles", unreadable,
                           grouped(a.fds - a.unreadable_fds), grouped(a.held_by.fd_tables - a.unreadable_handles),
                           grouped(a.file_nr.allocated));
    return verdict_readable(a) + "; " + unreadable;
}

std::string verdict_readable(const Account& a) {
    const std::uint64_t total = a.file_nr.allocated;
    const HeldBy& h = a.held_by;
    // The question is "where are the handles that no fd explains": lead with
    // the largest of those when it matters, else with the fd tables.
    struct Cat {
        std::uint64_t n;
        int which;
    };
    std::vector<Cat> cats = {{h.sysv_shm, 1}, {h.mappings, 2}, {h.in_flight, 3}, {h.io_uring, 5}, {h.unattributed, 4}};
    auto top = *std::max_element(cats.begin(), cats.end(), [](const Cat& x, const Cat& y) { return x.n < y.n; });
    const std::string of = fmt::format("{} of {} handles", grouped(top.n), grouped(total));
    // Significant: a fifth of the handles, or a thousand of them.
    if (top.n >= 100 && (top.n * 5 >= total || top.n >= 1000)) {
        switch (top.which) {
            case 1:
                if (!a.segments.empty() && a.segments.front().attaches) {
                    const AccountSegment& s = a.segments.front();
                    // The attaches, without the segments' own files.
                    const std::string of_attaches = fmt::format("{} of {} handles", grouped(h.sysv_shm - a.shm_segment_files), grouped(total));
                    std::string by;
                    if (s.pids.size() == 1) {
                        for (const auto& p : a.processes)
                            if (p.pid == s.pids.front()) by = " by " + who(p);
                    } else {
                        by = fmt::format(" by {} processes", s.pids.size());
                    }
                    return fmt::format("{} are SysV shm attaches: segment 0x{:08x} (id {}) is attached {} times{}", of_attaches,
                                       static_cast<std::uint32_t>(s.key), s.shmid, grouped(s.attaches), by);
                }
                return of + " are SysV shared memory segments and their attaches";
            case 2:
                if (const auto* p = most(a.processes, &AccountProcess::mappings))
                    return fmt::format("{} are files held only by memory mappings (mmap without an open fd): {} "
                                       "holds {} of them",
                                       of, who(*p), grouped(p->mappings));
                return of + " are files held only by memory mappings";
            case 3:
                if (const auto* p = most(a.processes, &AccountProcess::in_flight))
                    return fmt::format("{} are fds in flight (sent over UNIX sockets with SCM_RIGHTS, not received): "
                                       "{} holds the socket queues with {} of them",
                                       of, who(*p), grouped(p->in_flight));
                return of + " are fds in flight over UNIX sockets";
            case 5:
                if (const auto* p = most(a.processes, &AccountProcess::io_uring))
                    return fmt::format("{} are files registered with io_uring rings: {} has registered {}", of, who(*p),
                                       grouped(p->io_uring));
                return of + " are files registered with io_uring rings";
            default:
                return of + " are not reachable from any process: kernel-internal (or freed lazily)";
        }
    }
    if (const auto* p = most(a.processes, &AccountProcess::descriptions))
        return fmt::format("{} of {} handles are open file descriptions in fd tables ({} fds); {} holds the most: {}",
                           grouped(h.fd_tables), grouped(total), grouped(a.fds), who(*p), grouped(p->descriptions));
    return fmt::format("{} handles allocated, none reachable from a process fdscope could read", grouped(total));
}

// Why the account is not exact: what people can act on (unreadable fds) first.
std::vector<std::string> inexact_reasons(const Account& a, const Snapshot& snap, std::uint64_t fds_without_id,
                                         bool attaches_without_id) {
    std::vector<std::string> why;
    if (a.unreadable_fds)
        why.push_back(fmt::format(
            "{} of {} fds could not be read ({}) and are counted as {}", grouped(a.unreadable_fds), grouped(a.fds),
            a.unreadable_why,
            a.unreadable_handles < a.unreadable_fds
                ? fmt::format("{} handles, what file-nr leaves once everything readable is counted",
                              grouped(a.unreadable_handles))
                : std::string("one handle each (dups among them are not seen)")));
    if (snap.backend != "bpf") {
        why.emplace_back("procfs cannot tell which open file a mapping holds (the BPF backend can)");
        if (attaches_without_id)
            why.emplace_back("nor a forked child's inherited SysV attach from its own: they are told apart by address");
    } else if (a.mappings_range.low != a.mappings_range.high || attaches_without_id) {
        why.emplace_back("some mappings had no file identity");
    }
    if (!snap.ids_exact) why.emplace_back("kcmp was not permitted: fds are grouped into descriptions by flags and position");
    if (fds_without_id)
        why.push_back(fmt::format("{} fds had no file identity (each counted as one handle)", grouped(fds_without_id)));
    if (a.held_by.in_flight || a.held_by.io_uring)
        why.emplace_back("queued and registered files are known by count only (one also open as an fd counts twice)");
    return why;
}

}  // namespace

Account account(const Snapshot& snap, std::optional<std::uint64_t> filp_active, bool as_root) {
    Account a;
    a.unreadable_why = as_root ? "refused to root too: ptrace rules, another user namespace or a security module"
                               : "processes of other users: run as root for the whole account";
    a.backend = snap.backend;
    a.file_nr = snap.file_nr;
    a.nr_open = snap.nr_open;
    a.filp_active = filp_active;
    FdSide side;
    std::vector<AccountProcess> procs;
    count_fds(snap, a, side, procs);
    const std::uint64_t readable = side.descriptions.size() + side.without_id;
    count_mappings(snap, side, a, procs);
    HeldBy& h = a.held_by;
    // procfs' mapping estimate cannot exceed what file-nr leaves for it.
    // (Unreadable fds may be dups: the other parts are taken at their least.)
    const std::uint64_t others = readable + h.sysv_shm + h.in_flight + h.io_uring;
    if (a.mappings_range.low != a.mappings_range.high) {
        const std::uint64_t room = a.file_nr.allocated > others ? a.file_nr.allocated - others : 0;
        const std::uint64_t cap = std::max(a.mappings_range.low, room);
        if (a.mappings_range.high > cap || a.mappings_range.estimate > cap)
            a.mappings_derivation += fmt::format("; capped at {}, what file-nr leaves once the other parts are counted", cap);
        a.mappings_range.high = std::min(a.mappings_range.high, cap);
        a.mappings_range.estimate = std::min(a.mappings_range.estimate, cap);
        h.mappings = a.mappings_range.estimate;
    }
    // An unreadable fd holds at most one handle, and together they hold at
    // most what file-nr leaves once everything readable is counted: as a
    // non-root user they are nearly every fd, and one handle each would
    // exceed file-nr many times over.
    const std::uint64_t known = others + h.mappings;
    a.unreadable_handles = std::min(a.unreadable_fds, a.file_nr.allocated > known ? a.file_nr.allocated - known : 0);
    h.fd_tables = readable + a.unreadable_handles;
    a.descriptions = h.fd_tables;
    const std::uint64_t attributed = h.fd_tables + h.mappings + h.sysv_shm + h.in_flight + h.io_uring;
    a.held_by.unattributed = a.file_nr.allocated > attributed ? a.file_nr.allocated - attributed : 0;
    a.held_by.over = attributed > a.file_nr.allocated ? attributed - a.file_nr.allocated : 0;
    bool attaches_without_id = false;
    for (const Process& p : snap.processes)
        for (const OpenFile& f : p.assocs)
            attaches_without_id = attaches_without_id || (f.assoc == Assoc::Shm && f.description == kNoDescription);
    a.inexact = inexact_reasons(a, snap, side.without_id, attaches_without_id);
    a.exact = a.inexact.empty();

    for (auto& p : procs) p.handles = p.descriptions + p.mappings + p.sysv_shm;
    std::erase_if(procs, [](const AccountProcess& p) { return p.handles == 0 && p.fds == 0; });
    std::sort(procs.begin(), procs.end(), [](const AccountProcess& x, const AccountProcess& y) {
        return x.handles != y.handles ? x.handles > y.handles : x.pid < y.pid;
    });
    // The process holding the most handles that no fd explains comes first.
    auto gap = [](const AccountProcess& p) { return p.mappings + p.sysv_shm + p.in_flight + p.io_uring; };
    auto lead = std::max_element(procs.begin(), procs.end(),
                                 [&](const AccountProcess& x, const AccountProcess& y) { return gap(x) < gap(y); });
    if (lead != procs.end() && gap(*lead) >= 100) std::rotate(procs.begin(), lead, lead + 1);
    a.processes = std::move(procs);
    a.verdict = verdict(a);
    return a;
}

}  // namespace fdscope::report
