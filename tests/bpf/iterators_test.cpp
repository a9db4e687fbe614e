// The iterators against fds this test process opens itself. Needs root
// (or CAP_BPF + CAP_PERFMON) and kernel BTF; skipped otherwise.
#include <dirent.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <cstring>
#include <gtest/gtest.h>

#include "bpf/btf_fingerprint.hpp"
#include "bpf/iter/iterators.hpp"
#include "bpf/libbpf_log.hpp"

namespace fdscope::bpf {
namespace {

constexpr std::uint64_t kPipefsMagic = 0x50495045;
constexpr std::uint64_t kSockfsMagic = 0x534F434B;
constexpr std::uint64_t kAnonInodeMagic = 0x09041934;
constexpr std::uint32_t kFmodeRead = 0x1, kFmodeWrite = 0x2;

struct Rec {
    FileRecord r;
    std::string path;
};

std::set<int> list_own_fds() {
    std::set<int> fds;
    DIR* d = ::opendir("/proc/self/fd");
    if (!d) return fds;
    int self = ::dirfd(d);
    while (dirent* e = ::readdir(d))
        if (e->d_name[0] != '.' && std::atoi(e->d_name) != self) fds.insert(std::atoi(e->d_name));
    ::closedir(d);
    return fds;
}

std::string temp_file(const char* tag, std::size_t size, int flags, int& fd) {
    std::string path = std::string("/tmp/fdscope-bpf-") + tag + "-XXXXXX";
    fd = ::mkostemp(path.data(), flags);
    if (fd < 0) return {};
    std::string data(size, 'x');
    if (::write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size())) return {};
    return path;
}

class IteratorsTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "BPF iterators need root (or CAP_BPF and CAP_PERFMON)";
        std::string why, notes;
        it_ = Iterators::load(why, notes);
        if (!it_) GTEST_SKIP() << "BPF iterators did not load: " << why;
        if (!notes.empty()) std::printf("note: %s\n", notes.c_str());
    }
    std::unique_ptr<Iterators> it_;
};

