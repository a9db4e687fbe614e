// write_report(): the FDSCOPE_REPORT document of report_writer.hpp.
//
// Runs inside the traced process at exit or in the dump signal's handler,
// so: every syscall through raw::call (raw.hpp) (the library's own wrappers never
// see the report's opens and closes, and errno is never touched), memory
// from mmap (no malloc: the program's allocator may be mid-call in the
// interrupted thread), no stdio, no locks, nothing that throws (the
// library is built with -fno-exceptions). The slots are copied with the
// seqlock protocol: other threads may go on opening and closing.
#include "preload/report_writer.hpp"

#include <fcntl.h>
#include <linux/stat.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>

#include <cstring>

#include "preload/raw.hpp"
#include "preload/report_format.hpp"

namespace fdscope::preload {
namespace {

namespace layout = sys::preload;

// --- raw calls ---------------------------------------------------------------

long sys_open(const char* path, int flags, int mode = 0) {
    return raw::call(SYS_openat, AT_FDCWD, reinterpret_cast<long>(path), flags, mode);
}
long sys_close(int fd) { return raw::call(SYS_close, fd); }
long sys_read(int fd, void* buf, std::size_t n) { return raw::call(SYS_read, fd, reinterpret_cast<long>(buf), static_cast<long>(n)); }
long sys_write(int fd, const void* buf, std::size_t n) {
    return raw::call(SYS_write, fd, reinterpret_cast<long>(buf), static_cast<long>(n));
}
long sys_readlinkat(int dirfd, const char* path, char* buf, std::size_t n) {
    return raw::call(SYS_readlinkat, dirfd, reinterpret_cast<long>(path), reinterpret_cast<long>(buf), static_cast<long>(n));
}

void* map_bytes(std::size_t n) {
    const long r = raw::call(SYS_mmap, 0, static_cast<long>(n), PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return r < 0 && r > -4096 ? nullptr : reinterpret_cast<void*>(r);
}
void unmap_bytes(void* p, std::size_t n) {
    if (p) raw::call(SYS_munmap, reinterpret_cast<long>(p), static_cast<long>(n));
}
std::size_t page_round(std::size_t n) { return (n + 4095) & ~std::size_t{4095}; }

// Memory that grows by mremap (which moves it: pointers into it are kept
// as offsets by its users).
struct Scratch {
    char* data = nullptr;
    std::size_t size = 0;
    bool grow_to(std::size_t need) {
        const std::size_t want = page_round(need > size * 2 ? need : size * 2);
        if (!data) {
            data = static_cast<char*>(map_bytes(want));
            if (!data) return false;
            size = want;
            return true;
        }
        const long r = raw::call(SYS_mremap, reinterpret_cast<long>(data), static_cast<long>(size),
                                   static_cast<long>(want), MREMAP_MAYMOVE);
        if (r < 0 && r > -4096) return false;
        data = reinterpret_cast<char*>(r);
        size = want;
        return true;
    }
    ~Scratch() { unmap_bytes(data, size); }
};

bool grow_out(JsonOut& out, std::size_t need, void* context) noexcept {
    auto* s = static_cast<Scratch*>(context);
    if (!s->grow_to(need)) return false;
    out.reset_memory(s->data, s->size);
    return true;
}

// A whole /proc file into `s` (from 0); its length, or -1.
long read_file(const char* path, Scratch& s) {
    const long fd = sys_open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    std::size_t used = 0;
    for (;;) {
        if (s.size - used < 4096 && !s.grow_to(used + 65536)) break;
        const long n = sys_read(static_cast<int>(fd), s.data + used, s.size - used);
        if (n == -EINTR) continue;
        if (n <= 0) break;
        used += static_cast<std::size_t>(n);
    }
    sys_close(static_cast<int>(fd));
    return static_cast<long>(used);
}

std::uint64_t clock_ns(clockid_t clock) {
    timespec ts{};
    // The vDSO's clock_gettime: no fd, not wrapped, async-signal-safe.
    clock_gettime(clock, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

// --- the table ----------------------------------------------------------------

const char* op_name(std::uint8_t op) {
    using O = layout::CreateOp;
    switch (static_cast<O>(op)) {
        case O::Open: return "open";
        case O::Open64: return "open64";
        case O::Openat: return "openat";
        case O::Openat64: return "openat64";
        case O::Creat: return "creat";
        case O::Creat64: return "creat64";
        case O::Fopen: return "fopen";
        case O::Fopen64: return "fopen64";
        case O::Freopen: return "freopen";
        case O::Fdopen: return "fdopen";
        case O::Opendir: return "opendir";
        case O::Fdopendir: return "fdopendir";
        case O::Socket: return "socket";
        case O::Socketpair: return "socketpair";
        case O::Accept: return "accept";
        case O::Accept4: return "accept4";
        case O::Pipe: return "pipe";
        case O::Pipe2: return "pipe2";
        case O::Dup: return "dup";
        case O::Dup2: return "dup2";
        case O::Dup3: return "dup3";
        case O::FcntlDupfd: return "fcntl_dupfd";
        case O::FcntlDupfdCloexec: return "fcntl_dupfd_cloexec";
        case O::Eventfd: return "eventfd";
        case O::Signalfd: return "signalfd";
        case O::TimerfdCreate: return "timerfd_create";
        case O::EpollCreate: return "epoll_create";
        case O::EpollCreate1: return "epoll_create1";
        case O::InotifyInit: return "inotify_init";
        case O::InotifyInit1: return "inotify_init1";
        case O::FanotifyInit: return "fanotify_init";
        case O::MemfdCreate: return "memfd_create";
        case O::PidfdOpen: return "pidfd_open";
        case O::Recvmsg: return "recvmsg";
        case O::Recvmmsg: return "recvmmsg";
        case O::Popen: return "popen";
        case O::Unknown:
        case O::Count: break;
    }
    return "unknown";
}

// A consistent copy of a seqlock-protected record, or false when a writer
// kept it busy through every try.
template <typename T>
bool copy_stable(const T& live, T& out) {
    for (int attempt = 0; attempt < 64; ++attempt) {
        const std::uint32_t before = live.seq.load(std::memory_order_acquire);
        if (before & 1u) continue;
        std::memcpy(static_cast<void*>(&out), static_cast<const void*>(&live), sizeof(T));
        // The second read of seq must stay after the copy. An RMW that adds
        // nothing orders it as an acquire fence would, and ThreadSanitizer
        // (whose copy of the library the storm test runs) models RMWs but
        // rejects standalone fences. It runs once per record at report time.
        auto& seq = const_cast<std::atomic<std::uint32_t>&>(live.seq);
        if (seq.fetch_add(0, std::memory_order_acq_rel) == before) return true;
    }
    return false;
}

struct Table {
    const layout::TableHeader& h;
    const char* base() const { return reinterpret_cast<const char*>(&h); }
    bool sane() const {
        if (h.magic != layout::kMagic || h.version != layout::kVersion || h.slot_bytes != sizeof(layout::Slot))
            return false;
        const std::uint64_t slots_end = layout::region_end(h.slots_offset, h.slot_count, h.slot_bytes);
        const std::uint64_t arena_end = layout::region_end(h.arena_offset, h.arena_bytes, 1);
        const std::uint64_t inc_end = layout::region_end(h.incidents_offset, h.incident_capacity, sizeof(layout::Incident));
        return slots_end && slots_end <= h.total_bytes && arena_end && arena_end <= h.total_bytes && inc_end &&
               inc_end <= h.total_bytes;
    }
    const layout::Slot& slot(std::uint32_t fd) const {
        return *reinterpret_cast<const layout::Slot*>(base() + h.slots_offset + std::uint64_t{fd} * h.slot_bytes);
    }
    const layout::Incident& incident(std::uint32_t i) const {
        return reinterpret_cast<const layout::Incident*>(base() + h.incidents_offset)[i];
    }
    // The pcs of a stack, or depth 0 for no stack or a ref past the arena.
    const std::uint64_t* stack(layout::StackRef ref, std::uint32_t& depth) const {
        depth = 0;
        if (ref == 0) return nullptr;
        const std::uint64_t at = (std::uint64_t{ref} - 1) * 8;
        const std::uint64_t used = h.arena_used.load(std::memory_order_acquire);
        if (used > h.arena_bytes || at + sizeof(layout::StackRecord) > used) return nullptr;
        const auto* rec = reinterpret_cast<const layout::StackRecord*>(base() + h.arena_offset + at);
        if (rec->depth > layout::kMaxDepth || at + sizeof(layout::StackRecord) + std::uint64_t{rec->depth} * 8 > used)
            return nullptr;
        depth = rec->depth;
        return reinterpret_cast<const std::uint64_t*>(rec + 1);
    }
};

// --- what an fd is, now -------------------------------------------------------

// Kinds as fdscope spells them (model/kind.cpp); the library cannot link
// model/, so this is the subset an fstat, a readlink and two getsockopts
// can tell apart.
const char* anon_kind(const char* c, std::size_t n) {
    if (n >= 2 && c[0] == '[' && c[n - 1] == ']') ++c, n -= 2;
    struct Name {
        const char* anon;
        const char* kind;
    };
    static constexpr Name kAnon[] = {
        {"eventfd", "eventfd"}, {"eventpoll", "epoll"}, {"inotify", "inotify"}, {"fanotify", "fanotify"},
        {"signalfd", "signalfd"}, {"timerfd", "timerfd"}, {"pidfd", "pidfd"}, {"io_uring", "io_uring"},
        {"bpf-map", "bpf-map"}, {"bpf-prog", "bpf-prog"}, {"bpf_link", "bpf-link"}, {"bpf-link", "bpf-link"},
        {"perf_event", "perf_event"}, {"userfaultfd", "userfaultfd"},
    };
    for (const Name& a : kAnon)
        if (std::strlen(a.anon) == n && std::memcmp(a.anon, c, n) == 0) return a.kind;
    return "anon";
}

bool starts_with(const char* s, std::size_t n, const char* prefix) {
    const std::size_t p = std::strlen(prefix);
    return n >= p && std::memcmp(s, prefix, p) == 0;
}

const char* socket_kind(int fd) {
    int domain = 0, type = 0;
    socklen_t len = sizeof domain;
    if (raw::call(SYS_getsockopt, fd, SOL_SOCKET, SO_DOMAIN, reinterpret_cast<long>(&domain), reinterpret_cast<long>(&len)) < 0)
        return "socket";
    len = sizeof type;
    if (raw::call(SYS_getsockopt, fd, SOL_SOCKET, SO_TYPE, reinterpret_cast<long>(&type), reinterpret_cast<long>(&len)) < 0)
        type = 0;
    const bool v6 = domain == AF_INET6;
    if (domain == AF_INET || v6) {
        if (type == SOCK_STREAM) return v6 ? "tcp6" : "tcp";
        if (type == SOCK_DGRAM) return v6 ? "udp6" : "udp";
        if (type == SOCK_RAW) return v6 ? "raw6" : "raw";
        return "socket";
    }
    if (domain == AF_UNIX) return "unix";
    if (domain == AF_NETLINK) return "netlink";
    if (domain == AF_PACKET) return "packet";
    return "socket";
}

struct FdNow {
    bool open = false;
    bool cloexec = false;
    const char* kind = "unknown";
    char name[4096];
    std::size_t name_len = 0;
};

// The fd as the kernel has it now: open or not, kind, name, cloexec.
// statx with AT_STATX_DONT_SYNC asks a network filesystem for nothing
// (a hung server must not hang the program's exit).
void look_at(int fd, int proc_fd_dir, FdNow& now) {
    now.open = now.cloexec = false;
    now.kind = "unknown";
    now.name_len = 0;
    const long flags = raw::call(SYS_fcntl, fd, F_GETFD);
    if (flags < 0) return;  // EBADF: closed without the library seeing it
    now.open = true;
    now.cloexec = (flags & FD_CLOEXEC) != 0;
    char num[16];
    std::size_t nn = 0;
    {
        char tmp[16];
        unsigned v = static_cast<unsigned>(fd);
        do {
            tmp[nn++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v);
        for (std::size_t i = 0; i < nn; ++i) num[i] = tmp[nn - 1 - i];
        num[nn] = '\0';
    }
    const long n = sys_readlinkat(proc_fd_dir, num, now.name, sizeof now.name);
    now.name_len = n > 0 ? static_cast<std::size_t>(n) : 0;
    const char* s = now.name;
    const std::size_t len = now.name_len;
    if (starts_with(s, len, "socket:[")) {
        now.kind = socket_kind(fd);
        return;
    }
    if (starts_with(s, len, "pipe:[")) {
        now.kind = "pipe";
        return;
    }
    if (starts_with(s, len, "anon_inode:")) {
        now.kind = anon_kind(s + 11, len - 11);
        return;
    }
    if (starts_with(s, len, "pidfd:")) {
        now.kind = "pidfd";
        return;
    }
    if (starts_with(s, len, "/memfd:")) {
        now.kind = "memfd";
        return;
    }
    struct statx st {};
    if (raw::call(SYS_statx, fd, reinterpret_cast<long>(""), AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_TYPE,
                    reinterpret_cast<long>(&st)) < 0)
        return;
    switch (st.stx_mode & S_IFMT) {
        case S_IFREG: now.kind = "file"; break;
        case S_IFDIR: now.kind = "dir"; break;
        case S_IFCHR: now.kind = "chr"; break;
        case S_IFBLK: now.kind = "blk"; break;
        case S_IFIFO: now.kind = "fifo"; break;
        case S_IFSOCK: now.kind = socket_kind(fd); break;
        default: break;
    }
}

// --- the document ---------------------------------------------------------------

struct Writer {
    JsonOut& out;
    const Table& table;
    const char* maps;        // the maps text (module paths point into it)
    const Module* modules;
    std::size_t module_count;

    void frames(layout::StackRef ref) {
        std::uint32_t depth = 0;
        const std::uint64_t* pcs = table.stack(ref, depth);
        out.ch('[');
        for (std::uint32_t i = 0; i < depth; ++i) {
            const std::uint64_t pc = pcs[i];
            if (i) out.ch(',');
            out.raw("{\"function\":null,\"file\":null,\"line\":null,\"module\":");
            const Module* m = find_module(modules, module_count, pc);
            if (m) {
                out.string(m->path, m->path_len);
                out.raw(",\"offset\":");
                out.unsigned_number(pc - m->start + m->offset);
            } else {
                out.raw("null,\"offset\":null");
            }
            // Addresses can pass 2^53: a hex string (docs/json.md).
            out.raw(",\"pc\":\"0x");
            char hex[16];
            int n = 0;
            std::uint64_t v = pc;
            do {
                hex[n++] = "0123456789abcdef"[v & 15];
                v >>= 4;
            } while (v);
            while (n > 0) out.ch(hex[--n]);
            out.raw("\"}");
        }
        out.ch(']');
    }

    void name_field(const char* key, const char* s, std::size_t n) {
        out.key(key);
        if (out.string(s, n)) {
            out.key(key[0] == 'n' ? "name_escaped" : "command_escaped");
            out.raw("true");
        }
    }
};

// One slot copied out of the table, with what the kernel says of its fd.
struct Entry {
    layout::Slot slot;
    std::int32_t fd;
    const char* kind;
    bool cloexec;
};

}  // namespace

bool write_report(const layout::TableHeader& header, const char* path_template, ReportReason why) noexcept {
    const Table table{header};
    if (!path_template || !*path_template || !table.sane()) return false;
    const int pid = static_cast<int>(raw::call(SYS_getpid));
    const int ppid = static_cast<int>(raw::call(SYS_getppid));
    char path[4096];
    if (!expand_path(path_template, pid, path, sizeof path)) return false;

    // Code mappings for the frames.
    Scratch maps;
    const long maps_len = read_file("/proc/self/maps", maps);
    std::size_t lines = 1;
    for (long i = 0; i < maps_len; ++i) lines += maps.data[i] == '\n';
    Scratch module_mem;
    Module* modules = nullptr;
    std::size_t module_count = 0;
    if (maps_len > 0 && module_mem.grow_to(lines * sizeof(Module))) {
        modules = reinterpret_cast<Module*>(module_mem.data);
        module_count = parse_modules(maps.data, static_cast<std::size_t>(maps_len), modules, lines);
    }

    Scratch comm;
    long comm_len = read_file("/proc/self/comm", comm);
    if (comm_len > 0 && comm.data[comm_len - 1] == '\n') --comm_len;
    char exe[4096];
    long exe_len = sys_readlinkat(AT_FDCWD, "/proc/self/exe", exe, sizeof exe);
    if (exe_len < 0) exe_len = 0;

    const int fd_dir = static_cast<int>(sys_open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC));

    // The slots: Open ones copied (with what the fd is now), the state of
    // every number kept for the untraced list.
    const std::uint32_t slots = header.slot_count;
    Scratch entry_mem, key_mem, run_mem, state_mem;
    const bool have_memory = slots == 0 || (entry_mem.grow_to(std::size_t{slots} * sizeof(Entry)) &&
                                            key_mem.grow_to(std::size_t{slots} * sizeof(GroupKey)) &&
                                            run_mem.grow_to(std::size_t{slots} * sizeof(GroupRun)) &&
                                            state_mem.grow_to(slots));
    if (!have_memory) {
        if (fd_dir >= 0) sys_close(fd_dir);
        return false;
    }
    auto* entries = reinterpret_cast<Entry*>(entry_mem.data);
    auto* keys = reinterpret_cast<GroupKey*>(key_mem.data);
    auto* runs = reinterpret_cast<GroupRun*>(run_mem.data);
    auto* states = reinterpret_cast<std::uint8_t*>(state_mem.data);
    std::size_t count = 0, stdio_count = 0;
    // 4 KiB of name per look and five names per group: not on a signal
    // handler's stack (an alternate one may be small), not in TLS (the
    // first touch of a preloaded library's TLS in a thread may malloc).
    Scratch work_mem;
    if (!work_mem.grow_to(sizeof(FdNow) + 5 * 4096)) {
        if (fd_dir >= 0) sys_close(fd_dir);
        return false;
    }
    FdNow& now = *reinterpret_cast<FdNow*>(work_mem.data);
    auto* names = reinterpret_cast<char(*)[4096]>(work_mem.data + sizeof(FdNow));
    for (std::uint32_t fd = 0; fd < slots; ++fd) {
        const layout::Slot& live = table.slot(fd);
        // The writer's own /proc/self/fd may hold the number of a slot
        // whose fd was closed unseen: that number is not the program's.
        if (static_cast<int>(fd) == fd_dir) {
            states[fd] = 0;
            continue;
        }
        if (live.state == 0 && live.seq.load(std::memory_order_relaxed) == 0) {
            states[fd] = 0;
            continue;
        }
        Entry& e = entries[count];
        if (!copy_stable(live, e.slot)) {
            states[fd] = static_cast<std::uint8_t>(layout::SlotState::Open);  // busy: has a slot, listed nowhere
            continue;
        }
        states[fd] = e.slot.state;
        if (e.slot.state != static_cast<std::uint8_t>(layout::SlotState::Open)) continue;
        look_at(static_cast<int>(fd), fd_dir, now);
        if (!now.open) {
            states[fd] = 0;
            continue;
        }
        e.fd = static_cast<std::int32_t>(fd);
        e.kind = now.kind;
        e.cloexec = now.cloexec;
        ++count;
    }
    // Leaks (fds >= 3) first in the keys, then stdio.
    std::size_t leak_count = 0;
    for (std::size_t i = 0; i < count; ++i)
        if (entries[i].fd >= 3) ++leak_count;
    std::size_t li = 0, si = leak_count;
    for (std::size_t i = 0; i < count; ++i) {
        const Entry& e = entries[i];
        const GroupKey k{e.slot.stack, e.slot.creator_pid != pid, e.fd, static_cast<std::uint32_t>(i)};
        keys[e.fd >= 3 ? li++ : si++] = k;
    }
    stdio_count = count - leak_count;
    sort_group_keys(keys, leak_count);
    sort_group_keys(keys + leak_count, stdio_count);

    Scratch doc;
    if (!doc.grow_to(65536)) {
        if (fd_dir >= 0) sys_close(fd_dir);
        return false;
    }
    JsonOut out(doc.data, doc.size, grow_out, &doc);
    Writer w{out, table, maps.data, modules, module_count};
    const std::uint64_t load = header.load_time_ns;
    auto since_load = [&](std::uint64_t ns) { return ns > load ? ns - load : 0; };

    out.raw("{\"fdscope_preload_report\":1,\"reason\":");
    out.raw(why == ReportReason::Signal ? "\"signal\"" : why == ReportReason::Exec ? "\"exec\"" : "\"exit\"");
    out.key("pid");
    out.signed_number(pid);
    out.key("ppid");
    out.signed_number(ppid);
    w.name_field("command", comm.data ? comm.data : "", comm_len > 0 ? static_cast<std::size_t>(comm_len) : 0);
    out.key("exe");
    if (out.string(exe, static_cast<std::size_t>(exe_len))) out.raw(",\"exe_escaped\":true");
    out.key("time");
    out.seconds(clock_ns(CLOCK_REALTIME));
    out.key("load_ns");
    out.unsigned_number(load);
    out.key("now_ns");
    out.unsigned_number(clock_ns(CLOCK_MONOTONIC));
    out.key("generation");
    out.unsigned_number(header.generation);
    out.key("cloexec_mode");
    out.raw(header.cloexec_mode == 1 ? "\"all\"" : header.cloexec_mode == 2 ? "\"exec\"" : "\"off\"");
    out.key("quarantine");
    out.unsigned_number(header.quarantine);
    out.key("stack_mode");
    out.raw(header.stack_mode == 1 ? "\"fp\"" : header.stack_mode == 2 ? "\"libunwind\"" : "\"none\"");

    // A group of open fds: the `leaks` entry of docs/json.md, every fd
    // listed, and "open": each fd's own facts for fdscope's events.
    std::size_t name_lens[5];
    auto groups = [&](const char* list, const GroupKey* k, std::size_t n) {
        out.key(list);
        out.ch('[');
        const std::size_t nr = group_runs(k, n, runs);
        for (std::size_t r = 0; r < nr; ++r) {
            const GroupKey* g = k + runs[r].from;
            const std::size_t gn = runs[r].count;
            const Entry& first = entries[g[0].index];
            std::uint64_t lo = first.slot.time_ns, hi = first.slot.time_ns;
            if (r) out.ch(',');
            out.raw("{\"pid\":");
            out.signed_number(pid);
            w.name_field("command", comm.data ? comm.data : "", comm_len > 0 ? static_cast<std::size_t>(comm_len) : 0);
            out.key("count");
            out.unsigned_number(gn);
            out.key("exited");
            out.unsigned_number(why == ReportReason::Exit ? gn : 0);
            out.key("kind");
            out.ch('"');
            out.raw(first.kind);
            out.ch('"');
            out.key("origin");
            out.raw("\"traced\"");
            out.key("op");
            out.ch('"');
            out.raw(op_name(first.slot.op));
            out.ch('"');
            out.key("tid");
            out.signed_number(first.slot.tid);
            out.key("inherited");
            out.raw(g[0].inherited ? "true" : "false");
            out.key("fds");
            out.ch('[');
            for (std::size_t i = 0; i < gn; ++i) {
                if (i) out.ch(',');
                out.signed_number(g[i].fd);
                const std::uint64_t t = entries[g[i].index].slot.time_ns;
                lo = t < lo ? t : lo;
                hi = t > hi ? t : hi;
            }
            out.ch(']');
            out.key("first");
            out.seconds(since_load(lo));
            out.key("last");
            out.seconds(since_load(hi));
            // Per fd: what fdscope turns into its creation event.
            const char* kinds[32];
            std::size_t nk = 0, nn = 0;
            out.key("open");
            out.ch('[');
            for (std::size_t i = 0; i < gn; ++i) {
                const Entry& e = entries[g[i].index];
                look_at(e.fd, fd_dir, now);
                if (i) out.ch(',');
                out.raw("{\"fd\":");
                out.signed_number(e.fd);
                out.key("tid");
                out.signed_number(e.slot.tid);
                out.key("creator_pid");
                out.signed_number(e.slot.creator_pid);
                out.key("ns");
                out.unsigned_number(e.slot.time_ns);
                out.key("op");
                out.ch('"');
                out.raw(op_name(e.slot.op));
                out.ch('"');
                out.key("flags");
                out.signed_number(e.slot.open_flags);
                out.key("kind");
                out.ch('"');
                out.raw(e.kind);
                out.ch('"');
                out.key("cloexec");
                out.raw(e.cloexec ? "true" : "false");
                out.key("forced_cloexec");
                out.raw(e.slot.flags & layout::kCloexecForced ? "true" : "false");
                out.key("owner");
                out.raw(e.slot.flags & layout::kOwnerFile  ? "\"FILE\""
                        : e.slot.flags & layout::kOwnerDir ? "\"DIR\""
                                                           : "null");
                const std::size_t path_len = e.slot.name_len <= layout::kNameBytes ? e.slot.name_len : layout::kNameBytes;
                w.name_field("name", now.name, now.open ? now.name_len : 0);
                out.key("path");
                out.string(e.slot.name, path_len);
                if (e.slot.flags & layout::kNameTruncated) out.raw(",\"path_truncated\":true");
                out.ch('}');
                bool seen = false;
                for (std::size_t q = 0; q < nk; ++q) seen = seen || std::strcmp(kinds[q], e.kind) == 0;
                if (!seen && nk < 32) kinds[nk++] = e.kind;
                if (now.open && now.name_len > 0 && nn < 5) {
                    bool have = false;
                    for (std::size_t q = 0; q < nn; ++q)
                        have = have || (name_lens[q] == now.name_len && std::memcmp(names[q], now.name, now.name_len) == 0);
                    if (!have) {
                        std::memcpy(names[nn], now.name, now.name_len);
                        name_lens[nn++] = now.name_len;
                    }
                }
            }
            out.ch(']');
            out.key("kinds");
            out.ch('[');
            for (std::size_t q = 0; q < nk; ++q) {
                if (q) out.ch(',');
                out.ch('"');
                out.raw(kinds[q]);
                out.ch('"');
            }
            out.ch(']');
            out.key("names");
            out.ch('[');
            for (std::size_t q = 0; q < nn; ++q) {
                if (q) out.ch(',');
                out.string(names[q], name_lens[q]);
            }
            out.ch(']');
            out.key("stack");
            w.frames(first.slot.stack);
            out.ch('}');
        }
        out.ch(']');
    };
    groups("leaks", keys, leak_count);
    groups("stdio_open", keys + leak_count, stdio_count);

    // Open fds without a slot: /proc/self/fd read with getdents64.
    out.key("untraced_open");
    out.ch('[');
    bool first_untraced = true;
    if (fd_dir >= 0) {
        raw::for_each_fd_entry(fd_dir, [&](int fd) {
            if (fd == fd_dir || layout::is_library_fd(header, fd)) return;
            if (static_cast<std::uint32_t>(fd) < slots && states[fd] != 0) return;
            look_at(fd, fd_dir, now);
            if (!now.open) return;
            if (!first_untraced) out.ch(',');
            first_untraced = false;
            out.raw("{\"fd\":");
            out.signed_number(fd);
            out.key("kind");
            out.ch('"');
            out.raw(now.kind);
            out.ch('"');
            out.key("cloexec");
            out.raw(now.cloexec ? "true" : "false");
            w.name_field("name", now.name, now.name_len);
            out.ch('}');
        });
        sys_close(fd_dir);
    }
    out.ch(']');

    // What the library caught.
    out.key("incidents");
    out.ch('[');
    const std::uint32_t claimed = header.incident_count.load(std::memory_order_acquire);
    const std::uint32_t kept = claimed < header.incident_capacity ? claimed : header.incident_capacity;
    bool first_incident = true;
    for (std::uint32_t i = 0; i < kept; ++i) {
        layout::Incident inc;
        if (!copy_stable(table.incident(i), inc)) continue;
        if (inc.type != static_cast<std::uint8_t>(layout::IncidentType::StaleClose) &&
            inc.type != static_cast<std::uint8_t>(layout::IncidentType::OwnershipViolation))
            continue;
        const bool stale = inc.type == static_cast<std::uint8_t>(layout::IncidentType::StaleClose);
        // "time", "ns" and "stack" of one moment of the incident.
        auto moment = [&](std::uint64_t ns, layout::StackRef stack) {
            out.key("time");
            out.seconds(since_load(ns));
            out.key("ns");
            out.unsigned_number(ns);
            out.key("stack");
            w.frames(stack);
        };
        if (!first_incident) out.ch(',');
        first_incident = false;
        out.raw(stale ? "{\"type\":\"stale_close\"" : "{\"type\":\"ownership_violation\"");
        out.key("fd");
        out.signed_number(inc.fd);
        out.key("tid");
        out.signed_number(inc.tid);
        moment(inc.time_ns, inc.stack);
        out.key("owner");
        out.raw(inc.owner & layout::kOwnerFile  ? "\"FILE\""
                : inc.owner & layout::kOwnerDir ? "\"DIR\""
                                                : "null");
        out.key("created");
        out.raw("{\"op\":\"");
        out.raw(op_name(inc.op));
        out.raw("\",\"tid\":");
        out.signed_number(inc.created_tid);
        moment(inc.created_time_ns, inc.created_stack);
        out.ch('}');
        out.key("first_close");
        if (stale && inc.first_close_time_ns != 0) {
            out.raw("{\"tid\":");
            out.signed_number(inc.first_close_tid);
            moment(inc.first_close_time_ns, inc.first_close_stack);
            out.ch('}');
        } else {
            out.raw("null");
        }
        out.ch('}');
    }
    out.ch(']');

    auto counter = [&](const char* k, std::uint64_t v, bool first = false) {
        out.key(k, first);
        out.unsigned_number(v);
    };
    out.key("summary");
    out.ch('{');
    counter("creates", header.creates.load(std::memory_order_relaxed), true);
    counter("closes", header.closes.load(std::memory_order_relaxed));
    counter("overflow_fds", header.overflow_fds.load(std::memory_order_relaxed));
    counter("stacks_dropped", header.stacks_dropped.load(std::memory_order_relaxed));
    counter("cloexec_changes", header.cloexec_changes.load(std::memory_order_relaxed));
    counter("stale_closes", header.stale_closes.load(std::memory_order_relaxed));
    counter("ownership_violations", header.ownership_violations.load(std::memory_order_relaxed));
    counter("incidents_dropped", claimed - kept);
    counter("slots", slots);
    out.ch('}');
    out.raw("}\n");
    if (out.failed()) return false;

    // One write of the whole document (O_APPEND: concurrent writers of one
    // file never interleave inside a write); a short write goes on.
    const long fd = sys_open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    bool ok = true;
    for (std::size_t done = 0; done < out.size();) {
        const long n = sys_write(static_cast<int>(fd), out.data() + done, out.size() - done);
        if (n == -EINTR) continue;
        if (n <= 0) {
            ok = false;
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    sys_close(static_cast<int>(fd));
    return ok;
}

}  // namespace fdscope::preload
