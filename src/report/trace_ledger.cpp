#include "report/trace_ledger.hpp"

#include <algorithm>
#include <cerrno>
#include <deque>
#include <linux/close_range.h>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <variant>

namespace fdscope::report {
namespace {

// The last incarnation of a number a thread created or closed.
struct ThreadTouch {
    std::int32_t tid = 0;
    std::uint64_t incarnation = 0;
    bool closed = false;
};

// The last incarnation of a number a close site (stack) closed.
struct SiteTouch {
    StackId stack = kNoStack;
    std::uint64_t incarnation = 0;
};

struct Live {
    FdEvent created;
    Origin origin = Origin::Traced;
    bool cloexec = false;
    Kind kind = Kind::Unknown;
    std::string name;
};

// One fd number of one table: its live incarnation, the one before it (or
// the last closed one) and who touched the last two.
struct Number {
    std::uint64_t incarnation = 0;  // of the live one, or of the last one; 0: never seen
    std::optional<Live> live;
    bool has_previous = false;
    FdEvent previous_created;
    Origin previous_origin = Origin::Traced;
    FdEvent previous_closed;
    bool closed_unseen = false;     // the previous one's end was inferred from a reconcile
    std::vector<ThreadTouch> threads;
    std::vector<SiteTouch> sites;
    std::optional<std::size_t> pending_stale;  // the stale close that ended the last incarnation
};

struct Table {
    std::map<int, Number> numbers;  // ordered: ranges, exec crossings and leaks list fds ascending
    std::set<std::int32_t> tasks;
    std::int32_t pid = 0;
    std::size_t live = 0;
    bool reconciled = false;
    // A reconcile under way: its event and the fds its Present events listed.
    bool reconciling = false;
    std::int64_t expected = 0;
    FdEvent reconcile;
    std::vector<int> seen;
    // Where the crossings of this table's latest exec begin in the findings:
    // the reconcile after an exec names what crossed ("TCP 127.0.0.1:8080
    // (LISTEN)" where the socket() call said only tcp).
    std::size_t exec_crossings_from = std::numeric_limits<std::size_t>::max();
};

using Candidate = std::variant<DoubleClose, EbadfClose>;

// EBADF closes of one thread from one site with ascending numbers, held
// back until they are known to be a sweep or not.
struct Run {
    FdEvent first;
    int last = -1;
    std::size_t ebadf = 0;
    std::size_t closed = 0;
    bool sweep = false;
    std::vector<Candidate> pending;
};

using LeakKey = std::tuple<LeakClass, std::int32_t, StackId>;
using LeakMap = std::map<LeakKey, LeakGroup>;
using ErrorKey = std::tuple<Op, int, StackId>;

template <typename T>
bool push_capped(std::vector<T>& list, T item, Summary& s) {
    if (list.size() >= kMaxFindings) {
        ++s.dropped_findings;
        return false;
    }
    list.push_back(std::move(item));
    return true;
}

void add_name(std::vector<std::string>& names, const std::string& name) {
    if (name.empty() || names.size() >= kMaxNames) return;
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

LeakClass leak_class(const Live& l, int fd) {
    switch (l.origin) {
        case Origin::Traced: return fd <= 2 ? LeakClass::Stdio : LeakClass::Traced;
        case Origin::PresentAtStart: return LeakClass::PresentAtStart;
        case Origin::Unknown: return LeakClass::OriginUnknown;
    }
    return LeakClass::OriginUnknown;
}

void add_leak(LeakMap& leaks, FdTableId id, const Table& t, int fd, const Live& l, bool exited) {
    const LeakClass cls = leak_class(l, fd);
    const StackId stack = cls == LeakClass::Traced || cls == LeakClass::Stdio ? l.created.stack : kNoStack;
    LeakGroup& g = leaks[{cls, t.pid, stack}];
    const std::uint64_t at = l.created.time_ns;
    if (g.count == 0) {
        g.cls = cls;
        g.pid = t.pid;
        g.stack = stack;
        g.created = l.created;
        g.first_ns = g.last_ns = at;
    }
    ++g.count;
    g.exited += exited ? 1u : 0u;
    g.first_ns = std::min(g.first_ns, at);
    g.last_ns = std::max(g.last_ns, at);
    if (std::find(g.kinds.begin(), g.kinds.end(), l.kind) == g.kinds.end()) g.kinds.push_back(l.kind);
    add_name(g.names, l.name);
    if (g.fds.size() < kMaxLeakSamples) g.fds.push_back({id, t.pid, fd, at, l.kind, l.name, exited});
}

void emit_run(const Run& r, TraceLedger& out) {
    if (r.sweep) {
        CloseSweep s{r.first.table, r.first, r.first.fd, r.last, r.ebadf, r.closed};
        push_capped(out.sweeps, std::move(s), out.summary);
        return;
    }
    for (const Candidate& c : r.pending) {
        if (const auto* d = std::get_if<DoubleClose>(&c)) push_capped(out.double_closes, *d, out.summary);
        else push_capped(out.ebadf_closes, std::get<EbadfClose>(c), out.summary);
    }
}

template <typename Map>
auto as_pairs(const Map& m) {
    std::vector<std::pair<typename Map::key_type, typename Map::mapped_type>> v(m.begin(), m.end());
    return v;
}

std::vector<LeakGroup> sorted_groups(std::vector<LeakGroup> groups) {
    std::stable_sort(groups.begin(), groups.end(), [](const LeakGroup& a, const LeakGroup& b) {
        if (a.count != b.count) return a.count > b.count;
        if (a.cls != b.cls) return a.cls < b.cls;
        return std::tie(a.pid, a.stack) < std::tie(b.pid, b.stack);
    });
    return groups;
}

}  // namespace

std::string_view origin_name(Origin o) {
    switch (o) {
        case Origin::Traced: return "traced";
        case Origin::PresentAtStart: return "present_at_start";
        case Origin::Unknown: return "origin_unknown";
    }
    return "origin_unknown";
}

std::string_view stale_tie_name(StaleTie t) {
    switch (t) {
        case StaleTie::CreatedPrevious: return "created_previous";
        case StaleTie::ClosedPrevious: return "closed_previous";
        case StaleTie::SameCloseSite: return "same_close_site";
    }
    return "closed_previous";
}

struct TraceBook::State {
    std::map<FdTableId, Table> tables;
    std::map<std::pair<FdTableId, std::int32_t>, Run> runs;  // per (table, tid)
    LeakMap leaks;                                          // of tables that died
    std::map<ErrorKey, ErrorGroup> errors;
    std::map<std::int32_t, std::uint64_t> lost_by_pid;
    std::map<std::int32_t, std::uint64_t> closed_unseen_by_pid;
    std::map<std::int32_t, std::size_t> peaks;
    std::set<std::int32_t> exec_seen;  // pids whose first exec has been seen
    // The tables that died last, so that a reconcile sent after a table's
    // last exit does not bring it back as fds "present at start".
    static constexpr std::size_t kDeadTables = 4096;
    std::set<FdTableId> dead;
    std::deque<FdTableId> dead_order;
    TraceLedger out;  // the single findings and the summary's counters

