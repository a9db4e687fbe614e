#include "report/ls.hpp"

#include <algorithm>

#include "report/read_gaps.hpp"

namespace fdscope::report {

LsReport::LsReport(const Snapshot& snap, const LsFilter& filter) : snap_(snap) {
    for (const auto& p : snap.processes) {
        if (p.partial || !process_matches(filter, p)) continue;
        for (const auto& t : p.tables)
            for (const auto& f : t.fds)
                // The socket lookup is a hash probe per fd: only -i needs it.
                if (file_matches(filter, f, filter.inet ? socket(f) : nullptr)) rows_.push_back(Row{&p, &f});
        for (const auto& f : p.assocs)
            if (file_matches(filter, f, nullptr)) rows_.push_back(Row{&p, &f});
    }
    if (auto skipped = skipped_sentence(snap); !skipped.empty()) gaps_.push_back(std::move(skipped));
    for (auto& s : partial_sentences(snap)) gaps_.push_back(std::move(s));
}

const FdTable* LsReport::table_of(const Row& r) {
    if (r.file->assoc != Assoc::Fd) return nullptr;
    for (const auto& t : r.process->tables)
        if (!t.fds.empty() && r.file >= t.fds.data() && r.file < t.fds.data() + t.fds.size()) return &t;
    return nullptr;
}

pid_t LsReport::tid(const Row& r) {
    if (const FdTable* t = table_of(r)) return t->tid;
    // Associations were read through the leader, or the first live thread.
    if (r.process->leader_exited && !r.process->tables.empty()) return r.process->tables.front().tid;
    return r.process->pid;
}

std::string LsReport::assoc(const OpenFile& f) {
    if (f.assoc == Assoc::Fd) return std::to_string(f.fd);
    return std::string(assoc_name(f.assoc));
}

void LsReport::set_origins(std::vector<OriginsPtr> origins) {
    origins_ = std::move(origins);
    origins_read_ = true;
    origins_by_pid_.clear();
    for (const auto& o : origins_)
        if (o && o->found && o->error.empty()) origins_by_pid_.emplace(o->pid, o.get());
}

const ProcessOrigins* LsReport::origins_of(const Process& p) const {
    if (origins_by_pid_.empty()) return nullptr;
    auto it = origins_by_pid_.find(p.pid);
    return it == origins_by_pid_.end() ? nullptr : it->second;
}

const Origin* LsReport::origin(const Row& r) const {
    if (r.file->assoc != Assoc::Fd) return nullptr;
    const ProcessOrigins* o = origins_of(*r.process);
    if (!o) return nullptr;
    const FdTable* t = table_of(r);
    if (!t || t->tid != o->table_tid) return nullptr;
    return o->find(r.file->fd);
}

const SocketInfo* LsReport::socket(const OpenFile& f) const {
    if (!is_socket(f.kind)) return nullptr;
    auto it = snap_.sockets.find(f.inode);
    return it == snap_.sockets.end() ? nullptr : &it->second;
}

LsReport::Key LsReport::endpoint_key(const OpenFile& f) {
    switch (f.kind) {
        case Kind::Pipe:
        case Kind::Unix: return Key{f.kind, 0, f.inode};
        case Kind::Fifo: return Key{f.kind, f.dev, f.inode};
        case Kind::Eventfd:
            if (f.detail && f.detail->eventfd_id >= 0) return Key{f.kind, 0, static_cast<std::uint64_t>(f.detail->eventfd_id)};
            return Key{};
        default: return Key{};
    }
}

bool LsReport::has_endpoints(const OpenFile& f) const { return f.assoc == Assoc::Fd && endpoint_key(f); }

void LsReport::index_endpoints() const {
    if (indexed_) return;
    indexed_ = true;
    for (const auto& p : snap_.processes)
        for (const auto& t : p.tables)
            for (const auto& f : t.fds)
                if (Key k = endpoint_key(f)) holders_.push_back(Holder{k, &p, &f});
    // Stable: holders of one key stay in scan order.
    std::stable_sort(holders_.begin(), holders_.end(), [](const Holder& a, const Holder& b) { return key_less(a.key, b.key); });
}

void LsReport::add_holders(const Key& key, const Row& self, std::vector<Endpoint>& out) const {
    auto it = std::lower_bound(holders_.begin(), holders_.end(), key,
                               [](const Holder& h, const Key& k) { return key_less(h.key, k); });
    for (; it != holders_.end() && it->key == key; ++it) {
        const Holder& h = *it;
        if (h.file == self.file) continue;
        out.push_back(Endpoint{h.process->pid, h.process->comm, assoc(*h.file), h.file->mode});
    }
}

std::vector<Endpoint> LsReport::endpoints(const Row& r) const {
    std::vector<Endpoint> out;
    if (!has_endpoints(*r.file)) return out;
    index_endpoints();
    Key key = endpoint_key(*r.file);
    add_holders(key, r, out);
    if (r.file->kind == Kind::Unix)
        if (const SocketInfo* s = socket(*r.file); s && s->peer_inode) {
            add_holders(Key{Kind::Unix, 0, s->peer_inode}, r, out);
        }
    std::sort(out.begin(), out.end(), [](const Endpoint& a, const Endpoint& b) {
        return a.pid != b.pid ? a.pid < b.pid : a.assoc < b.assoc;
    });
    return out;
}

}  // namespace fdscope::report