TEST_F(IteratorsTest, FindsOwnFdsWithExactIdentity) {
    // A regular file at a known position, close-on-exec.
    int file_fd = -1;
    std::string file_path = temp_file("pos", 100, O_CLOEXEC, file_fd);
    ASSERT_GE(file_fd, 0);
    ASSERT_EQ(::lseek(file_fd, 42, SEEK_SET), 42);
    // Its dup: same open file description, close-on-exec cleared.
    int dup_fd = ::dup(file_fd);
    int pipe_fds[2];
    ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
    int sock_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int event_fd = ::eventfd(0, EFD_CLOEXEC);
    int null_fd = ::open("/dev/null", O_WRONLY);  // no O_CLOEXEC
    ASSERT_GE(dup_fd, 0);
    ASSERT_GE(sock_fd, 0);
    ASSERT_GE(event_fd, 0);
    ASSERT_GE(null_fd, 0);

    // A mapping of a file whose fd is closed: only task_vma sees it.
    int map_fd = -1;
    std::string map_path = temp_file("map", 8192, O_CLOEXEC, map_fd);
    ASSERT_GE(map_fd, 0);
    struct stat map_st {};
    ASSERT_EQ(::fstat(map_fd, &map_st), 0);
    void* addr = ::mmap(nullptr, 4096, PROT_READ, MAP_SHARED, map_fd, 4096);
    ASSERT_NE(addr, MAP_FAILED);
    ::close(map_fd);

    std::set<int> before = list_own_fds();

    std::string bytes, why;
    ASSERT_TRUE(it_->read(Iter::TaskFile, bytes, why)) << why;
    std::string vma_bytes;
    ASSERT_TRUE(it_->read(Iter::TaskVma, vma_bytes, why)) << why;

    const std::uint32_t me = static_cast<std::uint32_t>(::getpid());
    std::map<int, std::vector<Rec>> mine;
    std::size_t total = 0;
    auto res = parse_records(bytes, {[&](const FileRecord& f) {
                                         ++total;
                                         if (f.tgid == me) mine[static_cast<int>(f.fd)].push_back({f, std::string(f.path)});
                                     },
                                     {}});
    EXPECT_EQ(res.status, ParseStatus::Ok);
    EXPECT_EQ(res.consumed, bytes.size());
    std::printf("task_file: %zu records, %zu bytes; %zu fds of this process\n", total, bytes.size(), mine.size());

    // Exactly the fds /proc/self/fd listed, plus at most the iterator's own fd.
    std::set<int> seen;
    for (auto& [fd, recs] : mine) {
        seen.insert(fd);
        EXPECT_EQ(recs.size(), 1u) << "fd " << fd << " reported more than once";
    }
    for (int fd : before) EXPECT_TRUE(seen.count(fd)) << "fd " << fd << " missing";
    std::vector<int> extra;
    for (int fd : seen)
        if (!before.count(fd)) extra.push_back(fd);
    EXPECT_LE(extra.size(), 1u);

    // What /proc/self/fdinfo says of the same fds: pos, flags (f_flags with
    // O_CLOEXEC from the fd table's bit), mnt_id, ino.
    for (int fd : before) {
        const auto& rec = mine[fd].front().r;
        FILE* fi = std::fopen(("/proc/self/fdinfo/" + std::to_string(fd)).c_str(), "r");
        if (!fi) continue;
        char line[256];
        unsigned long long pos = 0, ino = 0;
        unsigned flags = 0;
        int mnt = -1;
        while (std::fgets(line, sizeof line, fi)) {
            std::sscanf(line, "pos: %llu", &pos);
            std::sscanf(line, "flags: %o", &flags);
            std::sscanf(line, "mnt_id: %d", &mnt);
            std::sscanf(line, "ino: %llu", &ino);
        }
        std::fclose(fi);
        // Fds inherited from ctest (its log file, leaked into every test)
        // are written by other tests meanwhile: only ours hold still.
        const bool ours = fd == file_fd || fd == dup_fd || fd == pipe_fds[0] || fd == pipe_fds[1] || fd == sock_fd ||
                          fd == event_fd || fd == null_fd;
        if (ours) {
            EXPECT_EQ(rec.pos, pos) << "fd " << fd;
        }
        EXPECT_EQ(rec.mnt_id, mnt) << "fd " << fd;
        EXPECT_EQ(rec.ino, ino) << "fd " << fd;
        EXPECT_EQ(rec.f_flags | (rec.cloexec ? static_cast<unsigned>(O_CLOEXEC) : 0u), flags)
            << "fd " << fd << " f_flags 0" << std::oct << rec.f_flags << " cloexec " << rec.cloexec;
    }

    // One fd table.
    std::set<std::uint64_t> tables;
    for (auto& [fd, recs] : mine) tables.insert(recs.front().r.files_id);
    EXPECT_EQ(tables.size(), 1u);

    auto one = [&](int fd) -> const Rec& {
        static const Rec none{};
        auto i = mine.find(fd);
        return i == mine.end() || i->second.empty() ? none : i->second.front();
    };
    auto expect_stat = [&](int fd, const Rec& rec) {
        struct stat st {};
        ASSERT_EQ(::fstat(fd, &st), 0);
        EXPECT_EQ(rec.r.ino, st.st_ino) << "fd " << fd;
        EXPECT_EQ(user_dev(rec.r.s_dev), st.st_dev) << "fd " << fd;
        EXPECT_EQ(rec.r.i_mode, st.st_mode) << "fd " << fd;
    };

    const Rec& file = one(file_fd);
    ASSERT_EQ(file.r.fd, static_cast<std::uint32_t>(file_fd));
    expect_stat(file_fd, file);
    EXPECT_EQ(file.r.pos, 42u);
    EXPECT_TRUE(file.r.cloexec);
    EXPECT_EQ(file.r.f_flags & O_ACCMODE, static_cast<std::uint32_t>(O_RDWR));
    EXPECT_EQ(file.r.f_mode & (kFmodeRead | kFmodeWrite), kFmodeRead | kFmodeWrite);
    if (file.r.path_kind == PathKind::DPath) {
        EXPECT_EQ(file.path, file_path);
    } else {
        ASSERT_EQ(file.r.path_kind, PathKind::Walk);
        std::string joined;
        ASSERT_TRUE(join_walk(file.path, joined));
        EXPECT_EQ(joined, file_path);
    }
    EXPECT_EQ(file.r.nlink, 1u);
    EXPECT_GT(file.r.mnt_id, 0);
    if (it_->file_d_path()) {
        for (auto& [fd, recs] : mine) {
            const auto& r = recs.front().r;
            const bool pseudo = r.s_magic == kPipefsMagic || r.s_magic == kSockfsMagic;
            EXPECT_EQ(r.path_kind, pseudo ? PathKind::Pseudo : PathKind::DPath) << "fd " << fd << " " << recs.front().path;
        }
    }

    const Rec& dup = one(dup_fd);
    ASSERT_EQ(dup.r.fd, static_cast<std::uint32_t>(dup_fd));
    EXPECT_EQ(dup.r.file_id, file.r.file_id) << "a dup shares the open file description";
    EXPECT_FALSE(dup.r.cloexec) << "dup() clears close-on-exec";
    EXPECT_EQ(dup.r.pos, 42u);
    EXPECT_EQ(dup.r.ino, file.r.ino);

    const Rec& rd = one(pipe_fds[0]);
    const Rec& wr = one(pipe_fds[1]);
    expect_stat(pipe_fds[0], rd);
    EXPECT_EQ(rd.r.s_magic, kPipefsMagic);
    EXPECT_EQ(rd.r.ino, wr.r.ino);
    EXPECT_NE(rd.r.file_id, wr.r.file_id) << "the two ends are two descriptions";
    EXPECT_EQ(rd.r.f_mode & (kFmodeRead | kFmodeWrite), kFmodeRead);
    EXPECT_EQ(wr.r.f_mode & (kFmodeRead | kFmodeWrite), kFmodeWrite);
    EXPECT_TRUE(rd.r.cloexec);
    EXPECT_EQ(rd.r.path_kind, PathKind::Pseudo) << "pipes are named from the inode in userspace";
    EXPECT_EQ(rd.path, "");

    const Rec& sock = one(sock_fd);
    expect_stat(sock_fd, sock);
    EXPECT_EQ(sock.r.s_magic, kSockfsMagic);
    EXPECT_TRUE(sock.r.cloexec);
    EXPECT_EQ(sock.r.path_kind, PathKind::Pseudo) << "sockets are named from the inode in userspace";
    EXPECT_EQ(sock.path, "");

    const Rec& ev = one(event_fd);
    ASSERT_EQ(ev.r.fd, static_cast<std::uint32_t>(event_fd));
    EXPECT_EQ(ev.r.s_magic, kAnonInodeMagic);
    EXPECT_TRUE(ev.r.cloexec);
    if (ev.r.path_kind == PathKind::DPath) {
        EXPECT_EQ(ev.path, "anon_inode:[eventfd]");
    }

    const Rec& null = one(null_fd);
    expect_stat(null_fd, null);
    EXPECT_FALSE(null.r.cloexec);
    EXPECT_EQ(null.r.f_flags & O_ACCMODE, static_cast<std::uint32_t>(O_WRONLY));
    if (null.r.path_kind == PathKind::DPath) {
        EXPECT_EQ(null.path, "/dev/null");
    }

    // Every description id is distinct but for the dup.
    std::set<std::uint64_t> ids;
    for (int fd : {file_fd, pipe_fds[0], pipe_fds[1], sock_fd, event_fd, null_fd}) ids.insert(one(fd).r.file_id);
    EXPECT_EQ(ids.size(), 6u);

    // The mapping of the closed file.
    std::vector<VmaRecord> maps;
    std::vector<std::string> map_paths;
    std::size_t vma_total = 0;
    auto vres = parse_records(vma_bytes, {{}, [&](const VmaRecord& v) {
                                              ++vma_total;
                                              if (v.tgid == me && v.ino == map_st.st_ino) {
                                                  maps.push_back(v);
                                                  map_paths.emplace_back(v.path);
                                              }
                                          }});
    EXPECT_EQ(vres.status, ParseStatus::Ok);
    std::printf("task_vma: %zu records, %zu bytes\n", vma_total, vma_bytes.size());
    ASSERT_EQ(maps.size(), 1u);
    EXPECT_EQ(maps[0].start, reinterpret_cast<std::uint64_t>(addr));
    EXPECT_EQ(maps[0].end, reinterpret_cast<std::uint64_t>(addr) + 4096);
    EXPECT_EQ(maps[0].pgoff, 1u);
    EXPECT_EQ(user_dev(maps[0].s_dev), map_st.st_dev);
    if (maps[0].path_kind == PathKind::DPath) {
        EXPECT_EQ(map_paths[0], map_path);
    }
    for (int fd : before) EXPECT_NE(one(fd).r.file_id, maps[0].file_id) << "the mapping holds its own description";

    ::munmap(addr, 4096);
    for (int fd : {file_fd, dup_fd, pipe_fds[0], pipe_fds[1], sock_fd, event_fd, null_fd}) ::close(fd);
    ::unlink(file_path.c_str());
    ::unlink(map_path.c_str());
}

