#include "bpf/collect.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <sys/resource.h>
#include <thread>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>
#include <unordered_set>

#include "bpf/loader.hpp"
#include "collect/classify.hpp"
#include "collect/phase_timer.hpp"
#include "collect/proc_io.hpp"
#include "collect/scan.hpp"
#include "collect/sockets.hpp"
#include "procfs/parse_limits.hpp"
#include "procfs/parse_link.hpp"
#include "procfs/parse_mountinfo.hpp"
#include "collect/read_process.hpp"
#include "procfs/parse_sysvipc_shm.hpp"
#include "procfs/text.hpp"

namespace fdscope::bpf {
namespace {

using collect::NumName;
using collect::ReadMode;
using collect::UniqueFd;

constexpr std::uint64_t kPipefsMagic = 0x50495045;
constexpr std::uint64_t kSockfsMagic = 0x534F434B;
constexpr std::uint64_t kAnonInodeMagic = 0x09041934;
constexpr std::uint64_t kPidfsMagic = 0x50494446;

// vm_flags bits (include/linux/mm.h): stable ABI-ish since forever.
constexpr std::uint64_t kVmRead = 0x1, kVmWrite = 0x2, kVmExec = 0x4, kVmMayShare = 0x80;

bool gone(int err) { return err == ENOENT || err == ESRCH; }

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

template <class Rec>
void add_to_runs(std::vector<Rec>& recs, RunsByTgid& runs, RunCursor& cur, const Rec& r, std::uint64_t files_id) {
    if (!cur.runs || cur.tgid != r.tgid) cur = {r.tgid, &runs[r.tgid]};  // unordered_map values never move
    auto& v = *cur.runs;
    const auto idx = static_cast<std::uint32_t>(recs.size());
    if (v.empty() || v.back().tid != r.tid || v.back().end != idx || v.back().files_id != files_id)
        v.push_back(Run{r.tid, files_id, idx, idx});
    recs.push_back(r);
    v.back().end = idx + 1;
}

// What readlink would have said. Pipes and sockets carry no path (their
// name follows from the inode); without bpf_d_path, anon inodes get their
// "anon_inode:" prefix back and other files keep their dentry name, typed
// as a path so that the kind still comes from i_mode.
procfs::LinkTarget link_of(const FileRecord& r, std::string& buf, std::string_view& text) {
    text = r.path;
    if (r.path_kind != PathKind::DPath) {
        if (r.s_magic == kPipefsMagic) buf = "pipe:[" + std::to_string(r.ino) + "]";
        else if (r.s_magic == kSockfsMagic) buf = "socket:[" + std::to_string(r.ino) + "]";
        else if (r.s_magic == kAnonInodeMagic) buf = "anon_inode:" + std::string(r.path);
        else if (r.s_magic == kPidfsMagic) buf = "anon_inode:[pidfd]";
        else {
            procfs::LinkTarget t;
            t.type = procfs::LinkTarget::Type::Path;
            t.path = r.path;
            return t;
        }
        text = buf;
    }
    return procfs::parse_link(text);
}

void fill_fd(const FileRecord& r, NameStore& names, std::string& buf, OpenFile& f) {
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
    std::string_view text;
    const auto link = link_of(r, buf, text);
    f.kind = collect::classify(link, r.i_mode);
    if (r.path_kind == PathKind::DentryName && link.path.starts_with("memfd:")) f.kind = Kind::Memfd;
    using T = procfs::LinkTarget::Type;
    if (link.type == T::Socket || link.type == T::Pipe) {
        // As the procfs backend reads them through fdinfo: no name, name_of() makes it.
    } else if (link.type == T::Path) {
        f.name = names.add(link.path);
        f.deleted = collect::really_deleted(link.path, link.deleted, f.kind);
    } else {
        f.name = names.add(text);
        if (f.inode == 0) f.inode = link.inode;
    }
    if (S_ISREG(r.i_mode)) f.size = r.size;
    if (S_ISCHR(r.i_mode) || S_ISBLK(r.i_mode)) {
        f.detail = std::make_unique<FdDetail>();
        f.detail->rdev = user_dev(r.rdev);
    }
}

void fill_map(const VmaRecord& v, NameStore& names, OpenFile& f) {
    std::string_view path = v.path;
    const bool marked = procfs::text::strip_deleted(path);
    // Without bpf_d_path the name is the dentry's own: no leading '/'.
    const bool dname = v.path_kind != PathKind::DPath;
    const bool sysv = path.starts_with("/SYSV") || (dname && path.starts_with("SYSV"));
    f.assoc = sysv ? Assoc::Shm : Assoc::Mem;
    f.kind = path.starts_with("/memfd:") || (dname && path.starts_with("memfd:")) ? Kind::Memfd : Kind::File;
    f.name = names.add(path);
    f.deleted = collect::really_deleted(path, marked, f.kind);
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
    UniqueFd task = collect::open_dir(pid_dir, "task", err);
    std::vector<std::int32_t> tids;
    if (!task || collect::list_numeric(task.get(), tids) != 0) return 0;
    pid_t best = 0;
    for (auto t : tids)
        if (t != pid && (best == 0 || t < best)) best = t;
    return best;
}

enum class Meta { Ok, Vanished, Permission };

struct Slot {
    Process proc;
    Meta result = Meta::Vanished;
    bool dead = false;       // zombie without threads
    pid_t first_thread = 0;  // leader exited: the thread procfs reads through
    std::vector<std::vector<std::uint64_t>> file_ids;  // per table, per fd: struct file identity
};

// The tables of one tgid from its task_file runs. Threads sharing a table
// are one table: the leader when it visited it, else the lowest tid.
void build_tables(pid_t pid, const std::vector<Run>* runs, const std::vector<FileRecord>& recs, Slot& slot,
                  std::string& buf) {
    Process& p = slot.proc;
    if (runs) {
        struct Table {
            std::uint64_t files_id;
            std::uint32_t tid;
        };
        std::vector<Table> tables;
        for (const Run& r : *runs) {
            auto it = std::find_if(tables.begin(), tables.end(), [&](const Table& t) { return t.files_id == r.files_id; });
            if (it == tables.end()) tables.push_back({r.files_id, r.tid});
            else if (it->tid != static_cast<std::uint32_t>(pid) &&
                     (r.tid == static_cast<std::uint32_t>(pid) || r.tid < it->tid))
                it->tid = r.tid;
        }
        std::sort(tables.begin(), tables.end(), [&](const Table& a, const Table& b) {
            const bool la = a.tid == static_cast<std::uint32_t>(pid), lb = b.tid == static_cast<std::uint32_t>(pid);
            if (la != lb) return la;
            return a.tid < b.tid;
        });
        for (const Table& t : tables) {
            FdTable table;
            table.tid = static_cast<pid_t>(t.tid);
            table.leader = table.tid == pid;
            std::vector<std::uint64_t> ids;
            for (const Run& r : *runs) {
                if (r.files_id != t.files_id || r.tid != t.tid) continue;
                for (std::uint32_t i = r.begin; i < r.end; ++i) {
                    OpenFile f;
                    fill_fd(recs[i], p.names, buf, f);
                    table.fds.push_back(std::move(f));
                    ids.push_back(recs[i].file_id);
                }
            }
            // The iterator walks fds in ascending order; a task seen in two
            // runs (it cannot, but be sure) would need a sort.
            bool sorted = true;
            for (std::size_t i = 1; i < table.fds.size() && sorted; ++i) sorted = table.fds[i - 1].fd < table.fds[i].fd;
            if (!sorted) {
                std::vector<std::size_t> order(table.fds.size());
                for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
                std::stable_sort(order.begin(), order.end(),
                                 [&](std::size_t a, std::size_t b) { return table.fds[a].fd < table.fds[b].fd; });
                std::vector<OpenFile> fds;
                std::vector<std::uint64_t> ids2;
                std::int32_t last = -1;
                for (std::size_t i : order) {
                    if (table.fds[i].fd == last) continue;  // duplicate visit
                    last = table.fds[i].fd;
                    fds.push_back(std::move(table.fds[i]));
                    ids2.push_back(ids[i]);
                }
                table.fds = std::move(fds);
                ids = std::move(ids2);
            }
            p.tables.push_back(std::move(table));
            slot.file_ids.push_back(std::move(ids));
        }
    }
}

// Everything per process that the iterators do not give, read from /proc as
// read_process reads it (but not fd/ nor fdinfo/ nor maps). Runs while the
// iterators are read: nothing here depends on the records.
Meta read_meta(int proc_dirfd, pid_t pid, Slot& slot) {
    Process& p = slot.proc;
    collect::Scratch scratch;
    int err = 0;
    p.pid = pid;
    UniqueFd dir = collect::open_dir(proc_dirfd, NumName(pid).text, err);
    if (!dir) return gone(err) ? Meta::Vanished : Meta::Permission;
    const int d = dir.get();
    bool plain_zombie = false;
    switch (collect::read_process_head(d, pid, scratch, p, plain_zombie)) {
        case collect::ReadResult::Ok: break;
        case collect::ReadResult::Permission: return Meta::Permission;
        default: return Meta::Vanished;
    }
    if (plain_zombie) {
        slot.dead = true;  // a zombie: no tables, no associations (as procfs)
        return Meta::Ok;
    }
    collect::read_nofile_limit(d, pid, scratch, p);
    // Fds and mappings come from the iterators; netns and cwd/root/exe from
    // /proc, through the lowest live thread when the leader exited (as procfs).
    if (p.leader_exited) slot.first_thread = lowest_thread(d, pid);
    collect::ReadOptions tail;
    tail.maps = false;
    collect::read_process_tail(d, pid, slot.first_thread ? slot.first_thread : pid, tail, scratch, p);
    return Meta::Ok;
}

// The fd tables and mem/shm rows of one process from its records.
void attach_records(const std::vector<Run>* file_runs, const std::vector<FileRecord>& frecs,
                    const std::vector<Run>* vma_runs, const std::vector<VmaRecord>& vrecs, Slot& slot) {
    Process& p = slot.proc;
    const pid_t pid = p.pid;
    if (slot.result != Meta::Ok || slot.dead) return;
    std::string buf;
    build_tables(pid, file_runs, frecs, slot, buf);
    if (!p.leader_exited && (p.tables.empty() || !p.tables.front().leader)) {
        // The leader's table has no fds (the iterator only reports fds).
        FdTable t;
        t.tid = pid;
        t.leader = true;
        p.tables.insert(p.tables.begin(), std::move(t));
        slot.file_ids.insert(slot.file_ids.begin(), {});
    }
    if (p.leader_exited && p.tables.empty() && slot.first_thread) {
        FdTable t;
        t.tid = slot.first_thread;
        t.leader = false;
        p.tables.push_back(std::move(t));
        slot.file_ids.emplace_back();
    }
    // Mappings: every task of a process shares its mm, and the vma iterator
    // may walk it once per task it visits. Keep one task: the leader, else
    // the lowest tid.
    if (vma_runs && !vma_runs->empty()) {
        std::uint32_t tid = vma_runs->front().tid;
        for (const Run& r : *vma_runs)
            if (r.tid == static_cast<std::uint32_t>(pid) || (tid != static_cast<std::uint32_t>(pid) && r.tid < tid))
                tid = r.tid;
        for (const Run& r : *vma_runs) {
            if (r.tid != tid) continue;
            for (std::uint32_t i = r.begin; i < r.end; ++i) {
                const VmaRecord& v = vrecs[i];
                // As maps rows are kept: a file with an inode and a path.
                if (v.ino == 0 || v.path.empty() || (v.path_kind == PathKind::DPath && v.path.front() != '/')) continue;
                OpenFile f;
                fill_map(v, p.names, f);
                p.assocs.push_back(std::move(f));
            }
        }
    }
}

void read_tables(Snapshot& snap) {
    std::string text;
    if (collect::read_file_at(AT_FDCWD, "/proc/self/mountinfo", text, ReadMode::Stream) == 0)
        snap.mounts = procfs::parse_mountinfo(text);
    if (collect::read_file_at(AT_FDCWD, "/proc/sysvipc/shm", text, ReadMode::Stream) == 0)
        snap.shm = procfs::parse_sysvipc_shm(text);
}

}  // namespace

bool scan_bpf(Snapshot& out, std::string& why, const std::optional<std::vector<pid_t>>& pids) {
    std::string notes;
    auto it = Iterators::load(why, notes);
    if (!it) return false;
    if (!scan_bpf(*it, out, why, pids)) return false;
    if (!notes.empty()) out.notes.push_back("bpf: " + notes);
    return true;
}

bool scan_bpf(Iterators& it, Snapshot& out, std::string& why, const std::optional<std::vector<pid_t>>& pids) {
    collect::PhaseTimer timer;
    Snapshot snap;
    snap.backend = "bpf";
    snap.ids_exact = true;
    snap.time = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    collect::read_kernel_counters(snap);
    read_tables(snap);

    std::vector<pid_t> list = pids ? collect::thread_groups(*pids) : collect::list_pids();
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
    std::unordered_set<std::uint32_t> wanted;
    if (pids) wanted.insert(list.begin(), list.end());
    auto keep = [&](std::uint32_t tgid) { return !pids || wanted.count(tgid) != 0; };

    int err = 0;
    UniqueFd proc = collect::open_dir(AT_FDCWD, "/proc", err);
    std::vector<Slot> slots(list.size());
    // /proc and the socket tables (sock_diag) are read on other threads while
    // this one reads the iterators: neither needs the other.
    Snapshot socks;
    std::thread side([&] {
        collect::parallel_for(list.size(), 0, [&](std::size_t i, unsigned) {
            slots[i].result = read_meta(proc.get(), list[i], slots[i]);
        });
        for (const Slot& s : slots)
            if (s.result != Meta::Vanished && s.proc.netns) {
                Process q;
                q.pid = s.proc.pid;
                q.netns = s.proc.netns;
                socks.processes.push_back(std::move(q));
            }
        collect::read_socket_tables(socks);
    });

    std::string fbytes, vbytes;
    bool read_ok = it.read(Iter::TaskFile, fbytes, why);
    timer.mark("bpf task_file");
    read_ok = read_ok && it.read(Iter::TaskVma, vbytes, why);
    timer.mark("bpf task_vma");
    if (!read_ok) {
        side.join();
        return false;
    }

    std::vector<FileRecord> frecs;
    std::vector<VmaRecord> vrecs;
    RunsByTgid file_runs, vma_runs;
    RunCursor fcur, vcur;
    frecs.reserve(fbytes.size() / 128);
    auto fres = parse_records(fbytes, {[&](const FileRecord& r) {
                                           if (keep(r.tgid)) add_to_runs(frecs, file_runs, fcur, r, r.files_id);
                                       },
                                       {}});
    auto vres = parse_records(vbytes, {{}, [&](const VmaRecord& r) {
                                           if (keep(r.tgid)) add_to_runs(vrecs, vma_runs, vcur, r, 0);
                                       }});
    if (fres.status != ParseStatus::Ok || vres.status != ParseStatus::Ok)
        snap.notes.emplace_back("bpf: the iterator output ended inside a record or held a malformed one; the rest was ignored");
    if (!it.d_path())
        snap.notes.emplace_back("bpf: paths are dentry names only (the kernel refused bpf_d_path)");
    timer.mark("bpf parse");
    side.join();
    timer.mark("proc + sockets (overlapped)");

    collect::parallel_for(list.size(), 0, [&](std::size_t i, unsigned) {
        auto fr = file_runs.find(static_cast<std::uint32_t>(list[i]));
        auto vr = vma_runs.find(static_cast<std::uint32_t>(list[i]));
        attach_records(fr == file_runs.end() ? nullptr : &fr->second, frecs,
                       vr == vma_runs.end() ? nullptr : &vr->second, vrecs, slots[i]);
    });

    // Description ids: dense, in order of first appearance by (pid, table,
    // fd), as the procfs identity numbers them. The kernel pointers stay in
    // this map and die with it.
    std::unordered_map<std::uint64_t, std::uint32_t> ids;
    ids.reserve(frecs.size());
    snap.processes.reserve(slots.size());
    for (Slot& s : slots) {
        switch (s.result) {
            case Meta::Vanished: ++snap.skipped_processes.vanished; continue;
            case Meta::Permission: ++snap.skipped_processes.permission; break;  // kept, as procfs does
            case Meta::Ok: break;
        }
        for (std::size_t t = 0; t < s.proc.tables.size(); ++t) {
            auto& fds = s.proc.tables[t].fds;
            for (std::size_t i = 0; i < fds.size(); ++i) {
                auto [e, fresh] = ids.try_emplace(s.file_ids[t][i], static_cast<std::uint32_t>(ids.size()));
                fds[i].description = e->second;
            }
        }
        snap.processes.push_back(std::move(s.proc));
    }
    snap.description_count = static_cast<std::uint32_t>(ids.size());
    ids.clear();
    slots.clear();
    timer.mark("processes");

    snap.sockets = std::move(socks.sockets);
    for (auto& n : socks.notes) snap.notes.push_back(std::move(n));
    collect::apply_socket_kinds(snap);
    timer.mark("socket kinds");
    out = std::move(snap);
    return true;
}

}  // namespace fdscope::bpf
