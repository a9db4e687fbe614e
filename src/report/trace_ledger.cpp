#include "report/trace_ledger.hpp"

#include <algorithm>
#include <linux/close_range.h>
#include <map>
#include <set>
#include <utility>

namespace fdscope::report {
namespace {

// One fd number of one table: its current incarnation, or how the last one ended.
struct Slot {
    bool open = false;
    bool cloexec = false;
    EventIndex created = kNoEvent;         // of the current (or last closed) incarnation
    EventIndex last_close = kNoEvent;      // kNoEvent: not closed since it was created, or never seen
};

struct Table {
    std::map<int, Slot> slots;  // ordered: close_range walks ranges, reports list fds ascending
    std::set<std::int32_t> tasks;
};

class Replay {
public:
    explicit Replay(std::span<const FdEvent> events) : events_(events) {}

    TraceLedger run() {
        for (EventIndex i = 0; i < events_.size(); ++i) step(i);
        for (auto& [id, table] : tables_) release_open(id, table, false);
        group_leaks();
        sort_errors();
        return std::move(out_);
    }

private:
    void step(EventIndex i) {
        const FdEvent& e = events_[i];
        if (!succeeded(e)) count_error(i);
        if (e.op == Op::Lost) {
            out_.lost_events += e.result > 0 ? static_cast<std::uint64_t>(e.result) : 1;
            return;
        }
        tables_[e.table].tasks.insert(e.tid);
        switch (op_class(e.op)) {
            case OpClass::Create: create(i); break;
            case OpClass::Duplicate: duplicate(i); break;
            case OpClass::Close: e.op == Op::Close ? close_one(i) : close_range(i); break;
            case OpClass::Reflag: reflag(i); break;
            case OpClass::Process: process(i); break;
            case OpClass::Meta: present(i); break;
        }
    }

    Slot& slot(FdTableId table, int fd) { return tables_[table].slots[fd]; }

    void open_slot(FdTableId table, int fd, EventIndex i, bool cloexec) {
        if (fd < 0) return;
        slot(table, fd) = Slot{true, cloexec, i, kNoEvent};
    }

    void close_slot(Slot& s, EventIndex i) {
        s.open = false;
        s.last_close = i;
    }

    void create(EventIndex i) {
        const FdEvent& e = events_[i];
        if (!succeeded(e)) return;
        open_slot(e.table, e.fd, i, e.cloexec);
        if (creates_two(e.op)) open_slot(e.table, e.fd2, i, e.cloexec);
    }

    void present(EventIndex i) {
        const FdEvent& e = events_[i];
        if (e.fd < 0) return;
        Slot& s = slot(e.table, e.fd);
        if (!s.open) s = Slot{true, e.cloexec, i, kNoEvent};
    }

    void duplicate(EventIndex i) {
        const FdEvent& e = events_[i];
        if (!succeeded(e) || e.fd2 < 0 || e.fd == e.fd2) return;
        Slot& target = slot(e.table, e.fd2);
        if (target.open) close_slot(target, i);
        open_slot(e.table, e.fd2, i, e.cloexec);
    }

    void close_one(EventIndex i) {
        const FdEvent& e = events_[i];
        Slot& s = slot(e.table, e.fd);
        if (s.open) {
            // Linux releases the number even when close reports EINTR or EIO.
            close_slot(s, i);
            return;
        }
        if (s.last_close != kNoEvent) {
            out_.double_closes.push_back({i, s.last_close, s.created});
            s.last_close = i;
        } else {
            out_.stale_closes.push_back({i});
        }
    }

    void close_range(EventIndex i) {
        const FdEvent& e = events_[i];
        if (!succeeded(e) || e.fd < 0) return;
        FdTableId id = e.table;
        if (e.flags & CLOSE_RANGE_UNSHARE) id = split(e, e.table);
        auto& slots = tables_[id].slots;
        auto end = e.fd2 < 0 ? slots.end() : slots.upper_bound(e.fd2);
        for (auto it = slots.lower_bound(e.fd); it != end; ++it) {
            if (!it->second.open) continue;
            if (e.flags & CLOSE_RANGE_CLOEXEC) it->second.cloexec = true;
            else close_slot(it->second, i);
        }
    }