TEST_F(IteratorsTest, ThreadsSharingTheTableShareFilesId) {
    // The kernel's task_file iterator skips threads whose table is the
    // leader's; whatever it visits, one files_struct means one table.
    std::string bytes, why;
    ASSERT_TRUE(it_->read(Iter::TaskFile, bytes, why)) << why;
    std::map<std::uint32_t, std::set<std::uint64_t>> tables_by_tgid;
    std::map<std::pair<std::uint64_t, std::uint32_t>, int> per_table_fd;
    parse_records(bytes, {[&](const FileRecord& f) {
                              tables_by_tgid[f.tgid].insert(f.files_id);
                              ++per_table_fd[{f.files_id, f.fd}];
                          },
                          {}});
    int dup_visits = 0;
    for (auto& [k, n] : per_table_fd)
        if (n > 1) ++dup_visits;
    std::printf("%zu processes with fds, %zu (table, fd) pairs, %d visited more than once\n",
                tables_by_tgid.size(), per_table_fd.size(), dup_visits);
    EXPECT_FALSE(tables_by_tgid.empty());
}

// A thread holds the iteration open while it runs: one that shares the
// leader's table (not reported again) and one that unshared it (its own
// table, its own files_id, visited through its tid).
TEST_F(IteratorsTest, SharedAndUnsharedThreadTables) {
    std::mutex m;
    std::condition_variable cv;
    bool ready_shared = false, ready_unshared = false, done = false;
    pid_t unshared_tid = 0;
    int unshared_fd = -1;
    std::thread shared([&] {
        std::unique_lock lock(m);
        ready_shared = true;
        cv.notify_all();
        cv.wait(lock, [&] { return done; });
    });
    std::thread unshared([&] {
        ::unshare(CLONE_FILES);
        int fd = ::open("/dev/zero", O_RDONLY);  // only in this thread's table
        std::unique_lock lock(m);
        unshared_tid = static_cast<pid_t>(::syscall(SYS_gettid));
        unshared_fd = fd;
        ready_unshared = true;
        cv.notify_all();
        cv.wait(lock, [&] { return done; });
        ::close(fd);
    });
    {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return ready_shared && ready_unshared; });
    }
    std::string bytes, why;
    bool ok = it_->read(Iter::TaskFile, bytes, why);
    {
        std::lock_guard lock(m);
        done = true;
    }
    cv.notify_all();
    shared.join();
    unshared.join();
    ASSERT_TRUE(ok) << why;

    const std::uint32_t me = static_cast<std::uint32_t>(::getpid());
    std::map<std::uint64_t, std::set<std::uint32_t>> tids_by_table;
    std::map<std::pair<std::uint64_t, std::uint32_t>, int> visits;
    std::uint64_t zero_table = 0;
    parse_records(bytes, {[&](const FileRecord& f) {
                              if (f.tgid != me) return;
                              tids_by_table[f.files_id].insert(f.tid);
                              ++visits[{f.files_id, f.fd}];
                              if (f.tid == static_cast<std::uint32_t>(unshared_tid) &&
                                  f.fd == static_cast<std::uint32_t>(unshared_fd))
                                  zero_table = f.files_id;
                          },
                          {}});
    for (auto& [table, tids] : tids_by_table) {
        std::string list;
        for (auto t : tids) list += " " + std::to_string(t);
        std::printf("table #%zu visited through tids:%s\n", static_cast<std::size_t>(std::distance(tids_by_table.begin(), tids_by_table.find(table))), list.c_str());
    }
    EXPECT_EQ(tids_by_table.size(), 2u) << "the leader's table and the unshared one";
    EXPECT_NE(zero_table, 0u) << "the unshared thread's fd was not reported";
    for (auto& [key, n] : visits) EXPECT_EQ(n, 1) << "fd " << key.second << " reported " << n << " times";
}

