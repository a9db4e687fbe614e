// The core of libfdscope-preload.so (see runtime.hpp).
#include "preload/runtime.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <linux/close_range.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "preload/raw.hpp"
#include "preload/report_writer.hpp"

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#endif
#ifndef PR_SET_VMA_ANON_NAME
#define PR_SET_VMA_ANON_NAME 0
#endif

extern "C" {
extern void* __libc_stack_end;  // ld.so: the main thread's initial stack pointer (the top of its frames)
extern char** environ;
}

namespace fdscope::preload {

// report_writer.cpp defines it; a build without it (or a library built
// before it) still loads: the reference is weak and FDSCOPE_REPORT then
// writes nothing.
bool write_report(const sys::preload::TableHeader& table, const char* path_template, ReportReason why) noexcept
    __attribute__((weak));

}  // namespace fdscope::preload

// How a reader finds the table where the kernel cannot name it
// (sys/preload_layout.hpp, Locator).
extern "C" {
__attribute__((visibility("default"))) fdscope::sys::preload::Locator fdscope_preload_locator = {
    fdscope::sys::preload::kLocatorMagic, ~fdscope::sys::preload::kLocatorMagic, 0, 0};
}

namespace fdscope::preload {

using layout::Slot;
using layout::SlotFlag;
using layout::SlotState;
using layout::StackRef;

thread_local ThreadState t_state __attribute__((tls_model("initial-exec"))) = {0, 0, 0, 0, 0};
// constinit: set before any constructor runs. A dynamic initializer would
// run after fdscope_preload_init (priority 101) and undo the FDSCOPE_* settings.
constinit Config g_config;
layout::TableHeader* g_table = nullptr;

namespace {

// Sizes of the regions after the slots (sys/preload_layout.hpp): a million
// fds from one call site cost one 144-byte record, so 8 MiB hold tens of
// thousands of distinct stacks, and the index's 64 Ki buckets stay under
// half full; kMaxProbe bounds a lookup either way.
constexpr std::uint32_t kIndexBuckets = 64u * 1024u;
constexpr std::uint64_t kArenaBytes = 8ull << 20;
constexpr std::uint32_t kIncidentCapacity = 1024;
constexpr std::uint32_t kMaxProbe = 64;
constexpr std::uint32_t kMaxQuarantine = 1u << 16;
// The library's own fds (log, quarantine placeholder) are moved to the top
// of the soft limit, but not above this: the kernel sizes a process's fd
// array by its highest number, and a log fd at 1048575 would cost every
// process (and every fork) an 8 MiB fd array.
constexpr int kOwnFdCeiling = 4096;

Slot* g_slots = nullptr;
std::uint32_t* g_index = nullptr;  // StackRef per bucket, __atomic accesses
unsigned char* g_arena = nullptr;
layout::Incident* g_incidents = nullptr;
std::uint32_t g_slot_count = 0;
int g_pid = 0;                         // getpid(), updated in a fork child
std::uint32_t g_high_water = 0;        // 1 + the highest fd number recorded (__atomic)
std::uint64_t* g_keep = nullptr;       // bit per fd: keep it inheritable at exec (handed on / open at load)
std::int32_t* g_ring = nullptr;        // FDSCOPE_QUARANTINE's ring of numbers, -1 = empty
std::uint64_t g_ring_head = 0;         // __atomic
std::uintptr_t g_main_stack_span = 8u << 20;
std::uintptr_t g_thread_stack_span = 32u << 20;
const char* g_saved_env[32];           // LD_PRELOAD=... and FDSCOPE_*=... from the environment at load
int g_saved_env_count = 0;
const char* g_self_path = nullptr;     // this library's path as ld.so loaded it

template <class T>
void st(T& field, T value) { __atomic_store_n(&field, value, __ATOMIC_RELAXED); }
template <class T>
T ld(const T& field) { return __atomic_load_n(&field, __ATOMIC_RELAXED); }

std::uint64_t now_ns(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);  // vDSO; async-signal-safe
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<std::uint64_t>(ts.tv_nsec);
}

int cached_tid() {
    if (t_state.tid == 0) t_state.tid = raw::gettid();
    return t_state.tid;
}

Slot* slot_of(int fd) {
    if (g_table == nullptr || fd < 0) return nullptr;
    if (static_cast<std::uint32_t>(fd) >= g_slot_count) {
        g_table->overflow_fds.fetch_add(1, std::memory_order_relaxed);
        return nullptr;
    }
    return &g_slots[fd];
}

void keep_bit(int fd, bool on) {
    if (g_keep == nullptr || fd < 0 || static_cast<std::uint32_t>(fd) >= g_slot_count) return;
    const std::uint64_t bit = 1ull << (static_cast<unsigned>(fd) & 63u);
    std::uint64_t& word = g_keep[static_cast<unsigned>(fd) >> 6];
    if (on) {
        __atomic_fetch_or(&word, bit, __ATOMIC_RELAXED);
    } else if (ld(word) & bit) {
        __atomic_fetch_and(&word, ~bit, __ATOMIC_RELAXED);
    }
}
bool kept(int fd) {
    if (g_keep == nullptr || fd < 0 || static_cast<std::uint32_t>(fd) >= g_slot_count) return false;
    return (ld(g_keep[static_cast<unsigned>(fd) >> 6]) >> (static_cast<unsigned>(fd) & 63u)) & 1u;
}

// Seqlock writer: seq even -> odd (CAS, so two writers of one number, which
// only a racy program makes, never interleave), fields, odd -> even. False
// when another writer holds the slot for too long: the update is dropped.
bool slot_begin(Slot& s, std::uint32_t& seq) {
    for (int i = 0; i < (1 << 16); ++i) {
        std::uint32_t cur = s.seq.load(std::memory_order_relaxed);
        if ((cur & 1u) == 0 &&
            s.seq.compare_exchange_weak(cur, cur + 1, std::memory_order_acq_rel, std::memory_order_relaxed)) {
            seq = cur + 1;
            return true;
        }
        __builtin_ia32_pause();
    }
    return false;
}
void slot_end(Slot& s, std::uint32_t seq) { s.seq.store(seq + 1, std::memory_order_release); }

void store_name(Slot& s, const char* name, std::uint16_t& flags) {
    alignas(8) char buf[layout::kNameBytes] = {};
    std::size_t n = 0;
    if (name != nullptr) {
        while (name[n] != '\0' && n < layout::kNameBytes) ++n;
        std::memcpy(buf, name, n);
        if (n == layout::kNameBytes && name[n] != '\0') flags = static_cast<std::uint16_t>(flags | layout::kNameTruncated);
    }
    auto* dst = reinterpret_cast<std::uint64_t*>(s.name);
    for (unsigned i = 0; i < layout::kNameBytes / 8; ++i) {
        std::uint64_t w;
        std::memcpy(&w, buf + i * 8, 8);
        __atomic_store_n(&dst[i], w, __ATOMIC_RELAXED);
    }
    st(s.name_len, static_cast<std::uint16_t>(n));
}

void bump_high_water(int fd) {
    const auto want = static_cast<std::uint32_t>(fd) + 1;
    std::uint32_t cur = __atomic_load_n(&g_high_water, __ATOMIC_RELAXED);
    while (cur < want && !__atomic_compare_exchange_n(&g_high_water, &cur, want, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

// ---- stacks

std::uint32_t hash_pcs(const std::uint64_t* pcs, unsigned depth) {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a over the pcs' bytes, 8 at a time
    for (unsigned i = 0; i < depth; ++i) {
        h ^= pcs[i];
        h *= 1099511628211ull;
        h ^= h >> 29;
    }
    return static_cast<std::uint32_t>(h ^ (h >> 32));
}

const layout::StackRecord* record_at(StackRef ref) {
    return reinterpret_cast<const layout::StackRecord*>(g_arena + (static_cast<std::uint64_t>(ref) - 1) * 8);
}

bool record_equal(StackRef ref, std::uint32_t hash, const std::uint64_t* pcs, unsigned depth) {
    const layout::StackRecord* r = record_at(ref);
    if (r->hash != hash || r->depth != depth) return false;
    return std::memcmp(reinterpret_cast<const unsigned char*>(r) + sizeof(layout::StackRecord), pcs, depth * 8u) == 0;
}

StackRef alloc_record(std::uint32_t hash, const std::uint64_t* pcs, unsigned depth) {
    const std::uint64_t need = sizeof(layout::StackRecord) + depth * 8ull;
    std::uint64_t used = g_table->arena_used.load(std::memory_order_relaxed);
    do {
        if (used + need > g_table->arena_bytes) return 0;
    } while (!g_table->arena_used.compare_exchange_weak(used, used + need, std::memory_order_relaxed));
    auto* r = reinterpret_cast<layout::StackRecord*>(g_arena + used);
    r->hash = hash;
    r->depth = static_cast<std::uint16_t>(depth);
    r->reserved = 0;
    std::memcpy(reinterpret_cast<unsigned char*>(r) + sizeof(layout::StackRecord), pcs, depth * 8u);
    return static_cast<StackRef>(used / 8 + 1);
}

// Lock-free interning: look the stack up by hash (linear probing); at an
// empty bucket write a new record into the arena, then publish it with a CAS
// on the bucket. A loser of the CAS compares with the winner's record (two
// threads interning one new stack at once waste one record, never more).
StackRef intern(const std::uint64_t* pcs, unsigned depth) {
    const std::uint32_t hash = hash_pcs(pcs, depth);
    const std::uint32_t mask = kIndexBuckets - 1;
    StackRef fresh = 0;
    for (std::uint32_t probe = 0; probe < kMaxProbe; ++probe) {
        std::uint32_t* bucket = &g_index[(hash + probe) & mask];
        StackRef ref = __atomic_load_n(bucket, __ATOMIC_ACQUIRE);
        if (ref == 0) {
            if (fresh == 0) fresh = alloc_record(hash, pcs, depth);
            if (fresh == 0) break;
            StackRef expected = 0;
            if (__atomic_compare_exchange_n(bucket, &expected, fresh, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
                return fresh;
            ref = expected;
        }
        if (record_equal(ref, hash, pcs, depth)) return ref;
    }
    if (fresh != 0) return fresh;  // in the arena, only not findable by hash: still a valid stack
    g_table->stacks_dropped.fetch_add(1, std::memory_order_relaxed);
    return 0;
}

// The frame-pointer walk's bounds. The frames of a thread lie between the
// wrapper's frame and the top of the thread's stack: for the main thread
// __libc_stack_end, for a glibc thread its descriptor (pthread_self()), which
// glibc places at the top of the thread's stack block. pthread_getattr_np
// would give exact bounds but allocates (and reads /proc for the main
// thread), so it cannot run in a hook; instead a frame's saved frame pointer
// must be above the current one, 8-aligned, below the top, and the walk
// starts only when the wrapper's frame lies within the usual stack size
// below the top (on a sigaltstack it does not: then the stack is the one pc).
unsigned walk_fp(const Caller& c, std::uint64_t* pcs, unsigned depth) {
    unsigned n = 0;
    pcs[n++] = c.pc;
    std::uintptr_t top, span;
    if (cached_tid() == g_pid) {
        top = reinterpret_cast<std::uintptr_t>(__libc_stack_end);
        span = g_main_stack_span;
    } else {
        top = reinterpret_cast<std::uintptr_t>(pthread_self());
        span = g_thread_stack_span;
    }
    std::uintptr_t fp = c.fp;
    if (fp >= top || top - fp > span) return n;
    while (n < depth) {
        const std::uintptr_t next = *reinterpret_cast<const std::uintptr_t*>(fp);
        if (next <= fp || (next & 7u) != 0 || next + 16 > top) break;
        const std::uintptr_t pc = *reinterpret_cast<const std::uintptr_t*>(next + 8);
        if (pc < 4096) break;
        pcs[n++] = pc;
        fp = next;
    }
    return n;
}

// libunwind (DWARF CFI from .eh_frame) for code without frame pointers. Its
// buffer starts inside this library: the stack proper starts at the
// wrapper's return address.
__attribute__((noinline)) unsigned walk_libunwind(const Caller& c, std::uint64_t* pcs, unsigned depth) {
    constexpr unsigned kSkipMax = 8;
    void* buf[layout::kMaxDepth + kSkipMax];
    t_state.unwinding++;
    const int got = unw_backtrace(buf, static_cast<int>(depth + kSkipMax));
    t_state.unwinding--;
    unsigned start = 0;
    bool found = false;
    for (unsigned i = 0; i < kSkipMax && static_cast<int>(i) < got; ++i) {
        if (reinterpret_cast<std::uintptr_t>(buf[i]) == c.pc) {
            start = i;
            found = true;
            break;
        }
    }
    if (!found) {
        pcs[0] = c.pc;
        return 1;
    }
    unsigned n = 0;
    for (unsigned i = start; static_cast<int>(i) < got && n < depth; ++i) pcs[n++] = reinterpret_cast<std::uintptr_t>(buf[i]);
    return n;
}

// ---- incidents

void add_incident(layout::IncidentType type, int fd, const Slot& s, std::uint16_t owner, StackRef stack) {
    const std::uint32_t i = g_table->incident_count.fetch_add(1, std::memory_order_relaxed);
    if (i >= g_table->incident_capacity) return;
    layout::Incident& inc = g_incidents[i];
    std::uint32_t seq = inc.seq.load(std::memory_order_relaxed);
    inc.seq.store(seq | 1u, std::memory_order_relaxed);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    st(inc.type, static_cast<std::uint8_t>(type));
    st(inc.op, ld(s.op));
    st(inc.owner, owner);
    st(inc.fd, static_cast<std::int32_t>(fd));
    st(inc.tid, static_cast<std::int32_t>(cached_tid()));
    st(inc.stack, stack);
    st(inc.time_ns, now_ns(CLOCK_MONOTONIC));
    st(inc.created_tid, ld(s.tid));
    st(inc.created_stack, ld(s.stack));
    st(inc.created_time_ns, ld(s.time_ns));
    if (type == layout::IncidentType::StaleClose) {
        st(inc.first_close_tid, ld(s.close_tid));
        st(inc.first_close_stack, ld(s.close_stack));
        st(inc.first_close_time_ns, ld(s.close_time_ns));
    }
    inc.seq.store((seq | 1u) + 1, std::memory_order_release);
}

// ---- quarantine

void free_slot(int fd) {
    Slot* s = (fd >= 0 && static_cast<std::uint32_t>(fd) < g_slot_count) ? &g_slots[fd] : nullptr;
    if (s == nullptr) return;
    std::uint32_t seq;
    if (!slot_begin(*s, seq)) return;
    st(s->state, static_cast<std::uint8_t>(SlotState::Free));
    slot_end(*s, seq);
}

void ring_push(int fd) {
    const std::uint64_t pos = __atomic_fetch_add(&g_ring_head, 1, __ATOMIC_RELAXED) % g_config.quarantine;
    const std::int32_t old = __atomic_exchange_n(&g_ring[pos], static_cast<std::int32_t>(fd), __ATOMIC_ACQ_REL);
    if (old >= 0) {
        // The number leaves the quarantine: free its slot first (the record
        // comes before the close, as for every close), then really close it.
        free_slot(old);
        raw::close(old);
    }
}

bool ring_remove(int fd) {
    if (g_ring == nullptr) return false;
    for (std::uint32_t i = 0; i < g_config.quarantine; ++i) {
        std::int32_t expected = static_cast<std::int32_t>(fd);
        if (__atomic_load_n(&g_ring[i], __ATOMIC_RELAXED) == expected &&
            __atomic_compare_exchange_n(&g_ring[i], &expected, -1, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            return true;
    }
    return false;
}

// ---- the library's own fds

// Moves fd to the highest free number below min(soft limit, kOwnFdCeiling),
// close-on-exec; returns the new number (or fd itself when none was free).
int move_high(int fd) {
    rlimit rl{};
    long ceiling = kOwnFdCeiling;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && static_cast<long>(rl.rlim_cur) < ceiling)
        ceiling = static_cast<long>(rl.rlim_cur);
    for (long target = ceiling - 1; target > fd && target > ceiling - 64; --target) {
        if (raw::fcntl(static_cast<int>(target), F_GETFD) >= 0) continue;  // taken
        const int moved = raw::fcntl(fd, F_DUPFD_CLOEXEC, target);
        if (moved >= 0) {
            raw::close(fd);
            return moved;
        }
    }
    return fd;
}

std::uint64_t read_u64_file(const char* path, std::uint64_t fallback) {
    const int fd = raw::openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fallback;
    char buf[32];
    const long n = raw::read(fd, buf, sizeof buf - 1);
    raw::close(fd);
    if (n <= 0) return fallback;
    std::uint64_t v = 0;
    bool any = false;
    for (long i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; ++i) {
        v = v * 10 + static_cast<std::uint64_t>(buf[i] - '0');
        any = true;
    }
    return any ? v : fallback;
}

bool parse_uint(const char* s, unsigned long& out) {
    if (s == nullptr || *s == '\0') return false;
    unsigned long v = 0;
    for (; *s != '\0'; ++s) {
        if (*s < '0' || *s > '9') return false;
        v = v * 10 + static_cast<unsigned long>(*s - '0');
        if (v > 0x7fffffffUL) return false;
    }
    out = v;
    return true;
}

// FDSCOPE_DUMP_SIGNAL: a number, a name with or without SIG, or RTMIN+n / RTMAX-n.
int parse_signal(const char* s) {
    unsigned long n = 0;
    if (s == nullptr || *s == '\0') return 0;
    if (parse_uint(s, n)) return (n > 0 && n < static_cast<unsigned long>(NSIG)) ? static_cast<int>(n) : 0;
    if (std::strncmp(s, "SIG", 3) == 0) s += 3;
    static const struct { const char* name; int sig; } kNames[] = {
        {"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
        {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},
        {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU}, {"URG", SIGURG}, {"XCPU", SIGXCPU},
        {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},
        {"PWR", SIGPWR}, {"SYS", SIGSYS}};
    for (const auto& e : kNames)
        if (std::strcmp(s, e.name) == 0) return e.sig;
    if (std::strncmp(s, "RTMIN", 5) == 0) {
        if (s[5] == '\0') return SIGRTMIN;
        if (s[5] == '+' && parse_uint(s + 6, n) && SIGRTMIN + static_cast<int>(n) <= SIGRTMAX) return SIGRTMIN + static_cast<int>(n);
    }
    if (std::strncmp(s, "RTMAX", 5) == 0) {
        if (s[5] == '\0') return SIGRTMAX;
        if (s[5] == '-' && parse_uint(s + 6, n) && SIGRTMAX - static_cast<int>(n) >= SIGRTMIN) return SIGRTMAX - static_cast<int>(n);
    }
    return 0;
}

void parse_keep_fds(const char* s) {
    while (s != nullptr && *s != '\0' && g_config.keep_count < 64) {
        long v = 0;
        bool any = false;
        while (*s >= '0' && *s <= '9') {
            v = v * 10 + (*s - '0');
            any = true;
            ++s;
            if (v > 0x7fffffff) break;
        }
        if (any && v <= 0x7fffffff) g_config.keep_fds[g_config.keep_count++] = static_cast<int>(v);
        while (*s != '\0' && (*s < '0' || *s > '9')) ++s;
    }
}

bool keep_listed(int fd) {
    for (int i = 0; i < g_config.keep_count; ++i)
        if (g_config.keep_fds[i] == fd) return true;
    return false;
}

// Calls each(fd) for every open fd of this process but the directory's own.
// False when /proc/self/fd cannot be opened.
template <class Each>
bool for_each_open_fd(Each&& each) {
    const int dir = raw::openat(AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return false;
    raw::for_each_fd_entry(dir, [&](int fd) {
        if (fd != dir) each(fd);
    });
    raw::close(dir);
    return true;
}

// Every fd open at load that is not close-on-exec survived the exec that
// started this program: its parent handed it on, so FDSCOPE_CLOEXEC=exec
// keeps it (keep bit) until the number is closed or reused.
void mark_open_at_load() {
    for_each_open_fd([](int fd) {
        if (fd < 3) return;
        const int f = raw::fcntl(fd, F_GETFD);
        if (f >= 0 && (f & FD_CLOEXEC) == 0) keep_bit(fd, true);
    });
}

void on_fork_child() {
    g_pid = raw::getpid();
    t_state.tid = 0;
    if (g_table != nullptr) {
        g_table->pid = g_pid;
        g_table->generation = g_table->generation + 1;
    }
}

void dump_handler(int) {
    const int saved = errno;
    report_now(true);
    errno = saved;
}

bool g_reported_exit = false;

void* map_anon(std::uint64_t bytes) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
}

constexpr std::uint64_t align64(std::uint64_t v) { return (v + 63) & ~63ull; }

}  // namespace

void resolve_all() noexcept;  // hooks.cpp

// ---- constructor and destructor

// Runs before the program's constructors. Everything it needs comes from
// raw syscalls, getenv and mmap: no allocation.
__attribute__((constructor(101))) static void fdscope_preload_init() {
    t_state.in_hook++;
    g_pid = raw::getpid();
    resolve_all();

    const char* v = getenv("FDSCOPE_CLOEXEC");
    if (v != nullptr && std::strcmp(v, "1") == 0) g_config.cloexec = CloexecMode::All;
    if (v != nullptr && std::strcmp(v, "exec") == 0) g_config.cloexec = CloexecMode::Exec;
    v = getenv("FDSCOPE_STACKS");
    if (v != nullptr && std::strcmp(v, "none") == 0) g_config.stacks = StackMode::None;
    if (v != nullptr && std::strcmp(v, "fp") == 0) g_config.stacks = StackMode::Fp;
    if (v != nullptr && std::strcmp(v, "libunwind") == 0) g_config.stacks = StackMode::Libunwind;
    unsigned long n = 0;
    if (parse_uint(getenv("FDSCOPE_STACK_DEPTH"), n) && n > 0)
        g_config.depth = n > layout::kMaxDepth ? layout::kMaxDepth : static_cast<std::uint32_t>(n);
    if (parse_uint(getenv("FDSCOPE_QUARANTINE"), n))
        g_config.quarantine = n > kMaxQuarantine ? kMaxQuarantine : static_cast<std::uint32_t>(n);
    g_config.dump_signal = parse_signal(getenv("FDSCOPE_DUMP_SIGNAL"));
    v = getenv("FDSCOPE_REPORT");
    if (v != nullptr && *v != '\0') g_config.report = v;
    parse_keep_fds(getenv("FDSCOPE_KEEP_FDS"));

    for (char** e = environ; e != nullptr && *e != nullptr && g_saved_env_count < 32; ++e)
        if (std::strncmp(*e, "LD_PRELOAD=", 11) == 0 || std::strncmp(*e, "FDSCOPE_", 8) == 0)
            g_saved_env[g_saved_env_count++] = *e;
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&fdscope_preload_init), &info) != 0) g_self_path = info.dli_fname;

    rlimit rl{};
    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        g_main_stack_span = static_cast<std::uintptr_t>(rl.rlim_cur);
        g_thread_stack_span = static_cast<std::uintptr_t>(rl.rlim_cur) > (2u << 20) ? static_cast<std::uintptr_t>(rl.rlim_cur) : (2u << 20);
    } else {
        g_main_stack_span = 1ull << 30;
    }

    // One slot per fd number the process may ever have: the hard limit (the
    // soft limit can be raised up to it), capped at fs.nr_open.
    const std::uint64_t nr_open = read_u64_file("/proc/sys/fs/nr_open", 1u << 20);
    std::uint64_t slots = nr_open;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY && rl.rlim_max < nr_open) slots = rl.rlim_max;
    if (slots < 1024) slots = 1024;
    if (slots > (1u << 24)) slots = 1u << 24;

    const std::uint64_t slots_offset = align64(sizeof(layout::TableHeader));
    const std::uint64_t index_offset = align64(slots_offset + slots * sizeof(Slot));
    const std::uint64_t arena_offset = align64(index_offset + kIndexBuckets * 4ull);
    const std::uint64_t incidents_offset = align64(arena_offset + kArenaBytes);
    const std::uint64_t total = align64(incidents_offset + kIncidentCapacity * sizeof(layout::Incident));
    auto* base = static_cast<unsigned char*>(map_anon(total));
    if (base == nullptr) {
        t_state.in_hook--;
        return;  // no table: every hook passes through
    }
    // Without CONFIG_ANON_VMA_NAME (or before Linux 5.17) the name is refused:
    // the library still records, but fdscope cannot find the table.
    prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, reinterpret_cast<unsigned long>(base), total, layout::kVmaName);

    auto* h = reinterpret_cast<layout::TableHeader*>(base);
    h->magic = layout::kMagic;
    h->version = layout::kVersion;
    h->header_bytes = sizeof(layout::TableHeader);
    h->total_bytes = total;
    h->slot_bytes = sizeof(Slot);
    h->slot_count = static_cast<std::uint32_t>(slots);
    h->slots_offset = slots_offset;
    h->index_offset = index_offset;
    h->index_buckets = kIndexBuckets;
    h->max_depth = g_config.depth;
    h->arena_offset = arena_offset;
    h->arena_bytes = kArenaBytes;
    h->pid = g_pid;
    h->generation = 0;
    h->load_time_ns = now_ns(CLOCK_MONOTONIC);
    h->realtime_offset_ns = static_cast<std::int64_t>(now_ns(CLOCK_REALTIME)) - static_cast<std::int64_t>(h->load_time_ns);
    h->cloexec_mode = static_cast<std::uint8_t>(g_config.cloexec);
    h->stack_mode = static_cast<std::uint8_t>(g_config.stacks);
    h->quarantine = g_config.quarantine;
    h->incidents_offset = incidents_offset;
    h->incident_capacity = kIncidentCapacity;
    h->log_fd = -1;
    h->placeholder_fd = -1;
    h->unwind_fds[0] = h->unwind_fds[1] = -1;

    g_slots = reinterpret_cast<Slot*>(base + slots_offset);
    g_index = reinterpret_cast<std::uint32_t*>(base + index_offset);
    g_arena = base + arena_offset;
    g_incidents = reinterpret_cast<layout::Incident*>(base + incidents_offset);
    g_slot_count = static_cast<std::uint32_t>(slots);
    g_keep = static_cast<std::uint64_t*>(map_anon((slots / 64 + 1) * 8));
    mark_open_at_load();

    v = getenv("FDSCOPE_LOG");
    if (v != nullptr && *v != '\0') {
        const int fd = raw::openat(AT_FDCWD, v, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) h->log_fd = move_high(fd);
    }
    if (g_config.quarantine > 0) {
        g_ring = static_cast<std::int32_t*>(map_anon(g_config.quarantine * 4ull));
        const int fd = raw::openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (g_ring != nullptr && fd >= 0) {
            for (std::uint32_t i = 0; i < g_config.quarantine; ++i) g_ring[i] = -1;
            h->placeholder_fd = move_high(fd);
        } else {
            g_config.quarantine = 0;
            h->quarantine = 0;
        }
    }
    pthread_atfork(nullptr, nullptr, on_fork_child);
    if (g_config.dump_signal != 0 && g_config.report != nullptr) {
        // The signal is taken: a handler the program installs later replaces
        // this one, and one it had is not chained to (docs/preload.md).
        struct sigaction sa {};
        sa.sa_handler = dump_handler;
        sa.sa_flags = SA_RESTART;
        sigemptyset(&sa.sa_mask);
        sigaction(g_config.dump_signal, &sa, nullptr);
    }
    __atomic_store_n(&g_table, h, __ATOMIC_RELEASE);
    if (g_config.stacks == StackMode::Libunwind) {
        // libunwind initializes itself (its caches, its pipe) in the first of
        // these calls: here, not inside a hook, and after the table is
        // published, so that adopt_library_pipe names the pipe in it.
        t_state.unwinding++;
        unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
        void* warm[4];
        unw_backtrace(warm, 4);
        t_state.unwinding--;
    }
    __atomic_store_n(&fdscope_preload_locator.table_bytes, total, __ATOMIC_RELAXED);
    __atomic_store_n(&fdscope_preload_locator.table_addr, reinterpret_cast<std::uint64_t>(base), __ATOMIC_RELEASE);
    t_state.in_hook--;
}

__attribute__((destructor)) static void fdscope_preload_fini() {
    if (g_config.report != nullptr && !g_reported_exit) {
        g_reported_exit = true;
        report_now(false);
    }
}

void report_now(bool signal) noexcept {
    layout::TableHeader* h = __atomic_load_n(&g_table, __ATOMIC_ACQUIRE);
    if (h == nullptr || g_config.report == nullptr) return;
    if (&write_report == nullptr) return;
    t_state.in_hook++;  // the writer's own opens are not the program's
    write_report(*h, g_config.report, signal ? ReportReason::Signal : ReportReason::Exit);
    t_state.in_hook--;
}

// ---- guards

HookGuard::HookGuard() noexcept
    : active_(t_state.in_hook == 0 && t_state.vforked == 0 && __atomic_load_n(&g_table, __ATOMIC_ACQUIRE) != nullptr),
      unwinding_(t_state.unwinding > 0 && t_state.vforked == 0) {
    t_state.in_hook++;
}
HookGuard::~HookGuard() noexcept { t_state.in_hook--; }

ErrnoKeeper::ErrnoKeeper() noexcept : saved_(errno) {}
ErrnoKeeper::~ErrnoKeeper() noexcept { errno = saved_; }

void* resolve(const char* name) noexcept {
    // glibc's dlsym may calloc (its dlerror state). The library does not
    // interpose the allocator, so that calloc is the program's; if that
    // allocator opens or closes a file on its first use, the hook it reaches
    // sees `resolving` and makes the system call itself (hooks.cpp) instead
    // of resolving again.
    t_state.resolving++;
    void* p = dlsym(RTLD_NEXT, name);
    t_state.resolving--;
    return p;
}

// ---- recording

StackRef capture_stack(const Caller& c) noexcept {
    if (g_table == nullptr || g_config.stacks == StackMode::None) return 0;
    std::uint64_t pcs[layout::kMaxDepth];
    const unsigned n = g_config.stacks == StackMode::Libunwind ? walk_libunwind(c, pcs, g_config.depth)
                                                                : walk_fp(c, pcs, g_config.depth);
    return intern(pcs, n);
}

void record_create(int fd, const Create& what, StackRef stack) noexcept {
    Slot* s = slot_of(fd);
    if (s == nullptr) return;
    keep_bit(fd, false);
    std::uint32_t seq;
    if (!slot_begin(*s, seq)) return;
    std::uint16_t flags = what.flags;
    st(s->state, static_cast<std::uint8_t>(SlotState::Open));
    st(s->op, static_cast<std::uint8_t>(what.op));
    st(s->creator_pid, static_cast<std::int32_t>(g_pid));
    st(s->tid, static_cast<std::int32_t>(cached_tid()));
    st(s->stack, stack);
    st(s->open_flags, static_cast<std::int32_t>(what.open_flags));
    st(s->detail, what.detail);
    st(s->time_ns, now_ns(CLOCK_MONOTONIC));
    st(s->close_stack, StackRef{0});
    st(s->close_tid, std::int32_t{0});
    st(s->close_time_ns, std::uint64_t{0});
    store_name(*s, what.name, flags);
    st(s->flags, flags);
    slot_end(*s, seq);
    bump_high_water(fd);
    g_table->creates.fetch_add(1, std::memory_order_relaxed);
}

void record_close(int fd, const Caller&) noexcept {
    Slot* s = slot_of(fd);
    if (s == nullptr) return;
    keep_bit(fd, false);
    if (ld(s->state) == static_cast<std::uint8_t>(SlotState::Free)) return;
    std::uint32_t seq;
    if (!slot_begin(*s, seq)) return;
    st(s->state, static_cast<std::uint8_t>(SlotState::Free));
    slot_end(*s, seq);
    g_table->closes.fetch_add(1, std::memory_order_relaxed);
}

void record_close_range(unsigned lo, unsigned hi, const Caller& c) noexcept {
    if (g_table == nullptr) return;
    const std::uint32_t end = __atomic_load_n(&g_high_water, __ATOMIC_RELAXED);
    for (unsigned fd = lo; fd < end && fd <= hi; ++fd) {
        Slot& s = g_slots[fd];
        const auto state = static_cast<SlotState>(ld(s.state));
        if (state == SlotState::Quarantined) ring_remove(static_cast<int>(fd));
        if (state != SlotState::Free) record_close(static_cast<int>(fd), c);
    }
    // Keep bits of numbers in the range go too.
    for (unsigned fd = lo; fd < g_slot_count && fd <= hi && fd < static_cast<unsigned>(kOwnFdCeiling); ++fd) keep_bit(static_cast<int>(fd), false);
}

void set_cloexec_flag(int fd, bool cloexec, bool deliberate) noexcept {
    if (!cloexec && deliberate) keep_bit(fd, true);
    if (cloexec) keep_bit(fd, false);
    if (g_table == nullptr || fd < 0 || static_cast<std::uint32_t>(fd) >= g_slot_count) return;
    Slot& s = g_slots[fd];
    if (ld(s.state) != static_cast<std::uint8_t>(SlotState::Open)) return;
    std::uint32_t seq;
    if (!slot_begin(s, seq)) return;
    auto flags = ld(s.flags);
    if (cloexec) {
        flags = static_cast<std::uint16_t>((flags | layout::kCloexec) & ~layout::kHandedOn);
    } else {
        flags = static_cast<std::uint16_t>(flags & ~(layout::kCloexec | layout::kCloexecForced));
        if (deliberate) flags = static_cast<std::uint16_t>(flags | layout::kHandedOn);
    }
    st(s.flags, flags);
    slot_end(s, seq);
}

void set_owner(int fd, std::uint16_t owner, layout::CreateOp op, const Caller& c) noexcept {
    if (g_table == nullptr || fd < 0) return;
    if (static_cast<std::uint32_t>(fd) >= g_slot_count || ld(g_slots[fd].state) != static_cast<std::uint8_t>(SlotState::Open)) {
        const int fl = raw::fcntl(fd, F_GETFD);
        record_create(fd, Create{op, static_cast<std::uint16_t>(owner | (fl > 0 && (fl & FD_CLOEXEC) ? layout::kCloexec : 0)), 0, 0, nullptr},
                      capture_stack(c));
        return;
    }
    Slot& s = g_slots[fd];
    std::uint32_t seq;
    if (!slot_begin(s, seq)) return;
    st(s.flags, static_cast<std::uint16_t>(ld(s.flags) | owner));
    slot_end(s, seq);
}

void mark_forced(int fd) noexcept {
    if (g_table == nullptr || fd < 0 || static_cast<std::uint32_t>(fd) >= g_slot_count) return;
    Slot& s = g_slots[fd];
    std::uint32_t seq;
    if (ld(s.state) != static_cast<std::uint8_t>(SlotState::Open) || !slot_begin(s, seq)) return;
    st(s.flags, static_cast<std::uint16_t>(ld(s.flags) | layout::kCloexecForced | layout::kCloexec));
    slot_end(s, seq);
}

void slot_name(int fd, char* out, unsigned cap) noexcept {
    out[0] = '\0';
    if (g_table == nullptr || fd < 0 || static_cast<std::uint32_t>(fd) >= g_slot_count || cap == 0) return;
    const Slot& s = g_slots[fd];
    if (ld(s.state) != static_cast<std::uint8_t>(SlotState::Open)) return;
    unsigned n = ld(s.name_len);
    if (n > layout::kNameBytes) n = layout::kNameBytes;
    if (n + 1 > cap) n = cap - 1;
    const auto* src = reinterpret_cast<const std::uint64_t*>(s.name);
    alignas(8) char buf[layout::kNameBytes];
    for (unsigned i = 0; i < layout::kNameBytes / 8; ++i) {
        const std::uint64_t w = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
        std::memcpy(buf + i * 8, &w, 8);
    }
    std::memcpy(out, buf, n);
    out[n] = '\0';
}

std::uint16_t slot_flags(int fd) noexcept {
    if (g_table == nullptr || fd < 0 || static_cast<std::uint32_t>(fd) >= g_slot_count) return 0;
    return ld(g_slots[fd].flags);
}
std::uint8_t slot_state(int fd) noexcept {
    if (g_table == nullptr || fd < 0 || static_cast<std::uint32_t>(fd) >= g_slot_count) return 0;
    return ld(g_slots[fd].state);
}

bool is_own_fd(int fd) noexcept {
    layout::TableHeader* h = __atomic_load_n(&g_table, __ATOMIC_ACQUIRE);
    return h != nullptr && layout::is_library_fd(*h, fd);
}

// libunwind opens its memory-validation pipe (pipe2 through the PLT, so
// through this library's wrapper, inside unw_backtrace) on its first unwind, in the
// constructor's warm-up, and again when it finds the pipe gone. Left where
// the kernel put it, it would take the program's lowest free numbers (3 and
// 4 at start) and shift every fd the program opens after.
void adopt_library_pipe(int fds[2]) noexcept {
    for (int i = 0; i < 2; ++i) {
        fds[i] = move_high(fds[i]);
        if (layout::TableHeader* h = __atomic_load_n(&g_table, __ATOMIC_ACQUIRE)) st(h->unwind_fds[i], fds[i]);
    }
}

// ---- close

int close_fd(int fd, const Caller& c, int (*real_close)(int)) noexcept {
    // The library's own fds do not exist for the program: closing one gets
    // what it would get without the library.
    if (is_own_fd(fd)) {
        errno = EBADF;
        return -1;
    }
    Slot* s = (g_table != nullptr && fd >= 0 && static_cast<std::uint32_t>(fd) < g_slot_count) ? &g_slots[fd] : nullptr;
    if (s == nullptr) {
        if (fd >= 0 && g_table != nullptr) g_table->overflow_fds.fetch_add(1, std::memory_order_relaxed);
        return real_close(fd);
    }
    const auto state = static_cast<SlotState>(ld(s->state));
    if (state == SlotState::Quarantined) {
        // A close of a number already closed: the placeholder caught a
        // stale or double close. It keeps its placeholder; the program gets
        // what a double close gets.
        const StackRef here = capture_stack(c);
        std::uint32_t seq;
        if (slot_begin(*s, seq)) {
            st(s->flags, static_cast<std::uint16_t>(ld(s->flags) | layout::kStaleClosed));
            slot_end(*s, seq);
        }
        add_incident(layout::IncidentType::StaleClose, fd, *s, 0, here);
        g_table->stale_closes.fetch_add(1, std::memory_order_relaxed);
        if (logging()) {
            Line l;
            line_start(l).s("FDSCOPE_QUARANTINE: close(").n(fd).s(") of a number already closed (by tid ")
                .n(ld(s->close_tid)).s("): a stale or double close, returned EBADF");
            log_line(l.c_str());
        }
        errno = EBADF;
        return -1;
    }
    if (state == SlotState::Open) {
        const std::uint16_t flags = ld(s->flags);
        const std::uint16_t owner = flags & (layout::kOwnerFile | layout::kOwnerDir);
        const int saved = errno;
        if (owner != 0) {
            add_incident(layout::IncidentType::OwnershipViolation, fd, *s, owner, capture_stack(c));
            g_table->ownership_violations.fetch_add(1, std::memory_order_relaxed);
            if (logging()) {
                Line l;
                line_start(l).s("close(").n(fd).s("): fd ").n(fd).s(owner & layout::kOwnerFile ? " is owned by a FILE*" : " is owned by a DIR*")
                    .s(": ownership violation (the close goes ahead)");
                log_line(l.c_str());
            }
        }
        layout::TableHeader* h = g_table;
        const int ph = ld(h->placeholder_fd);
        if (g_config.quarantine > 0 && ph >= 0 && raw::fcntl(fd, F_GETFD) >= 0) {
            const StackRef here = capture_stack(c);
            std::uint32_t seq;
            if (slot_begin(*s, seq)) {
                st(s->state, static_cast<std::uint8_t>(SlotState::Quarantined));
                st(s->close_stack, here);
                st(s->close_tid, static_cast<std::int32_t>(cached_tid()));
                st(s->close_time_ns, now_ns(CLOCK_MONOTONIC));
                st(s->flags, static_cast<std::uint16_t>(ld(s->flags) | layout::kCloexec));
                slot_end(*s, seq);
                keep_bit(fd, false);
                g_table->closes.fetch_add(1, std::memory_order_relaxed);
                // dup3 replaces the file atomically: the number never becomes free.
                if (raw::dup3(ph, fd, O_CLOEXEC) >= 0) {
                    ring_push(fd);
                    errno = saved;
                    return 0;
                }
                free_slot(fd);
            }
        } else {
            record_close(fd, c);
        }
        errno = saved;
    } else {
        keep_bit(fd, false);
    }
    return real_close(fd);
}

bool before_replace(int fd) noexcept {
    layout::TableHeader* h = g_table;
    if (h == nullptr || fd < 0) return false;
    // The program put its own file on one of the library's numbers: the
    // library gives that fd up (no more log lines, no more quarantine).
    if (fd == ld(h->log_fd)) st(h->log_fd, std::int32_t{-1});
    if (fd == ld(h->placeholder_fd)) st(h->placeholder_fd, std::int32_t{-1});
    for (auto& u : h->unwind_fds)
        if (fd == ld(u)) st(u, std::int32_t{-1});
    if (slot_state(fd) == static_cast<std::uint8_t>(SlotState::Quarantined)) return ring_remove(fd);
    return false;
}

void requarantine(int fd) noexcept {
    if (g_ring != nullptr) ring_push(fd);
}

int close_range_fd(unsigned lo, unsigned hi, int flags, const Caller& c, int (*real)(unsigned, unsigned, int)) noexcept {
    layout::TableHeader* h = g_table;
    const auto own = h != nullptr ? layout::library_fds(*h) : layout::LibraryFds{-1, -1, -1, -1};
    if ((static_cast<unsigned>(flags) & CLOSE_RANGE_CLOEXEC) != 0) {
        {
            ErrnoKeeper keep;
            if (h != nullptr) {
                const std::uint32_t end = __atomic_load_n(&g_high_water, __ATOMIC_RELAXED);
                for (unsigned fd = lo; fd < end && fd <= hi; ++fd) set_cloexec_flag(static_cast<int>(fd), true, true);
            }
        }
        return real(lo, hi, flags);  // the library's fds are close-on-exec already
    }
    {
        ErrnoKeeper keep;
        record_close_range(lo, hi, c);
    }
    // Split the range around the library's own fds (sorted, in range).
    int cut[4];
    int ncut = 0;
    for (int o : own) {
        if (o < 0 || static_cast<unsigned>(o) < lo || static_cast<unsigned>(o) > hi) continue;
        int at = ncut;
        while (at > 0 && cut[at - 1] > o) --at;
        if (at > 0 && cut[at - 1] == o) continue;  // the same number twice
        for (int j = ncut; j > at; --j) cut[j] = cut[j - 1];
        cut[at] = o;
        ++ncut;
    }
    unsigned from = lo;
    int ret = 0;
    int err = 0;
    for (int i = 0; i < ncut; ++i) {
        const auto o = static_cast<unsigned>(cut[i]);
        if (o > from) {
            if (real(from, o - 1, flags) != 0) {
                ret = -1;
                err = errno;
            }
        }
        from = o + 1;
    }
    if (ncut == 0 || (from != 0 && from <= hi)) {
        if (real(from, hi, flags) != 0) {
            ret = -1;
            err = errno;
        }
    }
    if (ret != 0) errno = err;
    return ret;
}

// ---- FDSCOPE_CLOEXEC

bool force_cloexec(int& flags, int bit) noexcept {
    if (g_config.cloexec != CloexecMode::All || (flags & bit) != 0) return false;
    flags |= bit;
    return true;
}

void log_forced(int fd, const char* flag, const char* call, const char* name) noexcept {
    if (g_table == nullptr) return;
    g_table->cloexec_changes.fetch_add(1, std::memory_order_relaxed);
    if (!logging()) return;
    Line l;
    line_start(l).s("FDSCOPE_CLOEXEC=1 added ").s(flag).s(" to fd ").n(fd).s(" from ").s(call).s("(");
    if (name != nullptr) l.quoted(name);
    l.s(")");
    log_line(l.c_str());
}

void exec_policy(const char* call, const char* target, char* const* envp) noexcept {
    if (g_config.cloexec != CloexecMode::Exec || g_table == nullptr) return;
    ErrnoKeeper keep;
    const bool shared = t_state.vforked != 0;  // a vfork child: the table is the parent's, leave it
    int listen = 0;
    for (char* const* e = envp; e != nullptr && *e != nullptr; ++e) {
        unsigned long n = 0;
        if (std::strncmp(*e, "LISTEN_FDS=", 11) == 0 && parse_uint(*e + 11, n) && n < 4096) listen = static_cast<int>(n);
    }
    // The fds are found in /proc/self/fd (raw getdents64 on a directory fd
    // opened and closed here) rather than from the table alone: the table
    // does not see fds made behind libc's back or open at load. A loop of
    // F_GETFD up to the highest number would cost one syscall per possible
    // number (a million under a high limit); the directory lists only the
    // open ones. Without /proc, the loop over the numbers the table knows.
    auto consider = [&](int fd) {
        if (fd < 3 || is_own_fd(fd)) return;
        if (fd < 3 + listen || keep_listed(fd) || kept(fd)) return;
        if (slot_flags(fd) & layout::kHandedOn) return;
        const int fl = raw::fcntl(fd, F_GETFD);
        if (fl < 0 || (fl & FD_CLOEXEC) != 0) return;
        if (raw::fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0) return;
        if (!shared) {
            g_table->cloexec_changes.fetch_add(1, std::memory_order_relaxed);
            if (static_cast<std::uint32_t>(fd) < g_slot_count && ld(g_slots[fd].state) == static_cast<std::uint8_t>(SlotState::Open)) {
                Slot& s = g_slots[fd];
                std::uint32_t seq;
                if (slot_begin(s, seq)) {
                    st(s.flags, static_cast<std::uint16_t>(ld(s.flags) | layout::kCloexec | layout::kCloexecForced));
                    slot_end(s, seq);
                }
            }
        }
        if (logging()) {
            Line l;
            line_start(l).s("FDSCOPE_CLOEXEC=exec set FD_CLOEXEC on fd ").n(fd).s(" before ").s(call).s("(");
            if (target != nullptr) l.quoted(target);
            l.s(")");
            log_line(l.c_str());
        }
    };
    if (!for_each_open_fd(consider)) {
        const std::uint32_t end = __atomic_load_n(&g_high_water, __ATOMIC_RELAXED);
        for (std::uint32_t fd = 3; fd < end; ++fd) consider(static_cast<int>(fd));
    }
}

// ---- exec environment

namespace {
std::size_t name_len(const char* entry) {
    std::size_t n = 0;
    while (entry[n] != '\0' && entry[n] != '=') ++n;
    return n;
}
const char* find_var(char* const* envp, const char* entry) {
    const std::size_t n = name_len(entry);
    for (char* const* e = envp; e != nullptr && *e != nullptr; ++e)
        if (std::strncmp(*e, entry, n) == 0 && (*e)[n] == '=') return *e;
    return nullptr;
}
bool preload_names_self(const char* value) {
    if (g_self_path == nullptr) return true;
    return std::strstr(value, g_self_path) != nullptr || std::strstr(value, "libfdscope-preload.so") != nullptr;
}
}  // namespace

unsigned long exec_env_size(char* const* envp) noexcept {
    unsigned long n = 0;
    for (char* const* e = envp; e != nullptr && *e != nullptr; ++e) ++n;
    unsigned long bytes = (n + static_cast<unsigned long>(g_saved_env_count) + 2) * sizeof(char*);
    const char* lp = find_var(envp, "LD_PRELOAD=");
    if (lp != nullptr) bytes += std::strlen(lp) + (g_self_path != nullptr ? std::strlen(g_self_path) : 0) + 16;
    return bytes;
}

char* const* exec_env(char* const* envp, void* storage, unsigned long size) noexcept {
    if (g_saved_env_count == 0) return envp;
    bool missing = false;
    const char* lp = find_var(envp, "LD_PRELOAD=");
    const bool lp_fix = lp != nullptr && !preload_names_self(lp + 11) && g_self_path != nullptr;
    for (int i = 0; i < g_saved_env_count; ++i)
        if (find_var(envp, g_saved_env[i]) == nullptr) missing = true;
    if (!missing && !lp_fix) return envp;
    unsigned long n = 0;
    for (char* const* e = envp; e != nullptr && *e != nullptr; ++e) ++n;
    auto** out = static_cast<char**>(storage);
    char* strings = static_cast<char*>(storage) + (n + static_cast<unsigned long>(g_saved_env_count) + 2) * sizeof(char*);
    char* const end = static_cast<char*>(storage) + size;
    unsigned long k = 0;
    for (char* const* e = envp; e != nullptr && *e != nullptr; ++e) {
        if (lp_fix && *e == lp) {
            // LD_PRELOAD=<this library> <what the program set>
            const std::size_t self = std::strlen(g_self_path), rest = std::strlen(lp + 11);
            if (strings + 11 + self + 1 + rest + 1 <= end) {
                char* p = strings;
                std::memcpy(p, "LD_PRELOAD=", 11);
                std::memcpy(p + 11, g_self_path, self);
                p[11 + self] = ' ';
                std::memcpy(p + 12 + self, lp + 11, rest + 1);
                out[k++] = p;
                strings += 11 + self + 1 + rest + 1;
                continue;
            }
        }
        out[k++] = *e;
    }
    for (int i = 0; i < g_saved_env_count; ++i)
        if (find_var(envp, g_saved_env[i]) == nullptr) out[k++] = const_cast<char*>(g_saved_env[i]);
    out[k] = nullptr;
    return out;
}

// ---- log

bool logging() noexcept {
    layout::TableHeader* h = __atomic_load_n(&g_table, __ATOMIC_ACQUIRE);
    return h != nullptr && ld(h->log_fd) >= 0;
}

void log_line(const char* text) noexcept {
    layout::TableHeader* h = __atomic_load_n(&g_table, __ATOMIC_ACQUIRE);
    if (h == nullptr) return;
    const int fd = ld(h->log_fd);
    if (fd < 0) return;
    raw::write(fd, text, std::strlen(text));
}

Line& Line::s(const char* text) noexcept {
    while (*text != '\0' && len + 2 < sizeof buf) buf[len++] = *text++;
    return *this;
}
Line& Line::n(long value) noexcept {
    char tmp[24];
    int i = 0;
    const bool neg = value < 0;
    unsigned long v = neg ? 0UL - static_cast<unsigned long>(value) : static_cast<unsigned long>(value);
    do {
        tmp[i++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    if (neg) tmp[i++] = '-';
    while (i > 0 && len + 2 < sizeof buf) buf[len++] = tmp[--i];
    return *this;
}
Line& Line::quoted(const char* text) noexcept {
    static const char kHex[] = "0123456789abcdef";
    s("\"");
    for (; *text != '\0' && len + 8 < sizeof buf; ++text) {
        const auto c = static_cast<unsigned char>(*text);
        if (c == '"' || c == '\\') {
            buf[len++] = '\\';
            buf[len++] = static_cast<char>(c);
        } else if (c < 0x20 || c >= 0x7f) {
            buf[len++] = '\\';
            buf[len++] = 'x';
            buf[len++] = kHex[c >> 4];
            buf[len++] = kHex[c & 15];
        } else {
            buf[len++] = static_cast<char>(c);
        }
    }
    return s("\"");
}
const char* Line::c_str() noexcept {
    buf[len++] = '\n';
    buf[len] = '\0';
    return buf;
}
Line& line_start(Line& l) noexcept { return l.s("fdscope-preload[").n(raw::getpid()).s("]: "); }

}  // namespace fdscope::preload
