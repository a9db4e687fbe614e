// The table libfdscope-preload.so keeps inside a process and fdscope reads
// from outside: the one format both sides share (the library writes it, the
// reader in collect/ parses it). It lives in sys/ because the library links
// sys/ and nothing else, and collect/ may include sys/ but not preload/.
//
// The table is one private anonymous mapping named "fdscope-table"
// (PR_SET_VMA_ANON_NAME), so /proc/PID/maps shows `[anon:fdscope-table]`
// and a reader copies it with process_vm_readv: no fd, thread or socket is
// added to the process, and fork gives the child its own copy.
//
// Layout, all offsets from the mapping's start, every integer native
// (x86_64 little-endian), every region 64-byte aligned:
//   [0, header_bytes)                     TableHeader
//   [slots_offset, + slot_count*slot_bytes) Slot per fd number 0..slot_count-1
//   [index_offset, + index_buckets*4)     stack hash index: StackRef per bucket, 0 = empty
//   [arena_offset, + arena_bytes)         stack arena: StackRecords, append-only
//   [incidents_offset, + incident_capacity*sizeof(Incident)) what the library caught
//   total_bytes = the mapping's size
//
// A reader trusts none of it: it checks magic, version and sizes, that
// every region lies inside total_bytes and inside the mapping it found,
// and every StackRef and depth against arena_used; it copies slots with
// the seqlock protocol (read seq, copy, read seq again; odd or changed =
// retry a bounded number of times, then report the slot as unstable).
#pragma once
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace fdscope::sys::preload {

inline constexpr char kVmaName[] = "fdscope-table";   // as passed to prctl
inline constexpr char kMapsName[] = "[anon:fdscope-table]";  // as /proc/PID/maps shows it
inline constexpr std::uint64_t kMagic = 0x31656c6261746466ULL;  // "fdtable1" in memory order
inline constexpr std::uint32_t kVersion = 2;
inline constexpr std::uint32_t kMaxDepth = 64;   // frames per stack, the most a writer keeps
inline constexpr std::uint32_t kNameBytes = 72;  // bytes of path kept per slot

// What made the fd: the libc entry point the library wrapped (or, for
// Syscall*, the fd syscall made through syscall(3): flag kViaSyscall).
enum class CreateOp : std::uint8_t {
    Unknown = 0,
    Open, Open64, Openat, Openat64, Creat, Creat64,
    Fopen, Fopen64, Freopen, Fdopen, Opendir, Fdopendir,
    Socket, Socketpair, Accept, Accept4,
    Pipe, Pipe2,
    Dup, Dup2, Dup3, FcntlDupfd, FcntlDupfdCloexec,
    Eventfd, Signalfd, TimerfdCreate, EpollCreate, EpollCreate1,
    InotifyInit, InotifyInit1, FanotifyInit, MemfdCreate, PidfdOpen,
    Recvmsg, Recvmmsg,  // one slot per fd received over SCM_RIGHTS
    Popen,              // the parent's end of popen()'s pipe
    Count
};

enum class SlotState : std::uint8_t {
    Free = 0,         // no fd the library knows of
    Open = 1,         // made by a call the library saw, not closed since
    Quarantined = 2,  // closed under FDSCOPE_QUARANTINE: the number holds an O_PATH placeholder
};

// Slot::flags bits.
enum SlotFlag : std::uint16_t {
    kCloexec = 1u << 0,         // close-on-exec as far as the library knows
    kCloexecForced = 1u << 1,   // FDSCOPE_CLOEXEC added it (the program did not ask)
    kHandedOn = 1u << 2,        // the program cleared close-on-exec itself (F_SETFD, FIONCLEX,
                                // dup2 onto 0-2): a deliberate hand-on, enforcement leaves it
    kViaSyscall = 1u << 3,      // made through syscall(3), not the libc wrapper
    kNameTruncated = 1u << 4,   // name holds the first kNameBytes bytes of a longer path
    kOwnerFile = 1u << 5,       // owned by a FILE* (fopen, fdopen, popen): fclose closes it
    kOwnerDir = 1u << 6,        // owned by a DIR* (opendir, fdopendir): closedir closes it
    kStaleClosed = 1u << 7,     // Quarantined: a later close hit the placeholder (a stale close)
};

// A stack record: this 8-byte header, then its pcs; records are 8-byte aligned. A StackRef
// names a record: (its offset in the arena / 8) + 1; 0 = no stack.
using StackRef = std::uint32_t;
struct StackRecord {
    std::uint32_t hash;   // of the pcs (the index's key)
    std::uint16_t depth;  // pcs that follow, <= kMaxDepth
    std::uint16_t reserved;
    // std::uint64_t pcs[depth]: return addresses, innermost first; the
    // first is the caller of the wrapped libc function.
};
static_assert(sizeof(StackRecord) == 8);

struct Slot {
    std::atomic<std::uint32_t> seq;  // seqlock: odd while being written
    std::uint8_t state;              // SlotState
    std::uint8_t op;                 // CreateOp
    std::uint16_t flags;             // SlotFlag bits
    std::int32_t creator_pid;        // tgid that made it: another pid than the reader's = inherited by fork
    std::int32_t tid;                // thread that made it
    StackRef stack;                  // creation stack
    std::int32_t open_flags;         // as the call ended up with: O_* for opens, SOCK_* type for sockets, ...
    std::uint32_t detail;            // op-specific: socket (domain << 16 | type & 0xffff), fd received from (recvmsg: the socket)
    std::uint32_t reserved;
    std::uint64_t time_ns;           // CLOCK_MONOTONIC at creation
    // Quarantined slots: who closed it (the first close). Open slots: 0.
    StackRef close_stack;
    std::int32_t close_tid;
    std::uint64_t close_time_ns;
    std::uint16_t name_len;          // bytes used in name
    std::uint8_t name_pad[6];
    char name[kNameBytes];           // path as passed (not NUL-terminated), "" for non-path creators
};
static_assert(sizeof(Slot) == 136);
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);