    Summary& summary() { return out.summary; }

    void add(const FdEvent& e) {
        Summary& s = summary();
        ++s.events;
        auto& op = s.ops[static_cast<std::size_t>(e.op)];
        ++op.calls;
        if (!succeeded(e)) {
            ++op.errors;
            ++s.errors;
        }
        if (e.op == Op::Lost) {
            const std::uint64_t n = e.result > 0 ? static_cast<std::uint64_t>(e.result) : 1;
            s.lost_events += n;
            lost_by_pid[e.pid] += n;
            return;
        }
        if (e.op != Op::Close) break_run(e.table, e.tid);
        if (!succeeded(e) && !(e.op == Op::Close && e.error == EBADF)) count_error(e);
        if (e.op == Op::Exit) return task_exit(e.table, e.tid);
        // An engine's last look at a table that already died: nothing to learn.
        if (op_class(e.op) == OpClass::Meta && !tables.contains(e.table) && dead.contains(e.table)) return;
        forget_dead(e.table);
        Table& t = tables[e.table];
        if (t.reconciling && e.op != Op::Present) end_reconcile(t);
        if (e.pid) t.pid = e.pid;
        // Reconciles name the process, not a task that runs: they must not
        // keep a table alive after its last task exited.
        if (op_class(e.op) != OpClass::Meta) t.tasks.insert(e.tid);
        switch (op_class(e.op)) {
            case OpClass::Create: return create(t, e);
            case OpClass::Duplicate: return duplicate(t, e);
            case OpClass::Close: return e.op == Op::Close ? close_one(t, e) : close_range(e);
            case OpClass::Reflag: return reflag(t, e);
            case OpClass::Process: return process(e);
            case OpClass::Meta: return e.op == Op::Reconcile ? begin_reconcile(t, e) : present(t, e);
        }
    }

