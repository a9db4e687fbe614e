#include "collect/preload_table.hpp"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <optional>
#include <fmt/format.h>
#include <sys/uio.h>
#include <type_traits>
#include <unordered_map>

#include "sys/errno_text.hpp"
#include "sys/files.hpp"
#include "sys/preload_layout.hpp"
#include "sys/preload_locate.hpp"

namespace fdscope::collect {

namespace pl = sys::preload;

namespace {

static_assert(std::is_standard_layout_v<pl::TableHeader> && std::is_standard_layout_v<pl::Slot> &&
              std::is_standard_layout_v<pl::Incident> && std::is_standard_layout_v<pl::StackRecord>);

// A field of a struct of the layout, copied out of bytes that are known to
// hold it: the bytes are another process's and may be misaligned in our
// buffer, and the structs hold atomics that cannot be copied whole.
template <class T>
T load(std::span<const std::byte> b, std::size_t off) {
    T v;
    std::memcpy(&v, b.data() + off, sizeof v);
    return v;
}

#define HEADER_FIELD(b, name) load<decltype(pl::TableHeader::name)>(b, offsetof(pl::TableHeader, name))
#define SLOT_FIELD(b, base, name) load<decltype(pl::Slot::name)>(b, (base) + offsetof(pl::Slot, name))
#define INCIDENT_FIELD(b, base, name) load<decltype(pl::Incident::name)>(b, (base) + offsetof(pl::Incident, name))

std::uint64_t header_u64(std::span<const std::byte> b, std::size_t off) { return load<std::uint64_t>(b, off); }

constexpr std::size_t kSeq = offsetof(pl::Slot, seq);

// The header's fields naming the library's own fds, in library_fds' order:
// where each is, what a bad value is called, the op its origin shows.
struct OwnFdField {
    std::size_t offset;
    const char* what;
    const char* op;
};
constexpr OwnFdField kOwnFds[] = {
    {offsetof(pl::TableHeader, log_fd), "log fd", "fdscope-log"},
    {offsetof(pl::TableHeader, placeholder_fd), "placeholder fd", "fdscope-placeholder"},
    {offsetof(pl::TableHeader, unwind_fds), "unwind fd", "fdscope-unwind"},
    {offsetof(pl::TableHeader, unwind_fds) + sizeof(std::int32_t), "unwind fd", "fdscope-unwind"},
};

const char* const kOpNames[] = {
    "unknown", "open", "open64", "openat", "openat64", "creat", "creat64",
    "fopen", "fopen64", "freopen", "fdopen", "opendir", "fdopendir",
    "socket", "socketpair", "accept", "accept4",
    "pipe", "pipe2",
    "dup", "dup2", "dup3", "fcntl(F_DUPFD)", "fcntl(F_DUPFD_CLOEXEC)",
    "eventfd", "signalfd", "timerfd_create", "epoll_create", "epoll_create1",
    "inotify_init", "inotify_init1", "fanotify_init", "memfd_create", "pidfd_open",
    "recvmsg", "recvmmsg",
    "popen",
};
static_assert(std::size(kOpNames) == static_cast<std::size_t>(pl::CreateOp::Count));

// Region [offset, offset + count * size) inside [floor, total)?
bool region_inside(std::uint64_t offset, std::uint64_t count, std::uint64_t size, std::uint64_t floor,
                   std::uint64_t total) {
    if (offset < floor) return false;
    const std::uint64_t end = pl::region_end(offset, count, size);
    return end != 0 && end <= total;
}

double unix_seconds(std::int64_t realtime_offset_ns, std::uint64_t monotonic_ns) {
    return static_cast<double>(realtime_offset_ns) / 1e9 + static_cast<double>(monotonic_ns) / 1e9;
}

// Interns the stacks the slots name: each StackRef is decoded (and checked)
// once however many fds share it.
class StackReader {
public:
    StackReader(std::span<const std::byte> arena, std::uint32_t max_depth, ProcessOrigins& out)
        : arena_(arena), max_depth_(max_depth), out_(out) {}