// Something the library caught, kept until the report: a close that hit a
// quarantine placeholder (a stale or double close), or a raw close() of an
// fd a FILE*/DIR* owns. Written once (seq odd while being written), in
// order; past incident_capacity they are counted, not kept.
enum class IncidentType : std::uint8_t { None = 0, StaleClose = 1, OwnershipViolation = 2 };
struct Incident {
    std::atomic<std::uint32_t> seq;
    std::uint8_t type;            // IncidentType
    std::uint8_t op;              // CreateOp of the fd's creation
    std::uint16_t owner;          // kOwnerFile / kOwnerDir for an ownership violation
    std::int32_t fd;
    std::int32_t tid;             // the offending close's thread
    StackRef stack;               // the offending close
    std::uint32_t reserved;
    std::uint64_t time_ns;
    std::int32_t created_tid;     // the fd's creation
    StackRef created_stack;
    std::uint64_t created_time_ns;
    std::int32_t first_close_tid; // StaleClose: the close that quarantined the number
    StackRef first_close_stack;
    std::uint64_t first_close_time_ns;
};
static_assert(sizeof(Incident) == 64);

struct TableHeader {
    std::uint64_t magic;             // kMagic
    std::uint32_t version;           // kVersion
    std::uint32_t header_bytes;      // sizeof(TableHeader)
    std::uint64_t total_bytes;       // the whole mapping
    std::uint32_t slot_bytes;        // sizeof(Slot)
    std::uint32_t slot_count;        // fds 0..slot_count-1 have a slot; larger ones count in overflow_fds
    std::uint64_t slots_offset;
    std::uint64_t index_offset;
    std::uint32_t index_buckets;     // a power of two
    std::uint32_t max_depth;         // frames the writer keeps (<= kMaxDepth)
    std::uint64_t arena_offset;
    std::uint64_t arena_bytes;
    std::atomic<std::uint64_t> arena_used;  // bytes handed out (records are complete once their ref is published)
    std::int32_t pid;                // the process this copy belongs to (updated in a fork child)
    std::uint32_t generation;        // forks since the library loaded in the first process
    std::int64_t realtime_offset_ns; // CLOCK_REALTIME - CLOCK_MONOTONIC when the library loaded
    std::uint64_t load_time_ns;      // CLOCK_MONOTONIC when the library loaded
    std::uint8_t cloexec_mode;       // 0 off, 1 FDSCOPE_CLOEXEC=1, 2 FDSCOPE_CLOEXEC=exec
    std::uint8_t stack_mode;         // 0 none, 1 frame pointers, 2 libunwind
    std::uint16_t reserved0;
    std::uint32_t quarantine;        // FDSCOPE_QUARANTINE=N, 0 = off
    // Counters, relaxed atomics (monotonic since load; a fork child starts from the parent's).
    std::atomic<std::uint64_t> creates;
    std::atomic<std::uint64_t> closes;
    std::atomic<std::uint64_t> overflow_fds;      // fds >= slot_count, not recorded
    std::atomic<std::uint64_t> stacks_dropped;    // arena or index full: slot kept without a stack
    std::atomic<std::uint64_t> cloexec_changes;   // flags FDSCOPE_CLOEXEC changed
    std::atomic<std::uint64_t> stale_closes;      // closes that hit a quarantine placeholder
    std::atomic<std::uint64_t> ownership_violations;  // raw close() of a FILE*/DIR* fd
    std::uint64_t incidents_offset;
    std::uint32_t incident_capacity;
    std::atomic<std::uint32_t> incident_count;  // claimed; those < incident_capacity are kept
    std::int32_t log_fd;             // FDSCOPE_LOG's fd (placed high), -1 = none
    std::int32_t placeholder_fd;     // FDSCOPE_QUARANTINE's O_PATH fd of "/" (placed high), -1 = none;
                                     // quarantined numbers hold dups of it (SlotState::Quarantined)
    std::int32_t unwind_fds[2];      // the pipe libunwind makes for itself (FDSCOPE_STACKS=libunwind; its
                                     // memory validation), moved high, -1 = none
};
static_assert(sizeof(TableHeader) == 200);

