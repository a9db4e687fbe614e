#include "collect/bpf_scan.hpp"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cerrno>
#include <limits>
#include <fcntl.h>
#include <sys/resource.h>
#include <thread>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>
#include <unordered_set>

#include "bpf/iter/iterators.hpp"
#include "collect/classify.hpp"
#include "collect/endpoint_search.hpp"
#include "collect/phase_timer.hpp"
#include "collect/pseudo_mounts.hpp"
#include "collect/read_process.hpp"
#include "collect/scan.hpp"
#include "collect/scan_frame.hpp"
#include "collect/sockets.hpp"
#include "procfs/parse_fdinfo.hpp"
#include "procfs/parse_link.hpp"
#include "procfs/parse_mountinfo.hpp"
#include "procfs/parse_sysvipc_shm.hpp"
#include "procfs/text.hpp"
#include "sys/parallel_for.hpp"
#include "sys/proc_io.hpp"

namespace fdscope::collect {
namespace {

using bpf::Extra;
using bpf::FileRecord;
using bpf::Iter;
using bpf::Iterators;
using bpf::LoadOptions;
using bpf::ParseResult;
using bpf::ParseStatus;
using bpf::PathKind;
using bpf::TaskRecord;
using bpf::VmaRecord;
using bpf::file_record_at;
using bpf::join_walk;
using bpf::parse_records;
using bpf::user_dev;


constexpr std::uint64_t kPipefsMagic = 0x50495045;
constexpr std::uint64_t kSockfsMagic = 0x534F434B;
constexpr std::uint64_t kAnonInodeMagic = 0x09041934;
constexpr std::uint64_t kPidfsMagic = 0x50494446;
constexpr std::uint64_t kNsfsMagic = 0x6e736673;

// vm_flags bits (include/linux/mm.h): stable ABI-ish since forever.
constexpr std::uint64_t kVmRead = 0x1, kVmWrite = 0x2, kVmExec = 0x4, kVmMayShare = 0x80;


// A run of consecutive records of one task: the iterators visit task by task,
// each task's fds (or vmas) in ascending order.
struct Run {
    std::uint32_t tid = 0;
    std::uint64_t files_id = 0;  // task_file only; identity only
    std::uint32_t begin = 0, end = 0;
};

// Per tgid: the runs of its tasks.
using RunsByTgid = std::unordered_map<std::uint32_t, std::vector<Run>>;

// Records arrive task by task: the run list of the last tgid is cached so
// that most records cost no hash lookup.
struct RunCursor {
    std::uint32_t tgid = 0;
    std::vector<Run>* runs = nullptr;
};

// Appends `stored` (the record, or where it is) to `recs` and to its task's run.
template <class Rec, class Stored>
void add_to_runs(std::vector<Stored>& recs, RunsByTgid& runs, RunCursor& cur, const Rec& r, std::uint64_t files_id,
                 Stored stored) {
    if (!cur.runs || cur.tgid != r.tgid) cur = {r.tgid, &runs[r.tgid]};  // unordered_map values never move
    auto& v = *cur.runs;
    const auto idx = static_cast<std::uint32_t>(recs.size());
    if (v.empty() || v.back().tid != r.tid || v.back().end != idx || v.back().files_id != files_id)
        v.push_back(Run{r.tid, files_id, idx, idx});
    recs.push_back(std::move(stored));
    v.back().end = idx + 1;
}

// A walked path that stopped early (deeper or longer than the walk goes):
// what /proc says of it, from the same moment's kernel. `what` is
// "task/TID/fd/N" or "map_files/START-END" under /proc/TGID.
struct PathRepairs {
    std::atomic<std::size_t> repaired{0}, partial{0};
};

// The link /proc/TGID/WHAT names, when it still is the record's file (the
// fd may have been closed and its number reused since the iterator ran, a
// range unmapped and mapped again): its inode must be the record's.
bool proc_link(std::uint32_t tgid, const std::string& what, std::uint64_t ino, std::string& buf) {
    const std::string link = "/proc/" + std::to_string(tgid) + "/" + what;
    char text[PATH_MAX];
    const ssize_t n = ::readlink(link.c_str(), text, sizeof text);
    struct stat st {};
    if (n <= 0 || static_cast<std::size_t>(n) >= sizeof text || ::stat(link.c_str(), &st) != 0 || st.st_ino != ino)
        return false;
    buf.assign(text, static_cast<std::size_t>(n));
    return true;
}

std::string_view resolve_walk(std::string_view components, std::int32_t path_err, std::uint32_t tgid,
                              const std::string& what, std::uint64_t ino, PathRepairs& repairs, std::string& buf,
                              bool& from_proc) {
    from_proc = false;
    if (path_err == 0 && join_walk(components, buf)) return buf;
    if (proc_link(tgid, what, ino, buf)) {
        ++repairs.repaired;
        from_proc = true;  // readlink's text: " (deleted)" included
        return buf;
    }
    // Show what the walk found, marked as such: "…/lib/libc.so.6".
    ++repairs.partial;
    std::string tail;
    join_walk(components, tail);
    buf = "\u2026" + tail;
    return buf;
}

// What d_path makes of a file that names itself (d_op->d_dname), from its
// dentry name (for nsfs: its namespace type), as the kernel's d_dname
// functions format it: anon_inodefs_dname, pidfs_dname, ns_dname, the
// sockets and pipes a mapping may hold, and simple_dname for what
// alloc_file_pseudo makes on shmem, hugetlbfs and secretmem (memfd, SysV
// segments, shared anonymous memory): "/name (deleted)". Empty for other
// filesystems (dma-buf names itself from data the record lacks): /proc says.
constexpr std::uint64_t kTmpfsMagic = 0x01021994, kHugetlbfsMagic = 0x958458f6, kSecretmemMagic = 0x5345434d;

std::string_view self_named(std::uint64_t s_magic, std::uint64_t ino, std::string_view name, std::string& buf) {
    if (s_magic == kAnonInodeMagic) buf = "anon_inode:" + std::string(name);
    else if (s_magic == kPidfsMagic) buf = "anon_inode:[pidfd]";
    else if (s_magic == kNsfsMagic) buf = std::string(name) + ":[" + std::to_string(ino) + "]";
    else if (s_magic == kSockfsMagic) buf = "socket:[" + std::to_string(ino) + "]";
    else if (s_magic == kPipefsMagic) buf = "pipe:[" + std::to_string(ino) + "]";
    else if (s_magic == kTmpfsMagic || s_magic == kHugetlbfsMagic || s_magic == kSecretmemMagic)
        buf = "/" + std::string(name) + " (deleted)";
    else buf.clear();
    return buf;
}

// A self-named file's text, from /proc where the record cannot say.
std::string_view self_named_or_proc(std::uint64_t s_magic, std::uint64_t ino, std::string_view name, std::uint32_t tgid,
                                    const std::string& what, PathRepairs& repairs, std::string& buf) {
    if (!self_named(s_magic, ino, name, buf).empty()) return buf;
    if (proc_link(tgid, what, ino, buf)) {
        ++repairs.repaired;
        return buf;
    }
    ++repairs.partial;
    buf = "\u2026" + std::string(name);
    return buf;
}

std::string fd_link(const FileRecord& r) { return "task/" + std::to_string(r.tid) + "/fd/" + std::to_string(r.fd); }

std::string map_link(const VmaRecord& v) { return map_files_name(v.start, v.end); }

// What readlink would have said (pipes and sockets never come here:
// fill_fd names them from the inode). Files that name themselves, read
// without bpf_d_path, get readlink's prefix back ("anon_inode:"); walked
// paths are joined (or repaired).
procfs::LinkTarget link_of(const FileRecord& r, PathRepairs& repairs, std::string& buf, std::string_view& text) {
    text = r.path;
    if (r.path_kind == PathKind::Walk) {
        bool from_proc = false;
        text = resolve_walk(r.path, r.path_err, r.tgid, fd_link(r), r.ino, repairs, buf, from_proc);
        if (from_proc) return procfs::parse_link(text);
        // A joined walk has no " (deleted)" suffix to strip (a name may end in one).
        procfs::LinkTarget t;
        t.type = procfs::LinkTarget::Type::Path;
        t.path = text;
        t.deleted = r.unlinked;
        return t;
    }
    if (r.path_kind == PathKind::DentryName) text = self_named_or_proc(r.s_magic, r.ino, r.path, r.tgid, fd_link(r), repairs, buf);
    return procfs::parse_link(text);
}

// The fdinfo details the iterator read itself (eventfd, timerfd, signalfd),
// with fdinfo's conventions.
void fill_extra(const FileRecord& r, OpenFile& f) {
    if (r.extra == Extra::None) return;
    auto d = std::make_unique<FdDetail>();
    switch (r.extra) {
        case Extra::Eventfd: {
            constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
            d->eventfd_count = static_cast<std::int64_t>(std::min(r.extra0, kMax));  // as parse_fdinfo clamps
            d->eventfd_id = static_cast<std::int32_t>(r.extra1);
            break;
        }
        case Extra::Timerfd: d->timerfd_clockid = static_cast<std::int32_t>(r.extra0); break;
        case Extra::Signalfd: d->signalfd_mask = static_cast<std::int64_t>(r.extra0); break;
        case Extra::Unix: d->scm_fds = static_cast<std::int64_t>(r.extra0); break;
        case Extra::None: break;
    }
    f.detail = std::move(d);
}

void fill_fd(const FileRecord& r, NameStore& names, PathRepairs& repairs, std::string& buf, OpenFile& f) {
    f.fd = static_cast<std::int32_t>(r.fd);
    f.assoc = Assoc::Fd;
    // fdinfo's "flags:" is f_flags with O_CLOEXEC added from the fd table.
    f.flags = r.f_flags | (r.cloexec ? static_cast<std::uint32_t>(O_CLOEXEC) : 0u);
    f.cloexec = r.cloexec;
    f.mode = mode_from_flags(f.flags);
    f.pos = r.pos;
    f.mnt_id = r.mnt_id;
    f.has_pos = true;
    f.inode = r.ino;
    f.dev = user_dev(r.s_dev);
    // Pipes and sockets, most fds on a busy machine: no name (name_of()
    // makes "pipe:[N]"), as the procfs backend reads them through fdinfo.
    if (r.s_magic == kPipefsMagic || r.s_magic == kSockfsMagic) {
        f.kind = r.s_magic == kPipefsMagic ? Kind::Pipe : Kind::Socket;
        fill_extra(r, f);  // a UNIX socket's queued fds
        return;
    }
    std::string_view text;
    const auto link = link_of(r, repairs, buf, text);
    f.kind = classify(link, r.i_mode);
    using T = procfs::LinkTarget::Type;
    if (link.type == T::Path) {
        std::string storage;
        const auto n = path_name(link.path, link.deleted, r.nlink, f.kind, storage);
        f.name = names.add(n.name);
        f.deleted = n.deleted;
    } else {
        f.name = names.add(text);
        if (f.inode == 0) f.inode = link.inode;
    }
    if (S_ISREG(r.i_mode)) f.size = r.size;
    if (S_ISCHR(r.i_mode) || S_ISBLK(r.i_mode)) {
        f.detail = std::make_unique<FdDetail>();
        f.detail->rdev = user_dev(r.rdev);
    }
    fill_extra(r, f);
}

void fill_map(const VmaRecord& v, NameStore& names, PathRepairs& repairs, OpenFile& f) {
    std::string buf;
    std::string_view path = v.path;
    if (v.path_kind == PathKind::DentryName)
        path = self_named_or_proc(v.s_magic, v.ino, v.path, v.tgid, map_link(v), repairs, buf);
    bool from_proc = false;
    if (v.path_kind == PathKind::Walk) path = resolve_walk(v.path, v.path_err, v.tgid, map_link(v), v.ino, repairs, buf, from_proc);
    // A joined walk has no " (deleted)" suffix (a name may end in one).
    const bool marked = v.path_kind == PathKind::Walk && !from_proc ? v.unlinked : procfs::text::strip_deleted(path);
    const bool sysv = path.starts_with("/SYSV");
    f.assoc = sysv ? Assoc::Shm : Assoc::Mem;
    f.kind = path.starts_with("/memfd:") ? Kind::Memfd : Kind::File;
    std::string storage;
    const auto n = path_name(path, marked, v.nlink, f.kind, storage);
    f.name = names.add(n.name);
    f.deleted = n.deleted;
    f.inode = v.ino;
    f.dev = user_dev(v.s_dev);
    const bool r = v.vm_flags & kVmRead, w = v.vm_flags & kVmWrite;
    f.mode = w ? (r ? Mode::ReadWrite : Mode::Write) : (r ? Mode::Read : Mode::None);
    f.range = std::make_unique<MapRange>();
    f.range->start = v.start;
    f.range->end = v.end;
    f.range->offset = v.pgoff * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    f.range->perms[0] = r ? 'r' : '-';
    f.range->perms[1] = w ? 'w' : '-';
    f.range->perms[2] = (v.vm_flags & kVmExec) ? 'x' : '-';
    f.range->perms[3] = (v.vm_flags & kVmMayShare) ? 's' : 'p';
    f.pos = f.range->offset;
}

// The lowest thread id of a process other than the leader, 0 if none.
pid_t lowest_thread(int pid_dir, pid_t pid) {
    int err = 0;
    sys::UniqueFd task = sys::open_dir(pid_dir, "task", err);
    std::vector<std::int32_t> tids;
    if (!task || sys::list_numeric(task.get(), tids) != 0) return 0;
    pid_t best = 0;
    for (auto t : tids)
        if (t != pid && (best == 0 || t < best)) best = t;
    return best;
}

// Everything the three iterators said, grouped by thread group.
struct Records {
    std::string file_bytes, vma_bytes;  // the records' paths point in here
    // File records are kept as offsets into file_bytes and decoded when
    // used: 8 bytes each instead of a decoded record (~130), for 10^5-10^6 fds.
    std::vector<std::size_t> files;
    FileRecord file(std::size_t i) const { return file_record_at(file_bytes, files[i]); }
    std::vector<VmaRecord> vmas;
    RunsByTgid file_runs, vma_runs;
    std::unordered_map<std::uint32_t, std::vector<TaskRecord>> tasks;
    // Walked paths that needed /proc (counted while attaching, in parallel).
    std::unique_ptr<PathRepairs> repairs = std::make_unique<PathRepairs>();