    // The index of `ref` in out.stacks (0 for no stack); false with `error`
    // when it points outside what was copied or its depth is out of range.
    bool intern(pl::StackRef ref, std::uint32_t& id, std::string& error) {
        id = 0;
        if (ref == 0) return true;
        if (auto it = ids_.find(ref); it != ids_.end()) {
            id = it->second;
            return true;
        }
        const std::uint64_t off = (static_cast<std::uint64_t>(ref) - 1) * 8;
        if (off > arena_.size() || arena_.size() - off < sizeof(pl::StackRecord)) {
            error = fmt::format("stack reference {} past the arena ({} bytes in use)", ref, arena_.size());
            return false;
        }
        const auto depth = load<std::uint16_t>(arena_, off + offsetof(pl::StackRecord, depth));
        if (depth > max_depth_) {
            error = fmt::format("stack of depth {} (at most {})", depth, max_depth_);
            return false;
        }
        const std::uint64_t pcs_at = off + sizeof(pl::StackRecord);
        if (arena_.size() - pcs_at < std::uint64_t{depth} * 8) {
            error = fmt::format("stack at reference {} runs past the arena", ref);
            return false;
        }
        OriginStack s;
        s.pcs.resize(depth);
        if (depth) std::memcpy(s.pcs.data(), arena_.data() + pcs_at, std::size_t{depth} * 8);
        id = static_cast<std::uint32_t>(out_.stacks.size());
        out_.stacks.push_back(std::move(s));
        ids_.emplace(ref, id);
        return true;
    }

private:
    std::span<const std::byte> arena_;
    std::uint32_t max_depth_;
    ProcessOrigins& out_;
    std::unordered_map<pl::StackRef, std::uint32_t> ids_;
};

void fail(ProcessOrigins& out, std::string why) {
    out.fds.clear();
    out.stacks.assign(1, OriginStack{});
    out.unseen = out.stale_slots = out.unstable = 0;
    out.error = std::move(why);
}

}  // namespace

std::size_t preload_arena_used_offset() { return offsetof(pl::TableHeader, arena_used); }
std::size_t preload_header_bytes() { return sizeof(pl::TableHeader); }
std::size_t preload_slot_bytes() { return sizeof(pl::Slot); }
std::size_t preload_incident_bytes() { return sizeof(pl::Incident); }

const char* preload_op_name(std::uint8_t op) {
    return op < std::size(kOpNames) ? kOpNames[op] : "unknown";
}

std::string check_preload_header(std::span<const std::byte> b, std::uint64_t mapping_size, PreloadLayout& out) {
    if (b.size() < sizeof(pl::TableHeader))
        return fmt::format("header truncated ({} of {} bytes)", b.size(), sizeof(pl::TableHeader));
    if (HEADER_FIELD(b, magic) != pl::kMagic) return "bad magic (not a table of libfdscope-preload.so)";
    if (const auto v = HEADER_FIELD(b, version); v != pl::kVersion)
        return fmt::format("version {} (this fdscope reads version {})", v, pl::kVersion);
    if (const auto h = HEADER_FIELD(b, header_bytes); h != sizeof(pl::TableHeader))
        return fmt::format("header of {} bytes (expected {})", h, sizeof(pl::TableHeader));
    if (const auto s = HEADER_FIELD(b, slot_bytes); s != sizeof(pl::Slot))
        return fmt::format("slots of {} bytes (expected {})", s, sizeof(pl::Slot));
    PreloadLayout l;
    l.total_bytes = HEADER_FIELD(b, total_bytes);
    if (l.total_bytes < sizeof(pl::TableHeader) || l.total_bytes > mapping_size)
        return fmt::format("table size {} outside its mapping of {} bytes", l.total_bytes, mapping_size);
    constexpr std::uint64_t floor = sizeof(pl::TableHeader);
    l.slots_offset = HEADER_FIELD(b, slots_offset);
    l.slot_count = HEADER_FIELD(b, slot_count);
    if (!region_inside(l.slots_offset, l.slot_count, sizeof(pl::Slot), floor, l.total_bytes))
        return fmt::format("{} slots at offset {} do not fit in the table of {} bytes", l.slot_count, l.slots_offset,
                           l.total_bytes);
    const auto index_offset = HEADER_FIELD(b, index_offset);
    const auto buckets = HEADER_FIELD(b, index_buckets);
    if (!region_inside(index_offset, buckets, sizeof(pl::StackRef), floor, l.total_bytes))
        return fmt::format("stack index of {} buckets at offset {} does not fit in the table", buckets, index_offset);
    l.arena_offset = HEADER_FIELD(b, arena_offset);
    l.arena_bytes = HEADER_FIELD(b, arena_bytes);
    if (l.arena_offset % 8 || !region_inside(l.arena_offset, 1, l.arena_bytes, floor, l.total_bytes))
        return fmt::format("stack arena of {} bytes at offset {} does not fit in the table", l.arena_bytes,
                           l.arena_offset);
    l.arena_used = header_u64(b, offsetof(pl::TableHeader, arena_used));
    if (l.arena_used > l.arena_bytes)
        return fmt::format("stack arena use {} beyond its size {}", l.arena_used, l.arena_bytes);
    l.incidents_offset = HEADER_FIELD(b, incidents_offset);
    l.incident_capacity = HEADER_FIELD(b, incident_capacity);
    if (!region_inside(l.incidents_offset, l.incident_capacity, sizeof(pl::Incident), floor, l.total_bytes))
        return fmt::format("{} incidents at offset {} do not fit in the table", l.incident_capacity, l.incidents_offset);
    l.incident_count = load<std::uint32_t>(b, offsetof(pl::TableHeader, incident_count));
    l.max_depth = HEADER_FIELD(b, max_depth);
    if (l.max_depth > pl::kMaxDepth)
        return fmt::format("stack depth {} (at most {})", l.max_depth, pl::kMaxDepth);
    l.pid = HEADER_FIELD(b, pid);
    for (std::size_t i = 0; i < std::size(kOwnFds); ++i) {
        l.own[i] = load<std::int32_t>(b, kOwnFds[i].offset);
        if (l.own[i] < -1) return fmt::format("{} {}", kOwnFds[i].what, l.own[i]);
    }
    l.generation = HEADER_FIELD(b, generation);
    l.realtime_offset_ns = HEADER_FIELD(b, realtime_offset_ns);
    l.overflow_fds = header_u64(b, offsetof(pl::TableHeader, overflow_fds));
    l.stacks_dropped = header_u64(b, offsetof(pl::TableHeader, stacks_dropped));
    out = l;
    return "";
}

std::vector<std::uint32_t> unsettled_slots(std::span<const std::byte> first, std::span<const std::byte> second) {
    std::vector<std::uint32_t> out;
    const std::size_t n = first.size() / sizeof(pl::Slot);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t at = i * sizeof(pl::Slot) + kSeq;
        const auto seq = load<std::uint32_t>(first, at);
        const bool again = at + sizeof(std::uint32_t) <= second.size();
        if ((seq & 1) || !again || load<std::uint32_t>(second, at) != seq) out.push_back(static_cast<std::uint32_t>(i));
    }
    return out;
}