// The library's own fds a header names (its log, the quarantine's
// placeholder, libunwind's pipe), -1 where there is none: not the
// program's. Relaxed loads: the library updates them in place.
using LibraryFds = std::array<std::int32_t, 4>;
inline LibraryFds library_fds(const TableHeader& h) {
    return {__atomic_load_n(&h.log_fd, __ATOMIC_RELAXED), __atomic_load_n(&h.placeholder_fd, __ATOMIC_RELAXED),
            __atomic_load_n(&h.unwind_fds[0], __ATOMIC_RELAXED), __atomic_load_n(&h.unwind_fds[1], __ATOMIC_RELAXED)};
}
inline bool is_library_fd(const TableHeader& h, std::int32_t fd) {
    if (fd < 0) return false;
    for (std::int32_t own : library_fds(h))
        if (own == fd) return true;
    return false;
}

// Finding the table without a name. PR_SET_VMA_ANON_NAME needs a kernel
// built with CONFIG_ANON_VMA_NAME (5.17+); elsewhere prctl fails with EINVAL
// and the mapping shows as a plain anonymous one. The library's writable
// data therefore also holds one Locator (the exported symbol
// `fdscope_preload_locator`, 8-aligned, in a rw-p mapping of the file
// libfdscope-preload.so): a reader copies those mappings, looks for magic
// and ~magic side by side, and reads where the table is. A fork child's
// copy is right too (same addresses). table_addr = 0: not made (yet).
// sys/preload_locate.hpp does this for a reader.
inline constexpr std::uint64_t kLocatorMagic = 0x636f6c6261746466ULL;  // "fdtabloc" in memory order
inline constexpr char kLibraryFile[] = "libfdscope-preload.so";       // the mapped file's basename
struct Locator {
    std::uint64_t magic;        // kLocatorMagic
    std::uint64_t not_magic;    // ~kLocatorMagic
    std::uint64_t table_addr;   // the mapping's start in the process, 0 = none
    std::uint64_t table_bytes;  // its length (TableHeader::total_bytes)
};
static_assert(sizeof(Locator) == 32);

// Where region `i` of `count` elements of `size` bytes ends, or 0 on overflow.
constexpr std::uint64_t region_end(std::uint64_t offset, std::uint64_t count, std::uint64_t size) {
    if (size != 0 && count > (~0ULL - offset) / size) return 0;
    return offset + count * size;
}

}  // namespace fdscope::sys::preload