    const std::vector<Run>* file_runs_of(pid_t pid) const {
        auto it = file_runs.find(static_cast<std::uint32_t>(pid));
        return it == file_runs.end() ? nullptr : &it->second;
    }
    const std::vector<Run>* vma_runs_of(pid_t pid) const {
        auto it = vma_runs.find(static_cast<std::uint32_t>(pid));
        return it == vma_runs.end() ? nullptr : &it->second;
    }
    const std::vector<TaskRecord>* tasks_of(pid_t pid) const {
        auto it = tasks.find(static_cast<std::uint32_t>(pid));
        return it == tasks.end() ? nullptr : &it->second;
    }
};

struct Slot {
    Process proc;
    ReadResult result = ReadResult::Vanished;
    bool dead = false;       // zombie without threads
    pid_t first_thread = 0;  // leader exited: the thread procfs reads through
    std::vector<std::vector<std::uint64_t>> file_ids;  // per table, per fd: struct file identity
    std::vector<std::uint64_t> assoc_ids;  // per assoc: the mapping's struct file (0: cwd/rtd/exe)
};

// One fd table of a process: its files_struct identity, the task it is
// shown through (the leader when it uses it, else the lowest tid, as
// procfs picks) and the task whose task_file runs list its fds.
struct TableSpec {
    std::uint64_t files_id = 0;
    std::uint32_t tid = 0;
    std::uint32_t runs_tid = 0;  // 0: no fds were reported for it
};

std::vector<TableSpec> table_specs(pid_t pid, const std::vector<TaskRecord>* tasks, const std::vector<Run>* runs) {
    const auto leader = static_cast<std::uint32_t>(pid);
    std::vector<TableSpec> specs;
    auto add = [&](std::uint64_t files_id, std::uint32_t tid) -> TableSpec& {
        auto it = std::find_if(specs.begin(), specs.end(), [&](const TableSpec& t) { return t.files_id == files_id; });
        if (it == specs.end()) return specs.emplace_back(TableSpec{files_id, tid, 0});
        if (it->tid != leader && (tid == leader || tid < it->tid)) it->tid = tid;
        return *it;
    };
    // Every task's table, empty ones too (task_file never reports those).
    if (tasks)
        for (const TaskRecord& t : *tasks)
            if (t.files_id) add(t.files_id, t.tid);
    // A table met only by task_file: a thread that unshared between the two
    // reads. When threads share a table, task_file may walk it once per
    // thread (it skips only threads sharing the leader's table): keep the
    // runs of the first task seen.
    if (runs)
        for (const Run& r : *runs) {
            TableSpec& t = add(r.files_id, r.tid);
            if (!t.runs_tid) t.runs_tid = r.tid;
        }
    std::sort(specs.begin(), specs.end(), [&](const TableSpec& a, const TableSpec& b) {
        const bool la = a.tid == leader, lb = b.tid == leader;
        if (la != lb) return la;
        return a.tid < b.tid;
    });
    return specs;
}

// Fds of one table from its runs, ascending. `want` filters (endpoint
// search); null keeps all.
void fill_table(const TableSpec& spec, const std::vector<Run>* runs, const Records& rec,
                const std::function<bool(const FileRecord&)>& want, Process& p, FdTable& table,
                std::vector<std::uint64_t>& ids, std::string& buf) {
    if (!runs || !spec.runs_tid) return;
    for (const Run& r : *runs) {
        if (r.files_id != spec.files_id || r.tid != spec.runs_tid) continue;
        for (std::uint32_t i = r.begin; i < r.end; ++i) {
            const FileRecord fr = rec.file(i);
            if (want && !want(fr)) continue;
            OpenFile f;
            fill_fd(fr, p.names, *rec.repairs, buf, f);
            table.fds.push_back(std::move(f));
            ids.push_back(fr.file_id);
        }
    }
    // The iterator walks a table's fds in ascending order, so this holds
    // unless a task appeared in two runs; then keep each fd once.
    bool sorted = true;
    for (std::size_t i = 1; i < table.fds.size() && sorted; ++i) sorted = table.fds[i - 1].fd < table.fds[i].fd;
    if (sorted) return;
    std::vector<std::size_t> order(table.fds.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return table.fds[a].fd < table.fds[b].fd; });
    std::vector<OpenFile> fds;
    std::vector<std::uint64_t> ids2;
    std::int32_t last = -1;
    for (std::size_t i : order) {
        if (table.fds[i].fd == last) continue;
        last = table.fds[i].fd;
        fds.push_back(std::move(table.fds[i]));
        ids2.push_back(ids[i]);
    }
    table.fds = std::move(fds);
    ids = std::move(ids2);
}

// A table's fd count from the task iterator: the task that counted it (the
// others sharing it report 0).
// When no task counted it (kernels without bpf_loop), the number of its
// task_file records.
std::uint64_t open_fds_of(const TableSpec& spec, const std::vector<TaskRecord>* tasks, const std::vector<Run>* runs) {
    std::uint64_t n = 0;
    bool counted = false;
    if (tasks)
        for (const TaskRecord& t : *tasks)
            if (t.files_id == spec.files_id && t.counted) {
                n = std::max<std::uint64_t>(n, t.open_fds);
                counted = true;
            }
    if (counted || !runs) return n;
    for (const Run& r : *runs)
        if (r.files_id == spec.files_id && r.tid == spec.runs_tid) n += r.end - r.begin;
    return n;
}

// The kinds whose fdinfo carries per-kind lines (FdDetail) that the
// iterator does not read (eventfd, timerfd and signalfd it reads itself):
// a handful per process on a busy machine.
bool needs_fdinfo_detail(const OpenFile& f) {
    switch (f.kind) {
        case Kind::Eventfd:
        case Kind::Signalfd:
        case Kind::Timerfd: return !f.detail;  // the iterator could not tell (unexpected dentry name)
        case Kind::Epoll:
        case Kind::Inotify:
        case Kind::IoUring:
        case Kind::Pidfd: return true;
        default: return false;
    }
}

// Reads fdinfo for the fds that have per-kind details. The fd may have been
// closed and its number reused since the iterator ran: the detail is kept
// only when fdinfo's inode is the record's.
void read_details(int proc_dirfd, pid_t pid, Process& p, Scratch& s) {
    for (FdTable& t : p.tables) {
        std::string base = std::to_string(pid) + "/task/" + std::to_string(t.tid) + "/fdinfo/";
        for (OpenFile& f : t.fds) {
            if (!needs_fdinfo_detail(f)) continue;
            if (sys::read_file_at(proc_dirfd, (base + std::to_string(f.fd)).c_str(), s.text,
                                      sys::ReadMode::SingleRecord) != 0)
                continue;
            auto info = procfs::parse_fdinfo(s.text);
            if (!info || !info->has_detail || (info->has_ino && info->ino != f.inode)) continue;
            f.detail = std::make_unique<FdDetail>(std::move(info->detail));
        }
    }
}

// Everything per process that the iterators do not give, read from /proc as
// read_process reads it (but not fd/ nor fdinfo/ nor maps). Runs while the
// iterators are read: nothing here depends on the records.
ReadResult read_meta(int proc_dirfd, pid_t pid, const ReadOptions& opts, Slot& slot) {
    Process& p = slot.proc;
    Scratch scratch;
    p.pid = pid;
    ReadResult failed = ReadResult::Ok;
    sys::UniqueFd dir = open_process_dir(proc_dirfd, pid, failed);
    if (!dir) return failed;
    const int d = dir.get();
    bool plain_zombie = false;
    switch (read_process_head(d, pid, scratch, p, plain_zombie)) {
        case ReadResult::Ok: break;
        case ReadResult::Permission: return ReadResult::Permission;
        default: return ReadResult::Vanished;
    }
    if (opts.keep && !opts.keep(p)) return ReadResult::Filtered;
    if (plain_zombie) {
        slot.dead = true;  // a zombie: no tables, no associations (as procfs)
        return ReadResult::Ok;
    }
    // Fds and mappings come from the iterators, RLIMIT_NOFILE from the task
    // iterator; netns and cwd/root/exe from /proc, through the lowest live
    // thread when the leader exited (as procfs).
    if (p.leader_exited) slot.first_thread = lowest_thread(d, pid);
    ReadOptions tail = opts;
    tail.maps = false;
    const pid_t via = slot.first_thread ? slot.first_thread : pid;
    read_process_tail(d, pid, via, tail, scratch, p);
    // Mappings come from task_vma; their SysV ids need the IPC namespace.
    const std::string ipc = via == pid ? std::string("ns/ipc") : "task/" + std::to_string(via) + "/ns/ipc";
    if (opts.maps && sys::readlink_at(d, ipc.c_str(), scratch.link) == 0)
        p.ipcns = procfs::parse_link(scratch.link).inode;
    return ReadResult::Ok;
}

// RLIMIT_NOFILE from the leader's task record (signal_struct is shared by
// the thread group, any task would do).
void apply_limit(const std::vector<TaskRecord>* tasks, Process& p) {
    if (!tasks || tasks->empty()) return;
    const TaskRecord& t = tasks->front();
    constexpr std::uint64_t kInfinity = ~0ULL;  // RLIM_INFINITY
    p.nofile.soft = t.nofile_cur == kInfinity ? kUnlimited : t.nofile_cur;
    p.nofile.hard = t.nofile_max == kInfinity ? kUnlimited : t.nofile_max;
    p.nofile.known = true;
}

// As maps rows are kept: a file with an inode and a path (not a file that
// names itself "anon_inode:[io_uring]").
bool listed_in_maps(const VmaRecord& v) {
    if (v.ino == 0) return false;
    if (v.path_kind == PathKind::Walk) return true;  // a file with a path (maybe still to ask /proc for)
    if (v.path.empty()) return false;
    if (v.path_kind == PathKind::DPath) return v.path.front() == '/';
    std::string buf;
    if (v.path_kind != PathKind::DentryName) return true;
    self_named(v.s_magic, v.ino, v.path, buf);
    return buf.empty() || buf.starts_with('/');  // unknown: /proc's name, as maps lists it
}

void attach_mappings(const std::vector<Run>* vma_runs, const std::vector<VmaRecord>& vrecs, PathRepairs& repairs,
                     Process& p, std::vector<std::uint64_t>& ids) {
    // Every task of a process shares its mm, and the vma iterator may walk
    // it once per task it visits. Keep one task: the leader, else the
    // lowest tid.
    if (!vma_runs || vma_runs->empty()) return;
    const auto leader = static_cast<std::uint32_t>(p.pid);
    std::uint32_t tid = vma_runs->front().tid;
    for (const Run& r : *vma_runs)
        if (r.tid == leader || (tid != leader && r.tid < tid)) tid = r.tid;
    for (const Run& r : *vma_runs) {
        if (r.tid != tid) continue;
        for (std::uint32_t i = r.begin; i < r.end; ++i) {
            const VmaRecord& v = vrecs[i];
            if (!listed_in_maps(v)) continue;
            OpenFile f;
            fill_map(v, p.names, repairs, f);
            p.assocs.push_back(std::move(f));
            ids.resize(p.assocs.size());
            ids.back() = v.file_id;
        }
    }
}

// The fd tables of the slot's process from its records: counted only, or
// with the fds `want` keeps (all when empty); `skip_empty` drops tables
// left without fds (the endpoint search's partial processes).
void add_tables(const Records& rec, bool count_only, const std::function<bool(const FileRecord&)>& want,
                bool skip_empty, Slot& slot) {
    Process& p = slot.proc;
    const pid_t pid = p.pid;
    const auto* runs = rec.file_runs_of(pid);
    const auto* tasks = rec.tasks_of(pid);
    std::string buf;
    for (const TableSpec& spec : table_specs(pid, tasks, runs)) {
        FdTable table;
        table.tid = static_cast<pid_t>(spec.tid);
        table.leader = table.tid == pid;
        std::vector<std::uint64_t> ids;
        if (count_only) table.counted = open_fds_of(spec, tasks, runs);
        else fill_table(spec, runs, rec, want, p, table, ids, buf);
        if (skip_empty && table.fds.empty()) continue;
        p.tables.push_back(std::move(table));
        slot.file_ids.push_back(std::move(ids));
    }
}

// The fd tables and mem/shm rows of one process from its records.
void attach_records(const Records& rec, const ReadOptions& opts, int proc_dirfd, Slot& slot) {
    Process& p = slot.proc;
    const pid_t pid = p.pid;
    if (slot.result != ReadResult::Ok && slot.result != ReadResult::Permission) return;
    apply_limit(rec.tasks_of(pid), p);
    if (slot.result != ReadResult::Ok || slot.dead) return;
    add_tables(rec, opts.count_only, {}, false, slot);
    // A process that started after the task iterator ran (it is in the pid
    // list, read before): its leader still has a table, as procfs shows.
    if (!p.leader_exited && (p.tables.empty() || !p.tables.front().leader)) {
        FdTable t;
        t.tid = pid;
        p.tables.insert(p.tables.begin(), std::move(t));
        slot.file_ids.emplace(slot.file_ids.begin());  // (insert(begin, {}) would insert nothing)
    }
    if (p.leader_exited && p.tables.empty() && slot.first_thread) {
        FdTable t;
        t.tid = slot.first_thread;
        t.leader = false;
        p.tables.push_back(std::move(t));
        slot.file_ids.emplace_back();
    }
    if (opts.fdinfo && opts.details && !opts.count_only) {
        Scratch s;
        read_details(proc_dirfd, pid, p, s);
    }
    if (opts.maps && !opts.count_only) attach_mappings(rec.vma_runs_of(pid), rec.vmas, *rec.repairs, p, slot.assoc_ids);
}

// Endpoint search (ScanOptions::endpoints with -p or a filter), as
// search_endpoints does through /proc but from the records already
// read: the fds of other processes that are the other end of a selected
// pipe, FIFO, UNIX socket, or the same socket or eventfd.
void search_endpoints(const Records& rec, const ReadOptions& opts, int proc_dirfd,
                      const std::unordered_map<std::uint64_t, SocketInfo>& sockets, const std::vector<Slot>& selected,
                      std::vector<Slot>& found) {
    FdFilter filter;
    for (const Slot& s : selected) add_endpoints_of(s.proc, sockets, filter);
    // Eventfds: one struct file per eventfd context, so the same file is
    // the same eventfd id (no fdinfo needed to match).
    std::unordered_set<std::uint64_t> eventfds;
    std::unordered_set<std::uint32_t> taken;
    for (const Slot& s : selected) {
        taken.insert(static_cast<std::uint32_t>(s.proc.pid));
        for (std::size_t t = 0; t < s.proc.tables.size() && t < s.file_ids.size(); ++t)
            for (std::size_t i = 0; i < s.proc.tables[t].fds.size(); ++i)
                if (s.proc.tables[t].fds[i].kind == Kind::Eventfd) eventfds.insert(s.file_ids[t][i]);
    }
    if (filter.inodes.empty() && filter.fifos.empty() && eventfds.empty()) return;
    auto want = [&](const FileRecord& r) {
        if (r.s_magic == kPipefsMagic || r.s_magic == kSockfsMagic) return filter.inodes.count(r.ino) != 0;
        if (S_ISFIFO(r.i_mode)) return filter.fifos.count({user_dev(r.s_dev), r.ino}) != 0;
        if (r.s_magic != kAnonInodeMagic) return false;
        // An eventfd of a selected process read through /proc has no file
        // identity, only its eventfd id.
        return eventfds.count(r.file_id) != 0 ||
               (r.extra == Extra::Eventfd && filter.eventfd_ids.count(static_cast<std::int64_t>(r.extra1)) != 0);
    };
    std::vector<pid_t> candidates;
    for (const auto& [tgid, runs] : rec.file_runs) {
        if (taken.count(tgid)) continue;
        bool any = false;
        for (const Run& r : runs)
            for (std::uint32_t i = r.begin; i < r.end && !any; ++i) any = want(rec.file(i));
        if (any) candidates.push_back(static_cast<pid_t>(tgid));
    }
    std::sort(candidates.begin(), candidates.end());
    ReadOptions meta;
    meta.assocs = meta.maps = false;
    for (pid_t pid : candidates) {
        Slot slot;
        if (read_meta(proc_dirfd, pid, meta, slot) != ReadResult::Ok || slot.dead) continue;
        Process& p = slot.proc;
        p.partial = true;
        apply_limit(rec.tasks_of(pid), p);
        add_tables(rec, false, want, true, slot);
        if (p.tables.empty()) continue;
        if (opts.fdinfo && opts.details) {
            Scratch s;
            read_details(proc_dirfd, pid, p, s);
        }
        slot.result = ReadResult::Ok;
        found.push_back(std::move(slot));
    }
}

// Processes the iterators never visited although /proc lists them: some
// kernels' security policies hide tasks from BPF iterators (here: pid 1 of
// a sandbox). They are read through /proc like the procfs backend does;
// without a struct file identity their fds get no description id.
void read_hidden(const Records& rec, const ScanOptions& opts, int proc_dirfd, Snapshot& snap,
                 std::vector<Slot>& slots) {
    std::vector<Slot*> hidden;
    for (Slot& s : slots)
        if ((s.result == ReadResult::Ok || s.result == ReadResult::Permission) && !s.dead && !rec.tasks_of(s.proc.pid))
            hidden.push_back(&s);
    if (hidden.empty()) return;
    const PseudoMounts pm = learn_pseudo_mounts();
    const auto no_stat = blocking_mounts(snap.mounts);
    ReadOptions read = opts.read;
    read.keep = nullptr;  // already applied
    if (!no_stat.empty()) read.no_stat = &no_stat;
    Scratch scratch;
    FdSkips skips;
    std::size_t still_there = 0;
    for (Slot* s : hidden) {
        Process p;
        const auto r = read_process(proc_dirfd, s->proc.pid, read, pm, scratch, p, skips);
        if (r == ReadResult::Vanished) {
            s->result = ReadResult::Vanished;
            continue;
        }
        ++still_there;
        s->result = r == ReadResult::Permission ? ReadResult::Permission : ReadResult::Ok;
        s->proc = std::move(p);
        s->file_ids.clear();  // no identity: description ids stay unknown
        s->assoc_ids.clear();
    }
    add_fd_skips(snap, {skips});
    if (still_there)
        snap.notes.push_back("bpf: " + std::to_string(still_there) +
                             (still_there == 1 ? " process was" : " processes were") +
                             " not visible to the BPF iterators (hidden by kernel policy); read through /proc, " +
                             (still_there == 1 ? "its" : "their") + " fds have no description id");
}

// A few processes (-p without an endpoint search): the kernel walks only
// them. Beyond this many, one walk of the machine is cheaper.
constexpr std::size_t kPerProcessWalks = 64;

bool read_records(Iterators& it, const ScanOptions& opts, const std::vector<pid_t>* only,
                  const std::function<bool(std::uint32_t)>& keep, Records& rec, Snapshot& snap, std::string& why,
                  PhaseTimer& timer) {
    std::string tbytes;
    std::string& fbytes = rec.file_bytes;
    std::string& vbytes = rec.vma_bytes;
    // One iterator over the machine, or over each of `only` (our own
    // process's tasks too, for the pid namespace check below).
    bool refused = false;
    auto read = [&](Iter which, std::string& out) {
        if (!only) return it.read(which, out, why);
        for (pid_t pid : *only)
            if (!it.read_process(which, pid, out, why)) {
                refused = true;
                return false;
            }
        if (which == Iter::Task && !std::count(only->begin(), only->end(), ::getpid()))
            if (!it.read_process(which, ::getpid(), out, why)) {
                refused = true;
                return false;
            }
        return true;
    };
    ParseResult tres;
    bool foreign_pids = false;
    auto read_all = [&]() {
        // Tasks first: a table that appears in between is still met in task_file.
        if (!read(Iter::Task, tbytes)) return false;
        timer.mark("bpf task");
        // One pass over the task records: the kept tasks, whether the kernel
        // counted the tables' fds, their total (one count per table: threads
        // sharing one may each report it), and the pid namespace check.
        bool counted = false;
        std::unordered_map<std::uint64_t, std::uint32_t> per_table;
        rec.tasks.clear();
        tres = parse_records(tbytes, {{}, {}, [&](const TaskRecord& t) {
                                 if (t.self && t.tid != static_cast<std::uint32_t>(::gettid())) foreign_pids = true;
                                 counted = counted || t.counted;
                                 auto& n = per_table[t.files_id];
                                 n = std::max(n, t.open_fds);
                                 if (keep(t.tgid)) rec.tasks[t.tgid].push_back(t);
                             }});
        // The iterators write the initial pid namespace's numbers; in a
        // child pid namespace they would not match /proc's.
        if (foreign_pids) return false;
        // Counting needs only the task iterator, unless the kernel could not
        // count (no bpf_loop before 5.17).
        if (!opts.read.count_only || !counted) {
            // Size the buffer once instead of growing (and copying) it while
            // the records arrive.
            std::uint64_t fds = 0;
            for (const auto& [files, n] : per_table) fds += n;
            constexpr std::uint64_t kMaxReserve = 1ULL << 30;  // a hint, never a demand
            // ~112 bytes of record and header plus the path: 160 a record is generous.
            fbytes.reserve(static_cast<std::size_t>(std::min(fds * 160 + (1 << 20), kMaxReserve)));
            if (!read(Iter::TaskFile, fbytes)) return false;
            timer.mark("bpf task_file");
        }
        if (opts.read.maps && !opts.read.count_only) {
            if (!read(Iter::TaskVma, vbytes)) return false;
            timer.mark("bpf task_vma");
        }
        return true;
    };
    auto foreign = [&] {
        why = "fdscope runs in a child pid namespace, where the BPF iterators' process ids differ from /proc's";
        return false;
    };
    if (!read_all()) {
        if (foreign_pids) return foreign();
        if (!refused) return false;
        // A kernel without per-process task iterators (< 6.1): walk the machine.
        only = nullptr;
        tbytes.clear();
        fbytes.clear();
        vbytes.clear();
        why.clear();
        if (!read_all()) return foreign_pids ? foreign() : false;
    }
    RunCursor fcur, vcur;
    rec.files.reserve(fbytes.size() / 110);
    auto fres = parse_records(fbytes, {[&](const FileRecord& r) {
                                           if (keep(r.tgid)) add_to_runs(rec.files, rec.file_runs, fcur, r, r.files_id, r.offset);
                                       },
                                       {}, {}});
    auto vres = parse_records(vbytes, {{}, [&](const VmaRecord& r) {
                                           if (keep(r.tgid)) add_to_runs(rec.vmas, rec.vma_runs, vcur, r, 0, r);
                                       },
                                       {}});
    if (tres.status != ParseStatus::Ok || fres.status != ParseStatus::Ok || vres.status != ParseStatus::Ok)
        snap.notes.emplace_back("bpf: the iterator output ended inside a record or held a malformed one; the rest was ignored");
    timer.mark("bpf parse");
    return true;
}

}  // namespace