    void reflag(EventIndex i) {
        const FdEvent& e = events_[i];
        if (!succeeded(e)) return;
        Slot& s = slot(e.table, e.fd);
        if (s.open) s.cloexec = e.cloexec;
    }

    void process(EventIndex i) {
        const FdEvent& e = events_[i];
        if (e.op == Op::Exit) return task_exit(e.table, e.tid);
        if (!succeeded(e)) return;
        switch (e.op) {
            case Op::Fork:
            case Op::Vfork:
            case Op::Clone: return spawn(e);
            case Op::Unshare: split(e, e.table); return;
            case Op::Execve:
            case Op::Execveat: return exec(i);
            default: return;
        }
    }

    // A child on the parent's table (CLONE_FILES), or on a copy of it.
    void spawn(const FdEvent& e) {
        auto child = static_cast<std::int32_t>(e.result);
        if (e.new_table != e.table) tables_[e.new_table].slots = tables_[e.table].slots;
        tables_[e.new_table].tasks.insert(child);
    }

    // exec or unshare of a shared table: the task moves to a copy. Returns
    // the table the task uses after the call.
    FdTableId split(const FdEvent& e, FdTableId from) {
        if (e.new_table == 0 || e.new_table == from) return from;
        tables_[e.new_table].slots = tables_[from].slots;
        tables_[e.new_table].tasks.insert(e.tid);
        task_exit(from, e.tid);
        return e.new_table;
    }

    void exec(EventIndex i) {
        const FdEvent& e = events_[i];
        FdTableId id = split(e, e.table);
        for (auto& [fd, s] : tables_[id].slots) {
            if (!s.open) continue;
            if (s.cloexec) close_slot(s, i);
            else out_.crossings.push_back({i, id, fd, s.created});
        }
    }

    void task_exit(FdTableId id, std::int32_t tid) {
        Table& t = tables_[id];
        t.tasks.erase(tid);
        if (t.tasks.empty()) release_open(id, t, true);
    }

    // The table is gone (or the trace ended): what is still open stays open for good.
    void release_open(FdTableId id, Table& t, bool exited) {
        for (auto& [fd, s] : t.slots) {
            if (!s.open) continue;
            LeakedFd leaked{id, fd, s.created, exited};
            if (events_[s.created].op == Op::Present) out_.present_open.push_back(leaked);
            else leaked_.push_back(leaked);
        }
        t.slots.clear();
    }

    void group_leaks() {
        std::map<StackId, LeakGroup> groups;
        for (const LeakedFd& l : leaked_) {
            StackId stack = events_[l.created].stack;
            LeakGroup& g = groups[stack];
            g.stack = stack;
            g.fds.push_back(l);
        }
        for (auto& [stack, g] : groups) {
            std::stable_sort(g.fds.begin(), g.fds.end(),
                             [](const LeakedFd& a, const LeakedFd& b) { return a.created < b.created; });
            out_.leaks.push_back(std::move(g));
        }
        std::stable_sort(out_.leaks.begin(), out_.leaks.end(),
                         [](const LeakGroup& a, const LeakGroup& b) { return a.fds.size() > b.fds.size(); });
    }

    void count_error(EventIndex i) {
        const FdEvent& e = events_[i];
        auto [it, inserted] = errors_.try_emplace({e.op, e.error}, ErrorGroup{e.op, e.error, 0, i});
        ++it->second.count;
    }

    void sort_errors() {
        for (auto& [key, g] : errors_) out_.errors.push_back(g);
        std::stable_sort(out_.errors.begin(), out_.errors.end(),
                         [](const ErrorGroup& a, const ErrorGroup& b) { return a.count > b.count; });
    }

    std::span<const FdEvent> events_;
    std::map<FdTableId, Table> tables_;
    std::vector<LeakedFd> leaked_;
    std::map<std::pair<Op, int>, ErrorGroup> errors_;
    TraceLedger out_;
};

}  // namespace

TraceLedger trace_ledger(std::span<const FdEvent> events) { return Replay(events).run(); }

}  // namespace fdscope::report