    // --- incarnations -----------------------------------------------------

    void open_number(Table& t, int fd, const FdEvent& e, Origin origin, bool cloexec, Kind kind, std::string name) {
        if (fd < 0) return;
        Number& n = t.numbers[fd];
        if (n.live) {
            // A creation onto a number the book thinks open: its close went unseen.
            close_live(t, n, e, true);
            count_unseen(t);
        }
        ++n.incarnation;
        const std::uint64_t k = n.incarnation;
        // Only touches of k-1 and k can tie a closer to the incarnation before the live one.
        std::erase_if(n.threads, [k](const ThreadTouch& x) { return x.incarnation + 1 < k; });
        std::erase_if(n.sites, [k](const SiteTouch& x) { return x.incarnation + 1 < k; });
        n.pending_stale.reset();
        n.live = Live{e, origin, cloexec, kind, std::move(name)};
        ++t.live;
        if (origin == Origin::Traced) {
            touch_thread(n, e.tid, false);
            ++summary().created[static_cast<std::size_t>(kind)];
        }
        std::size_t& peak = peaks[t.pid];
        peak = std::max(peak, t.live);
    }

    void close_live(Table& t, Number& n, const FdEvent& by, bool unseen) {
        n.has_previous = true;
        n.previous_created = std::move(n.live->created);
        n.previous_origin = n.live->origin;
        n.previous_closed = by;
        n.closed_unseen = unseen;
        n.live.reset();
        --t.live;
    }

    static void touch_thread(Number& n, std::int32_t tid, bool closed) {
        for (ThreadTouch& x : n.threads)
            if (x.tid == tid) {
                x = {tid, n.incarnation, closed};
                return;
            }
        n.threads.push_back({tid, n.incarnation, closed});
    }

    static void touch_site(Number& n, StackId stack) {
        if (stack == kNoStack) return;
        for (SiteTouch& x : n.sites)
            if (x.stack == stack) {
                x.incarnation = n.incarnation;
                return;
            }
        n.sites.push_back({stack, n.incarnation});
    }

    void count_unseen(const Table& t) {
        ++summary().closed_unseen;
        ++closed_unseen_by_pid[t.pid];
    }

    // --- creators, dups, re-flaggers -------------------------------------

    void create(Table& t, const FdEvent& e) {
        if (!succeeded(e)) return;
        open_number(t, e.fd, e, Origin::Traced, e.cloexec, e.kind, e.name);
        if (creates_two(e.op)) open_number(t, e.fd2, e, Origin::Traced, e.cloexec, e.kind, e.name);
    }

    void duplicate(Table& t, const FdEvent& e) {
        if (!succeeded(e) || e.fd2 < 0 || e.fd == e.fd2) return;
        Kind kind = e.kind;
        std::string name = e.name;
        if (auto src = t.numbers.find(e.fd); src != t.numbers.end() && src->second.live) {
            // The new fd is the source's file: what the book knows of it.
            if (kind == Kind::Unknown) kind = src->second.live->kind;
            if (name.empty()) name = src->second.live->name;
        }
        if (auto it = t.numbers.find(e.fd2); it != t.numbers.end() && it->second.live) {
            Number& target = it->second;
            if (e.op != Op::Dup2 && e.op != Op::Dup3) {
                // dup and F_DUPFD take a free number: the book missed its close.
                close_live(t, target, e, true);
                count_unseen(t);
            } else {
                const Live& old = *target.live;
                if (e.fd2 >= 3 && old.origin == Origin::Traced && old.created.stack != e.stack)
                    push_capped(out.suspicious_replaces, SuspiciousReplace{e, e.fd2, old.created, old.kind, old.name},
                                summary());
                touch_thread(target, e.tid, true);
                close_live(t, target, e, false);
            }
        }
        open_number(t, e.fd2, e, Origin::Traced, e.cloexec, kind, std::move(name));
    }