// The state letter of /proc/PID/stat (after the comm in parentheses).
char leader_state(pid_t pid) {
    char buf[512] = {};
    const int fd = ::open(("/proc/" + std::to_string(pid) + "/stat").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return '?';
    const ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    const char* close_paren = n > 0 ? std::strrchr(buf, ')') : nullptr;
    return close_paren && close_paren[1] == ' ' ? close_paren[2] : '?';
}

// A process whose leader exited (SYS_exit in the leader, a thread lives on):
// the leader's files are gone, the thread's table is visited through the
// thread's tid.
TEST_F(IteratorsTest, ExitedLeaderTableIsVisitedThroughAThread) {
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(ready[0]);
        static int ready_fd;
        ready_fd = ready[1];
        std::thread([] {
            // No event says "the leader is now a zombie": poll its state, as
            // the exited_leader fixture does (10 s at most).
            for (int i = 0; i < 10000 && leader_state(::getpid()) != 'Z'; ++i) ::usleep(1000);
            char c = 'r';
            if (::write(ready_fd, &c, 1) != 1) ::_exit(1);
            ::pause();
        }).detach();
        ::syscall(SYS_exit, 0);  // the leader only
    }
    ::close(ready[1]);
    char c = 0;
    ASSERT_EQ(::read(ready[0], &c, 1), 1);
    ::close(ready[0]);

    std::string bytes, why;
    bool ok = it_->read(Iter::TaskFile, bytes, why);
    std::set<std::uint32_t> tids;
    std::set<std::uint64_t> tables;
    std::size_t n = 0;
    parse_records(bytes, {[&](const FileRecord& f) {
                              if (f.tgid != static_cast<std::uint32_t>(child)) return;
                              ++n;
                              tids.insert(f.tid);
                              tables.insert(f.files_id);
                          },
                          {}});
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    ASSERT_TRUE(ok) << why;
    std::printf("exited leader: %zu records, %zu tids, %zu tables\n", n, tids.size(), tables.size());
    EXPECT_GT(n, 0u);
    EXPECT_EQ(tables.size(), 1u);
    EXPECT_FALSE(tids.count(static_cast<std::uint32_t>(child))) << "the exited leader has no fd table";
}