bool slot_settled(std::span<const std::byte> slot, std::uint32_t seq_after) {
    if (slot.size() < sizeof(pl::Slot)) return false;
    const auto seq = load<std::uint32_t>(slot, kSeq);
    return !(seq & 1) && seq == seq_after;
}

void parse_preload_table(const PreloadCopy& copy, std::span<const std::int32_t> open_fds, pid_t pid,
                         ProcessOrigins& out, std::vector<PreloadIncident>* incidents) {
    const PreloadLayout& l = copy.layout;
    out = ProcessOrigins{};
    out.pid = pid;
    out.found = true;
    out.stacks.assign(1, OriginStack{});
    out.overflow_fds = l.overflow_fds;
    out.stacks_dropped = l.stacks_dropped;
    out.generation = l.generation;
    if (incidents) incidents->clear();
    if (l.arena_used > l.arena_bytes || copy.arena.size() > l.arena_bytes) return fail(out, "stack arena larger than declared");
    const std::size_t n = std::min<std::size_t>(copy.slots.size() / sizeof(pl::Slot), l.slot_count);
    // Records are bounded by the layout's kMaxDepth, not the header's
    // max_depth: that says what the writer meant to keep, and a record
    // deeper than it (up to kMaxDepth) is still read safely.
    StackReader stacks(copy.arena, pl::kMaxDepth, out);
    std::string error;

    // Which copied slots belong to open fds; which never settled.
    std::vector<std::uint8_t> open(n, 0), unstable(n, 0);
    for (std::int32_t fd : open_fds)
        if (fd >= 0 && static_cast<std::size_t>(fd) < n) open[static_cast<std::size_t>(fd)] = 1;
    for (std::uint32_t u : copy.unstable)
        if (u < n) unstable[u] = 1;

    out.fds.reserve(open_fds.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (unstable[i]) {
            if (open[i]) ++out.unstable;
            continue;
        }
        const std::size_t base = i * sizeof(pl::Slot);
        const auto state = SLOT_FIELD(copy.slots, base, state);
        if (state > static_cast<std::uint8_t>(pl::SlotState::Quarantined))
            return fail(out, fmt::format("slot {}: state {}", i, state));
        if (state == static_cast<std::uint8_t>(pl::SlotState::Free)) continue;
        if (!open[i] || library_fd(l, static_cast<std::int32_t>(i))) {
            ++out.stale_slots;
            continue;
        }
        const auto op = SLOT_FIELD(copy.slots, base, op);
        if (op >= static_cast<std::uint8_t>(pl::CreateOp::Count)) return fail(out, fmt::format("slot {}: operation {}", i, op));
        const auto flags = SLOT_FIELD(copy.slots, base, flags);
        Origin o;
        o.fd = static_cast<std::int32_t>(i);
        o.op = preload_op_name(op);
        o.tid = SLOT_FIELD(copy.slots, base, tid);
        o.time = unix_seconds(l.realtime_offset_ns, SLOT_FIELD(copy.slots, base, time_ns));
        o.inherited = SLOT_FIELD(copy.slots, base, creator_pid) != l.pid;
        o.cloexec_forced = flags & pl::kCloexecForced;
        o.handed_on = flags & pl::kHandedOn;
        o.via_syscall = flags & pl::kViaSyscall;
        o.owner = (flags & pl::kOwnerFile) ? FdOwner::File : (flags & pl::kOwnerDir) ? FdOwner::Dir : FdOwner::None;
        if (!stacks.intern(SLOT_FIELD(copy.slots, base, stack), o.stack, error))
            return fail(out, fmt::format("slot {}: {}", i, error));
        if (state == static_cast<std::uint8_t>(pl::SlotState::Quarantined)) {
            o.quarantined = true;
            o.close_tid = SLOT_FIELD(copy.slots, base, close_tid);
            o.close_time = unix_seconds(l.realtime_offset_ns, SLOT_FIELD(copy.slots, base, close_time_ns));
            if (!stacks.intern(SLOT_FIELD(copy.slots, base, close_stack), o.close_stack, error))
                return fail(out, fmt::format("slot {}: close: {}", i, error));
        }
        out.fds.push_back(std::move(o));
    }

    // The library's own fds sit above the slots the reader copied (they are
    // placed high), merged in order.
    for (std::size_t i = 0; i < std::size(kOwnFds); ++i) {
        const std::int32_t fd = l.own[i];
        if (fd < 0 || !std::binary_search(open_fds.begin(), open_fds.end(), fd)) continue;
        auto at = std::lower_bound(out.fds.begin(), out.fds.end(), fd, [](const Origin& a, std::int32_t x) { return a.fd < x; });
        if (at != out.fds.end() && at->fd == fd) continue;  // two of them the same number: hostile
        Origin o;
        o.fd = fd;
        o.op = kOwnFds[i].op;
        o.library_fd = true;
        out.fds.insert(at, std::move(o));
    }
    out.unseen = open_fds.size() - out.fds.size() - out.unstable;

    const std::size_t kept = std::min<std::size_t>(copy.incidents.size() / sizeof(pl::Incident), l.incidents_kept());
    for (std::size_t k = 0; k < kept && incidents; ++k) {
        const std::size_t base = k * sizeof(pl::Incident);
        if (load<std::uint32_t>(copy.incidents, base + offsetof(pl::Incident, seq)) & 1) continue;  // being written
        PreloadIncident inc;
        inc.type = INCIDENT_FIELD(copy.incidents, base, type);
        if (inc.type == 0 || inc.type > static_cast<std::uint8_t>(pl::IncidentType::OwnershipViolation))
            return fail(out, fmt::format("incident {}: type {}", k, inc.type));
        inc.fd = INCIDENT_FIELD(copy.incidents, base, fd);
        inc.tid = INCIDENT_FIELD(copy.incidents, base, tid);
        inc.time = unix_seconds(l.realtime_offset_ns, INCIDENT_FIELD(copy.incidents, base, time_ns));
        if (!stacks.intern(INCIDENT_FIELD(copy.incidents, base, stack), inc.stack, error) ||
            !stacks.intern(INCIDENT_FIELD(copy.incidents, base, created_stack), inc.created_stack, error) ||
            !stacks.intern(INCIDENT_FIELD(copy.incidents, base, first_close_stack), inc.first_close_stack, error)) {
            incidents->clear();
            return fail(out, fmt::format("incident {}: {}", k, error));
        }
        incidents->push_back(inc);
    }
}

