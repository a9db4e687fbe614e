// `fdscope ls`: the rows to show (every fd and association that passes the
// filters) and what each row knows beyond its own file: its task, its
// socket, and the other holders of the same pipe, FIFO, UNIX socket pair or
// eventfd (endpoints).
#pragma once
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/origin.hpp"
#include "model/snapshot.hpp"
#include "report/filter.hpp"

namespace fdscope::report {

// Whether a row's access mode is known: an fd's comes from fdinfo, which
// may have been refused; an association's from its mapping (or none).
inline bool mode_known(const OpenFile& f) { return f.assoc != Assoc::Fd || f.has_pos; }

struct Row {
    const Process* process;
    const OpenFile* file;  // in one of process->tables, or in process->assocs
};

struct Endpoint {
    pid_t pid;
    std::string_view command;
    std::string assoc;  // fd number, or cwd/mem/...
    Mode mode;
};

class LsReport {
public:
    LsReport(const Snapshot& snap, const LsFilter& filter);

    const Snapshot& snapshot() const { return snap_; }
    const std::vector<Row>& rows() const { return rows_; }
    // What could not be read (skipped processes with the refused pids
    // named, processes listed in part): stderr under a table, JSON notes.
    const std::vector<std::string>& read_gaps() const { return gaps_; }

    // The task whose table was read: the leader, else the lowest live tid.
    static pid_t tid(const Row& r);
    // The fd table holding the row's file; null for cwd/rtd/exe/mem/shm.
    static const FdTable* table_of(const Row& r);
    // "3", "cwd", "mem", ...
    static std::string assoc(const OpenFile& f);
    const SocketInfo* socket(const OpenFile& f) const;
    // Other holders of the other end or of the same object; empty for kinds
    // without endpoints (regular files, TCP, ...).
    std::vector<Endpoint> endpoints(const Row& r) const;
    bool has_endpoints(const OpenFile& f) const;
    // Builds the endpoint index now (it is built on first use otherwise):
    // after this, endpoints() only reads and may run on several threads.
    void prepare_endpoints() const { index_endpoints(); }

    // Creation sites from the preload tables (ls --origin): the tables read
    // for the processes that have one (collect::read_origins).
    void set_origins(std::vector<OriginsPtr> origins);
    bool origins_read() const { return origins_read_; }
    // The table of a row's process; null when it has none (or none was read).
    const ProcessOrigins* origins_of(const Process& p) const;
    // The origin of a row's fd: null when the library did not see it, for
    // associations, and for the fds of a thread's own table (the library
    // records the fd numbers of the table it was reconciled with).
    const Origin* origin(const Row& r) const;

private:
    // Which object a holder holds: (kind, dev, inode-or-eventfd-id).
    struct Key {
        Kind kind = Kind::Unknown;
        std::uint64_t dev = 0, id = 0;
        bool operator==(const Key&) const = default;
        explicit operator bool() const { return kind != Kind::Unknown; }
    };
    static bool key_less(const Key& a, const Key& b) {
        if (a.kind != b.kind) return a.kind < b.kind;
        if (a.dev != b.dev) return a.dev < b.dev;
        return a.id < b.id;
    }
    struct Holder {
        Key key;
        const Process* process;
        const OpenFile* file;
    };
    void index_endpoints() const;  // on first use: most tables never show endpoints
    void add_holders(const Key& key, const Row& self, std::vector<Endpoint>& out) const;
    static Key endpoint_key(const OpenFile& f);

    const Snapshot& snap_;
    std::vector<Row> rows_;
    std::vector<std::string> gaps_;
    // Every holder of an endpoint, sorted by key: one flat array rather than
    // a map of vectors (10^5 small allocations on a busy machine).
    mutable std::vector<Holder> holders_;
    mutable bool indexed_ = false;
    std::vector<OriginsPtr> origins_;
    std::unordered_map<pid_t, const ProcessOrigins*> origins_by_pid_;
    bool origins_read_ = false;
};

}  // namespace fdscope::report