// The fallback programs (a dentry walk instead of bpf_d_path) load, say
// so, and still give the full path; the no-path programs write no tails.
TEST(IteratorsFallback, DentryWalkAndNoPaths) {
    if (::geteuid() != 0) GTEST_SKIP() << "BPF iterators need root (or CAP_BPF and CAP_PERFMON)";
    int fd = ::open("/dev/null", O_RDONLY);
    ASSERT_GE(fd, 0);
    const std::uint32_t me = static_cast<std::uint32_t>(::getpid());
    for (bool paths : {true, false}) {
        std::string why, notes;
        LoadOptions opts;
        opts.paths = paths;
        opts.file_d_path = opts.vma_d_path = false;
        auto it = Iterators::load(why, notes, opts);
        ASSERT_TRUE(it) << "the walking programs did not load: " << why;
        EXPECT_FALSE(it->file_d_path());
        EXPECT_FALSE(it->vma_d_path());
        std::string bytes;
        ASSERT_TRUE(it->read(Iter::TaskFile, bytes, why)) << why;
        std::string name;
        PathKind kind = PathKind::DPath;
        parse_records(bytes, {[&](const FileRecord& f) {
                                  if (f.tgid == me && f.fd == static_cast<std::uint32_t>(fd)) {
                                      name = f.path;
                                      kind = f.path_kind;
                                  }
                              },
                              {}});
        if (paths) {
            EXPECT_EQ(kind, PathKind::Walk);
            std::string joined;
            ASSERT_TRUE(join_walk(name, joined));
            EXPECT_EQ(joined, "/dev/null");
        } else {
            EXPECT_EQ(kind, PathKind::None);
            EXPECT_EQ(name, "");
        }
    }
    ::close(fd);
}