// ------------------------------------------------------------------ reading

namespace {

constexpr int kSlotRetries = 8;  // per slot still being written
constexpr std::uint64_t kMaxCopy = 1ULL << 30;  // a table bigger than this is refused, not copied

// Copies [addr, addr + out.size()) of process `pid`; 0 or an errno
// (EFAULT too for a short copy: the mapping changed under us).
int copy_from(pid_t pid, std::uint64_t addr, std::span<std::byte> out) {
    std::size_t done = 0;
    while (done < out.size()) {
        iovec local{out.data() + done, out.size() - done};
        iovec remote{reinterpret_cast<void*>(addr + done), out.size() - done};
        const ssize_t n = ::process_vm_readv(pid, &local, 1, &remote, 1, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        if (n == 0) return EFAULT;
        done += static_cast<std::size_t>(n);
    }
    return 0;
}

std::string copy_error(const char* what, int err) {
    return fmt::format("copying the {} failed: {}", what, sys::errno_text(err));
}

}  // namespace

void read_preload_table(const TableMemory& memory, std::uint64_t size, std::span<const std::int32_t> open_fds, pid_t pid,
                        ProcessOrigins& out) {
    out = ProcessOrigins{};
    out.pid = pid;
    out.found = true;
    out.stacks.assign(1, OriginStack{});
    auto gone = [&](int err) {
        if (err == ESRCH) out.found = false;  // exited meanwhile: nothing to say
        return err == ESRCH;
    };

    std::vector<std::byte> header(sizeof(pl::TableHeader));
    if (size < header.size()) {
        out.error = fmt::format("header truncated ({} of {} bytes)", size, header.size());
        return;
    }
    if (int err = memory(0, header)) {
        if (!gone(err)) out.error = copy_error("header", err);
        return;
    }
    PreloadCopy copy;
    if (std::string why = check_preload_header(header, size, copy.layout); !why.empty()) {
        out.error = why;
        return;
    }
    const PreloadLayout& l = copy.layout;
    // Slots up to the highest open fd but the library's own (placed high).
    std::int64_t highest = -1;
    for (std::int32_t fd : open_fds)
        if (!library_fd(l, fd)) highest = std::max<std::int64_t>(highest, fd);
    const std::uint64_t n = std::min<std::uint64_t>(l.slot_count, static_cast<std::uint64_t>(highest + 1));
    const std::uint64_t slot_bytes = n * sizeof(pl::Slot);
    if (slot_bytes > kMaxCopy || l.arena_bytes > kMaxCopy) {
        out.error = fmt::format("table too large to copy ({} slots, arena {} bytes)", n, l.arena_bytes);
        return;
    }
    // The seqlock's two reads of every seq: the slots copied twice (one
    // bulk copy each; a copy per slot would be a syscall per fd).
    std::vector<std::byte> slots(slot_bytes), again(slot_bytes);
    if (int err = memory(l.slots_offset, slots); err || (err = memory(l.slots_offset, again))) {
        if (!gone(err)) out.error = copy_error("slots", err);
        return;
    }
    std::vector<std::byte> one(sizeof(pl::Slot));
    for (std::uint32_t i : unsettled_slots(slots, again)) {
        bool settled = false;
        const std::uint64_t at = l.slots_offset + std::uint64_t{i} * sizeof(pl::Slot);
        for (int t = 0; t < kSlotRetries && !settled; ++t) {
            std::uint32_t seq_after = 1;
            if (int err = memory(at, one);
                err || (err = memory(at + kSeq, std::as_writable_bytes(std::span(&seq_after, 1))))) {
                if (!gone(err)) out.error = copy_error("slots", err);
                return;
            }
            settled = slot_settled(one, seq_after);
        }
        if (settled) std::copy(one.begin(), one.end(), slots.begin() + static_cast<std::ptrdiff_t>(std::size_t{i} * sizeof(pl::Slot)));
        else copy.unstable.push_back(i);
    }
    // arena_used again, now that the slots are copied: every stack they name
    // was published before them, so it lies inside this much arena.
    std::uint64_t used = l.arena_used;
    if (int err = memory(preload_arena_used_offset(), std::as_writable_bytes(std::span(&used, 1)))) {
        if (!gone(err)) out.error = copy_error("header", err);
        return;
    }
    used = std::min(std::max(used, l.arena_used), l.arena_bytes);
    std::vector<std::byte> arena(used);
    if (int err = memory(l.arena_offset, arena)) {
        if (!gone(err)) out.error = copy_error("stack arena", err);
        return;
    }
    std::vector<std::byte> incidents(l.incidents_kept() * sizeof(pl::Incident));
    if (int err = memory(l.incidents_offset, incidents)) {
        if (!gone(err)) out.error = copy_error("incidents", err);
        return;
    }
    copy.slots = slots;
    copy.arena = arena;
    copy.incidents = incidents;
    std::vector<PreloadIncident> kept;
    parse_preload_table(copy, open_fds, pid, out, &kept);
    out.incidents = kept.size();
}

void read_preload_origins(pid_t pid, pid_t via, std::span<const std::int32_t> open_fds, ProcessOrigins& out) {
    out = ProcessOrigins{};
    out.pid = pid;
    out.stacks.assign(1, OriginStack{});
    std::string maps;
    if (sys::read_all(fmt::format("/proc/{}/maps", via).c_str(), maps) != 0) return;
    // The usual case, without parsing a line: neither the named mapping nor the library.
    if (maps.find(pl::kMapsName) == std::string::npos && maps.find(pl::kLibraryFile) == std::string::npos) return;
    const std::optional<pl::TableLocation> where = pl::locate_table(via, maps);
    if (!where) return;
    const std::uint64_t start = where->addr, size = where->bytes;
    const TableMemory memory = [via, start](std::uint64_t offset, std::span<std::byte> to) {
        return copy_from(via, start + offset, to);
    };
    read_preload_table(memory, size, open_fds, pid, out);
}

std::vector<OriginsPtr> read_origins(const Snapshot& snap, std::vector<std::string>& notes) {
    std::vector<OriginsPtr> out;
    std::vector<std::int32_t> fds;
    for (const Process& p : snap.processes) {
        if (p.partial) continue;
        const FdTable* table = nullptr;
        for (const FdTable& t : p.tables)
            if (!t.fds.empty() && (!table || (t.leader && !table->leader))) table = &t;
        if (!table) continue;
        fds.clear();
        for (const OpenFile& f : table->fds) fds.push_back(f.fd);
        std::sort(fds.begin(), fds.end());
        auto o = std::make_shared<ProcessOrigins>();
        read_preload_origins(p.pid, table->tid, fds, *o);
        if (!o->found) continue;
        o->table_tid = table->tid;
        if (!o->error.empty()) notes.push_back(fmt::format("pid {}: preload table unreadable: {}", p.pid, o->error));
        else if (o->unstable)
            notes.push_back(fmt::format("pid {}: preload table: {} {} being written through every read (origin unknown)",
                                        p.pid, o->unstable, o->unstable == 1 ? "slot was" : "slots were"));
        out.push_back(std::move(o));
    }
    return out;
}

}  // namespace fdscope::collect