bool bpf_built() { return true; }

LoadOptions load_options_for(const ScanOptions& opts) {
    LoadOptions lo;
    lo.paths = !opts.read.count_only;  // counting needs no names
    return lo;
}

bool scan_bpf(const ScanOptions& opts, Snapshot& out, std::string& why) {
    std::string notes;
    LoadOptions lo = load_options_for(opts);
    // Forced fallbacks, for tests of every path through the programs.
    if (const char* refuse = std::getenv("FDSCOPE_BPF_REFUSE"); refuse && !bpf::parse_refusals(refuse, lo, why)) return false;
    auto it = Iterators::load(why, notes, lo);
    if (!it) return false;
    // The load's notes (bpf_d_path refused in one program) change how paths
    // are read, not what they are: nothing to tell a user.
    return scan_bpf(*it, opts, out, why);
}

bool scan_bpf(Iterators& it, const ScanOptions& opts, Snapshot& out, std::string& why) {
    PhaseTimer timer;
    Snapshot snap;
    snap.backend = "bpf";
    snap.ids_exact = true;
    ScanFrame frame = begin_scan(opts, snap);
    const std::vector<pid_t>& list = frame.pids;
    const bool search = opts.endpoints && (opts.pids || opts.read.keep) && !opts.read.count_only;
    std::unordered_set<std::uint32_t> wanted;
    if (opts.pids) wanted.insert(list.begin(), list.end());
    // With an endpoint search every process's records may matter.
    auto keep = [&](std::uint32_t tgid) { return search || !opts.pids || wanted.count(tgid) != 0; };

    const int proc = frame.proc.get();
    std::vector<Slot> slots(list.size());
    // /proc and the socket tables (sock_diag) are read on other threads while
    // this one reads the iterators: neither needs the other.
    Snapshot socks;
    std::jthread side([&] {  // jthread: joined on every way out, exceptions included
        sys::parallel_for(list.size(), opts.threads, [&](std::size_t i, unsigned) {
            slots[i].result = read_meta(proc, list[i], opts.read, slots[i]);
        });
        if (!opts.sockets) return;
        for (const Slot& s : slots)
            if ((s.result == ReadResult::Ok || s.result == ReadResult::Permission) && s.proc.netns) {
                Process q;
                q.pid = s.proc.pid;
                q.netns = s.proc.netns;
                socks.processes.push_back(std::move(q));
            }
        read_socket_tables(socks);
    });

    Records rec;
    const bool per_process = opts.pids && !search && list.size() <= kPerProcessWalks;
    const bool read_ok = read_records(it, opts, per_process ? &list : nullptr, keep, rec, snap, why, timer);
    side.join();
    timer.mark("proc + sockets (overlapped)");
    if (!read_ok) return false;

    sys::parallel_for(list.size(), opts.threads,
                          [&](std::size_t i, unsigned) { attach_records(rec, opts.read, proc, slots[i]); });
    read_hidden(rec, opts, proc, snap, slots);
    timer.mark("attach");

    std::vector<Slot> kept;
    kept.reserve(slots.size());
    for (Slot& s : slots) {
        if (keep_process(s.result, snap)) kept.push_back(std::move(s));
    }
    slots.clear();
    snap.sockets = std::move(socks.sockets);
    for (auto& n : socks.notes) snap.notes.push_back(std::move(n));
    if (search) {
        std::vector<Slot> found;
        search_endpoints(rec, opts.read, proc, snap.sockets, kept, found);
        for (Slot& s : found) kept.push_back(std::move(s));
        std::sort(kept.begin(), kept.end(), [](const Slot& a, const Slot& b) { return a.proc.pid < b.proc.pid; });
        timer.mark("endpoints");
    }

    if (const std::size_t n = rec.repairs->partial)
        snap.notes.push_back("bpf: " + std::to_string(n) + (n == 1 ? " path is" : " paths are") +
                             " partial (deeper or longer than the dentry walk reads, and /proc could not say): "
                             "shown from their last components after \u2026");
    rec = Records{};  // the records and their bytes are done with: free them before the id map grows
    // Description ids: dense, in order of first appearance by (pid, table,
    // fd), as the procfs identity numbers them. The kernel pointers stay in
    // this map and die with it.
    std::unordered_map<std::uint64_t, std::uint32_t> ids;
    std::size_t fd_count = 0;
    for (const Slot& s : kept)
        for (const auto& t : s.file_ids) fd_count += t.size();
    ids.reserve(fd_count);
    snap.processes.reserve(kept.size());
    for (Slot& s : kept) {
        for (std::size_t t = 0; t < s.proc.tables.size() && t < s.file_ids.size(); ++t) {
            auto& fds = s.proc.tables[t].fds;
            for (std::size_t i = 0; i < fds.size(); ++i) {
                auto [e, fresh] = ids.try_emplace(s.file_ids[t][i], static_cast<std::uint32_t>(ids.size()));
                fds[i].description = e->second;
            }
        }
        // A mapping's struct file: the same id as an fd holding that file
        // (mmap of an open fd), or an id no fd has (a handle only the
        // mapping keeps, e.g. mmap then close).
        for (std::size_t a = 0; a < s.proc.assocs.size() && a < s.assoc_ids.size(); ++a)
            if (s.assoc_ids[a]) {
                auto [e, fresh] = ids.try_emplace(s.assoc_ids[a], static_cast<std::uint32_t>(ids.size()));
                s.proc.assocs[a].description = e->second;
            }
        snap.processes.push_back(std::move(s.proc));
    }
    snap.description_count = static_cast<std::uint32_t>(ids.size());
    timer.mark("processes");
    if (opts.sockets) apply_socket_kinds(snap);
    timer.mark("socket kinds");
    out = std::move(snap);
    return true;
}

}  // namespace fdscope::collect