    void reflag(Table& t, const FdEvent& e) {
        if (!succeeded(e)) return;
        auto it = t.numbers.find(e.fd);
        if (it != t.numbers.end() && it->second.live) it->second.live->cloexec = e.cloexec;
    }

    // --- closes -------------------------------------------------------------

    void close_one(Table& t, const FdEvent& e) {
        auto it = t.numbers.find(e.fd);
        Number* n = it == t.numbers.end() ? nullptr : &it->second;
        if (e.error != EBADF) {
            // Linux releases the number even when close reports EINTR or EIO.
            if (n && n->live) {
                const std::optional<StaleClose> stale = stale_close(*n, e);
                touch_thread(*n, e.tid, true);
                touch_site(*n, e.stack);
                close_live(t, *n, e, false);
                if (stale && push_capped(out.stale_closes, *stale, summary()))
                    n->pending_stale = out.stale_closes.size() - 1;
            } else {
                ++summary().unknown_closes;
            }
            return sweep_step(e, std::nullopt);
        }
        if (n && n->live) {
            // The kernel says it was not open: its close went unseen.
            close_live(t, *n, e, true);
            count_unseen(t);
        }
        if (n && n->pending_stale) {
            StaleClose& s = out.stale_closes[*n->pending_stale];
            if (s.victim.tid == e.tid && !s.victim_ebadf) {
                // The victim closing its own fd: the evidence that the stale close took it.
                s.victim_ebadf = e;
                break_run(e.table, e.tid);
                return;
            }
        }
        Candidate c = EbadfClose{e};
        if (n && n->has_previous && !n->closed_unseen) {
            c = DoubleClose{e, n->previous_closed, n->previous_created};
            n->previous_closed = e;
        }
        sweep_step(e, std::move(c));
    }

    // The stale-close rule of trace_ledger.hpp, for a close of n's live incarnation.
    static std::optional<StaleClose> stale_close(const Number& n, const FdEvent& e) {
        if (e.op != Op::Close || !n.has_previous || !n.live || n.live->origin != Origin::Traced) return std::nullopt;
        const std::uint64_t previous = n.incarnation - 1;
        const FdEvent& k = n.live->created;
        const FdEvent& p = n.previous_created;
        const bool p_traced = n.previous_origin == Origin::Traced;
        const bool other_creator = !p_traced || k.tid != p.tid || k.stack != p.stack;
        const bool other_site = !p_traced || k.stack != p.stack;
        std::optional<StaleTie> tie;
        for (const ThreadTouch& x : n.threads)
            if (x.tid == e.tid && x.incarnation == previous && other_creator)
                tie = x.closed ? StaleTie::ClosedPrevious : StaleTie::CreatedPrevious;
        if (!tie && e.stack != kNoStack && other_site)
            for (const SiteTouch& x : n.sites)
                if (x.stack == e.stack && x.incarnation == previous) tie = StaleTie::SameCloseSite;
        if (!tie) return std::nullopt;
        return StaleClose{e, k, n.live->origin, p, n.previous_closed, *tie, std::nullopt};
    }

    void close_range(const FdEvent& e) {
        if (!succeeded(e) || e.fd < 0) return;
        FdTableId id = e.table;
        if (e.flags & CLOSE_RANGE_UNSHARE) id = split(e, e.table);
        Table& t = tables[id];
        auto& numbers = t.numbers;
        auto end = e.fd2 < 0 ? numbers.end() : numbers.upper_bound(e.fd2);
        for (auto it = numbers.lower_bound(e.fd); it != end; ++it) {
            Number& n = it->second;
            if (!n.live) continue;
            if (e.flags & CLOSE_RANGE_CLOEXEC) {
                n.live->cloexec = true;
                continue;
            }
            touch_thread(n, e.tid, true);
            touch_site(n, e.stack);
            close_live(t, n, e, false);
        }
    }

    // One close in a possible sweep; `c` is its finding when it failed
    // with EBADF, nothing when it closed an fd.
    void sweep_step(const FdEvent& e, std::optional<Candidate> c) {
        const auto key = std::make_pair(e.table, e.tid);
        auto it = runs.find(key);
        if (it != runs.end() && (it->second.first.stack != e.stack || e.fd <= it->second.last)) {
            emit_run(it->second, out);
            runs.erase(it);
            it = runs.end();
        }
        if (it == runs.end()) {
            if (!c) return;  // sweeps start at their first EBADF
            it = runs.emplace(key, Run{e, e.fd, 0, 0, false, {}}).first;
        }
        Run& r = it->second;
        r.last = e.fd;
        if (!c) {
            ++r.closed;
            return;
        }
        ++r.ebadf;
        if (r.sweep) return;
        if (r.ebadf >= kSweepMin) {
            r.sweep = true;
            r.pending.clear();
        } else {
            r.pending.push_back(std::move(*c));
        }
    }