// task_file keeps bpf_d_path where this kernel's verifier accepts it, and
// a refusal elsewhere never turns it off: here (a kernel whose verifier
// refuses bpf_d_path on vm_file) the mappings walk and the fds keep it.
TEST(IteratorsFallback, DPathIsPerProgram) {
    if (::geteuid() != 0) GTEST_SKIP() << "BPF iterators need root (or CAP_BPF and CAP_PERFMON)";
    for (bool refuse_vma : {false, true}) {
        std::string why, notes;
        LoadOptions opts;
        opts.vma_d_path = !refuse_vma;
        auto it = Iterators::load(why, notes, opts);
        ASSERT_TRUE(it) << why;
        if (notes.find("refused in fds_task_file") != std::string::npos)
            GTEST_SKIP() << "this kernel refuses bpf_d_path in task_file too: " << notes;
        EXPECT_TRUE(it->file_d_path()) << notes;
        EXPECT_EQ(notes.find("fds_task_vma"), std::string::npos) << "task_vma needs no retry where it walks: " << notes;
    }
}

TEST(LoadLog, NamesTheRefusedProgram) {
    EXPECT_EQ(failed_program("libbpf: prog 'fds_task_file': BPF program load failed: Permission denied\n"
                             "R1 type=untrusted_ptr_ expected=ptr_\n"
                             "libbpf: prog 'fds_task_vma': failed to load: -13\nlibbpf: failed to load object\n"),
              "fds_task_vma");
    EXPECT_EQ(failed_program("libbpf: failed to load object 'fds_iter'\n"), "");
    EXPECT_EQ(failed_program(""), "");
    EXPECT_EQ(failed_program("': failed to load"), "");
}

TEST(Refusals, ParseEveryWordAndRejectUnknownOnes) {
    LoadOptions o;
    std::string why;
    ASSERT_TRUE(parse_refusals("file_d_path,loop", o, why));
    EXPECT_FALSE(o.file_d_path);
    EXPECT_TRUE(o.vma_d_path);
    EXPECT_FALSE(o.loop);
    LoadOptions d;
    ASSERT_TRUE(parse_refusals("d_path", d, why));
    EXPECT_FALSE(d.file_d_path || d.vma_d_path);
    EXPECT_FALSE(parse_refusals("d_path,bogus", d, why));
    EXPECT_NE(why.find("bogus"), std::string::npos);
}

TEST(JoinWalk, ComponentsLeafFirstMakeAPath) {
    std::string p;
    ASSERT_TRUE(join_walk(std::string_view("libc.so.6\0lib\0usr\0", 18), p));
    EXPECT_EQ(p, "/usr/lib/libc.so.6");
    ASSERT_TRUE(join_walk("", p));
    EXPECT_EQ(p, "/");
    ASSERT_TRUE(join_walk(std::string_view("a\nb\0", 4), p));
    EXPECT_EQ(p, "/a\nb");
    EXPECT_FALSE(join_walk("no-nul", p));
    EXPECT_FALSE(join_walk(std::string_view("a\0\0", 3), p));
}

// Built on this machine, the embedded BTF subset is this kernel's: CO-RE
// relocates against it (the start-up cut); refused, the whole kernel BTF.
TEST(IteratorsFallback, EmbeddedBtfSubsetIsUsedOnTheBuildKernel) {
    if (::geteuid() != 0) GTEST_SKIP() << "BPF iterators need root (or CAP_BPF and CAP_PERFMON)";
    std::string why, notes;
    auto it = Iterators::load(why, notes);
    ASSERT_TRUE(it) << why;
    EXPECT_TRUE(it->min_btf()) << "the kernel running the tests is the one the build cut the subset from";
    LoadOptions full;
    full.min_btf = false;
    auto it2 = Iterators::load(why, notes, full);
    ASSERT_TRUE(it2) << why;
    EXPECT_FALSE(it2->min_btf());
}

TEST(BtfFingerprint, DependsOnEveryByteAndTheLength) {
    const std::string a(1000, 'x');
    std::string b = a;
    b[997] = 'y';  // in the byte-wise tail
    std::string c = a;
    c[8] = 'y';  // in a word
    EXPECT_NE(btf_fingerprint(a), btf_fingerprint(b));
    EXPECT_NE(btf_fingerprint(a), btf_fingerprint(c));
    EXPECT_NE(btf_fingerprint(a), btf_fingerprint(a.substr(0, 999)));
    EXPECT_NE(btf_fingerprint(""), btf_fingerprint(std::string(1, '\0')));
    EXPECT_EQ(btf_fingerprint(a), btf_fingerprint(std::string(1000, 'x')));
}

}  // namespace
}  // namespace fdscope::bpf