    void break_run(FdTableId table, std::int32_t tid) {
        auto it = runs.find({table, tid});
        if (it == runs.end()) return;
        emit_run(it->second, out);
        runs.erase(it);
    }

    // --- processes and tables ----------------------------------------------

    void process(const FdEvent& e) {
        if (!succeeded(e)) return;
        switch (e.op) {
            case Op::Fork:
            case Op::Vfork:
            case Op::Clone: return spawn(e);
            case Op::Unshare: split(e, e.table); return;
            case Op::Execve:
            case Op::Execveat: return exec(e);
            default: return;
        }
    }

    // A child on the parent's table (CLONE_FILES), or on a copy of it.
    void spawn(const FdEvent& e) {
        const auto child = static_cast<std::int32_t>(e.result);
        const FdTableId id = e.new_table ? e.new_table : e.table;
        if (id != e.table) {
            forget_dead(id);
            Table copy = copy_of(tables[e.table]);
            copy.pid = child;
            tables[id] = std::move(copy);
        }
        tables[id].tasks.insert(child);
    }

    static Table copy_of(const Table& from) {
        Table t;
        t.numbers = from.numbers;
        t.live = from.live;
        t.pid = from.pid;
        t.reconciled = from.reconciled;
        return t;
    }

    // exec or unshare of a shared table: the task moves to a copy. Returns
    // the table the task uses after the call.
    FdTableId split(const FdEvent& e, FdTableId from) {
        if (e.new_table == 0 || e.new_table == from) return from;
        forget_dead(e.new_table);
        Table copy = copy_of(tables[from]);
        if (e.pid) copy.pid = e.pid;
        copy.tasks.insert(e.tid);
        tables[e.new_table] = std::move(copy);
        task_exit(from, e.tid);
        return e.new_table;
    }

    void exec(const FdEvent& e) {
        const FdTableId id = split(e, e.table);
        Table& t = tables[id];
        const bool first = exec_seen.insert(e.pid).second;
        t.exec_crossings_from = out.crossings.size();
        for (auto& [fd, n] : t.numbers) {
            if (!n.live) continue;
            if (n.live->cloexec) {
                close_live(t, n, e, false);
                continue;
            }
            const Live& l = *n.live;
            push_capped(out.crossings, ExecCrossing{e, id, fd, l.created, l.origin, l.kind, l.name, first}, summary());
        }
    }

    void task_exit(FdTableId id, std::int32_t tid) {
        auto it = tables.find(id);
        if (it == tables.end()) return;
        Table& t = it->second;
        t.tasks.erase(tid);
        if (!t.tasks.empty()) return;
        // The table is gone: what is still open stays open for good.
        for (const auto& [fd, n] : t.numbers)
            if (n.live) add_leak(leaks, id, t, fd, *n.live, true);
        for (auto r = runs.begin(); r != runs.end();) {
            if (r->first.first != id) {
                ++r;
                continue;
            }
            emit_run(r->second, out);
            r = runs.erase(r);
        }
        tables.erase(it);
        dead.insert(id);
        dead_order.push_back(id);
        if (dead_order.size() > kDeadTables) {
            dead.erase(dead_order.front());
            dead_order.pop_front();
        }
    }

    // A table id in use again (the kernel reuses files_struct addresses).
    void forget_dead(FdTableId id) {
        if (dead.erase(id)) std::erase(dead_order, id);
    }

    // --- reconciliation -----------------------------------------------------

    void begin_reconcile(Table& t, const FdEvent& e) {
        ++summary().reconciles;
        t.reconciling = true;
        t.expected = e.result;
        t.reconcile = e;
        t.seen.clear();
        if (t.expected <= 0) end_reconcile(t);
    }

    void present(Table& t, const FdEvent& e) {
        if (e.fd < 0) return;
        if (t.reconciling) t.seen.push_back(e.fd);
        Number& n = t.numbers[e.fd];
        if (n.live) {
            // The kernel's word on what it is ("TCP 127.0.0.1:8080 (LISTEN)" rather than tcp).
            if (e.kind != Kind::Unknown) n.live->kind = e.kind;
            if (!e.name.empty()) n.live->name = e.name;
            n.live->cloexec = e.cloexec;
            name_crossing(t, e);
        } else {
            const Origin origin = t.reconciled ? Origin::Unknown : Origin::PresentAtStart;
            ++(origin == Origin::Unknown ? summary().origin_unknown : summary().present_at_start);
            open_number(t, e.fd, e, origin, e.cloexec, e.kind, e.name);
        }
        if (t.reconciling && static_cast<std::int64_t>(t.seen.size()) >= t.expected) end_reconcile(t);
    }

    void name_crossing(const Table& t, const FdEvent& e) {
        for (std::size_t i = t.exec_crossings_from; i < out.crossings.size(); ++i) {
            ExecCrossing& c = out.crossings[i];
            if (c.table != e.table || c.fd != e.fd) continue;
            if (e.kind != Kind::Unknown) c.kind = e.kind;
            if (!e.name.empty()) c.name = e.name;
        }
    }

    // The listed fds were the whole table: the book's other live fds were closed unseen.
    void end_reconcile(Table& t) {
        std::sort(t.seen.begin(), t.seen.end());
        for (auto& [fd, n] : t.numbers) {
            if (!n.live || std::binary_search(t.seen.begin(), t.seen.end(), fd)) continue;
            close_live(t, n, t.reconcile, true);
            count_unseen(t);
        }
        t.reconciling = false;
        t.reconciled = true;
        t.seen = {};
    }

    // --- errors -------------------------------------------------------------

    void count_error(const FdEvent& e) {
        auto [it, fresh] = errors.try_emplace({e.op, e.error, e.stack});
        ErrorGroup& g = it->second;
        if (fresh) g = ErrorGroup{e.op, e.error, e.stack, 0, e, {}};
        ++g.count;
        add_name(g.names, e.name);
    }

    TraceLedger finish() const {
        TraceLedger l = out;
        LeakMap all = leaks;
        for (const auto& [id, t] : tables)
            for (const auto& [fd, n] : t.numbers)
                if (n.live) add_leak(all, id, t, fd, *n.live, false);
        for (const auto& [key, r] : runs) emit_run(r, l);
        for (auto& [key, g] : all) {
            auto& list = g.cls == LeakClass::Traced  ? l.leaks
                         : g.cls == LeakClass::Stdio ? l.stdio_open
                                                     : l.untraced_open;
            list.push_back(std::move(g));
        }
        l.leaks = sorted_groups(std::move(l.leaks));
        l.stdio_open = sorted_groups(std::move(l.stdio_open));
        l.untraced_open = sorted_groups(std::move(l.untraced_open));
        for (const auto& [key, g] : errors) l.errors.push_back(g);
        std::stable_sort(l.errors.begin(), l.errors.end(),
                         [](const ErrorGroup& a, const ErrorGroup& b) { return a.count > b.count; });
        l.summary.lost_by_pid = as_pairs(lost_by_pid);
        l.summary.closed_unseen_by_pid = as_pairs(closed_unseen_by_pid);
        l.summary.peak_fds = as_pairs(peaks);
        return l;
    }
};

TraceBook::TraceBook() : s_(std::make_unique<State>()) {}
TraceBook::~TraceBook() = default;
TraceBook::TraceBook(TraceBook&&) noexcept = default;
TraceBook& TraceBook::operator=(TraceBook&&) noexcept = default;

void TraceBook::add(const FdEvent& e) { s_->add(e); }
TraceLedger TraceBook::finish() const { return s_->finish(); }

std::size_t TraceBook::live_fds() const {
    std::size_t n = 0;
    for (const auto& [id, t] : s_->tables) n += t.live;
    return n;
}

std::size_t TraceBook::tracked_numbers() const {
    std::size_t n = 0;
    for (const auto& [id, t] : s_->tables) n += t.numbers.size();
    return n;
}

std::size_t TraceBook::tables() const { return s_->tables.size(); }

TraceLedger trace_ledger(std::span<const FdEvent> events) {
    TraceBook book;
    for (const FdEvent& e : events) book.add(e);
    return book.finish();
}

}  // namespace fdscope::report
