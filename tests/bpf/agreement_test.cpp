// Agreement: the BPF backend (scan_bpf) and the procfs backend
// (collect::scan with kcmp identity) must see the same fixture processes the
// same way: the same tables and fds, kinds, inodes, names, flags, positions,
// the same partition of fds into open file descriptions, and the same
// mem/shm mappings. Needs root (or CAP_BPF + CAP_PERFMON) and BTF.
#include <algorithm>
#include <cstdio>
#include <dirent.h>
#include <sys/mman.h>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "bpf/iter/iterators.hpp"
#include "collect/bpf_scan.hpp"
#include "collect/scan.hpp"
#include "report/describe.hpp"
#include "support/support.hpp"

namespace fdscope::bpf {
namespace {

std::unique_ptr<Iterators> g_iters;
std::string g_skip;

class BpfLoaded : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (::geteuid() != 0) {
            g_skip = "BPF iterators need root (or CAP_BPF and CAP_PERFMON)";
            return;
        }
        std::string why, notes;
        g_iters = Iterators::load(why, notes);
        if (!g_iters) g_skip = "BPF iterators did not load: " + why;
    }
    static void TearDownTestSuite() { g_iters.reset(); }
    void SetUp() override {
        if (!g_skip.empty()) GTEST_SKIP() << g_skip;
    }
};

class Agreement : public BpfLoaded, public ::testing::WithParamInterface<const char*> {};

// Every pid a fixture names: itself and its children.
std::vector<pid_t> pids_of(const nlohmann::json& facts) {
    std::vector<pid_t> pids{facts.at("pid").get<pid_t>()};
    if (facts.contains("children"))
        for (const auto& c : facts["children"]) pids.push_back(c.get<pid_t>());
    if (facts.contains("child_pid")) pids.push_back(facts["child_pid"].get<pid_t>());
    return pids;
}

// A fixture's children may still be starting (inherited_listener's child
// execs sleep, whose loader maps libraries and opens files after the facts
// line): wait until every pid's maps and fd list stay the same for 100 ms,
// or the two scans would see different moments, not different backends.
std::string moment(const std::vector<pid_t>& pids) {
    std::string all;
    for (pid_t pid : pids) {
        const std::string base = "/proc/" + std::to_string(pid);
        if (FILE* f = std::fopen((base + "/maps").c_str(), "r")) {
            char buf[4096];
            for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) all.append(buf, n);
            std::fclose(f);
        }
        if (DIR* d = ::opendir((base + "/fd").c_str())) {
            while (dirent* e = ::readdir(d)) all += std::string(e->d_name) + ",";
            ::closedir(d);
        }
    }
    return all;
}

void settle(const std::vector<pid_t>& pids) {
    std::string last = moment(pids);
    for (int i = 0; i < 50; ++i) {
        ::usleep(100 * 1000);
        std::string now = moment(pids);
        if (now == last) return;
        last = std::move(now);
    }
}

using FdKey = std::tuple<pid_t, pid_t, int>;  // pid, table tid, fd

std::string key_text(const FdKey& k) {
    std::ostringstream o;
    o << "pid " << std::get<0>(k) << " table " << std::get<1>(k) << " fd " << std::get<2>(k);
    return o.str();
}

std::map<FdKey, const OpenFile*> fds_of(const Snapshot& s) {
    std::map<FdKey, const OpenFile*> out;
    for (const auto& p : s.processes)
        for (const auto& t : p.tables)
            for (const auto& f : t.fds) out[{p.pid, t.tid, f.fd}] = &f;
    return out;
}

// pid, assoc, inode, start, end, name, deleted
using MapKey = std::tuple<pid_t, int, std::uint64_t, std::uint64_t, std::uint64_t, std::string, bool>;

std::multiset<MapKey> maps_of(const Snapshot& s) {
    std::multiset<MapKey> out;
    for (const auto& p : s.processes)
        for (const auto& f : p.assocs)
            if ((f.assoc == Assoc::Mem || f.assoc == Assoc::Shm) && f.range)
                out.insert({p.pid, static_cast<int>(f.assoc), f.inode, f.range->start, f.range->end, std::string(f.name),
                            f.deleted});
    return out;
}

// A name as C would write it: one line, whatever bytes it holds.
std::string shown(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : fdscope::test::bytes(s)) {
        if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
        else if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
        else {
            char b[8];
            std::snprintf(b, sizeof b, "\\x%02x", c);
            out += b;
        }
    }
    return out + "\"";
}

// Every difference between the two snapshots, one line each ("" if none).
std::string differences(const Snapshot& pro, const Snapshot& bpf, std::size_t& compared) {
    std::ostringstream d;
    int lines = 0;
    auto diff = [&](const std::string& where, const char* field, const auto& a, const auto& b) {
        if (++lines <= 200) d << "  " << where << ": " << field << ": procfs " << a << ", bpf " << b << "\n";
    };
    // Processes and tables.
    std::map<pid_t, const Process*> pp, bp;
    for (const auto& p : pro.processes) pp[p.pid] = &p;
    for (const auto& p : bpf.processes) bp[p.pid] = &p;
    for (const auto& [pid, p] : pp) {
        auto it = bp.find(pid);
        if (it == bp.end()) {
            diff("pid " + std::to_string(pid), "process", "present", "missing");
            continue;
        }
        const Process& b = *it->second;
        const std::string where = "pid " + std::to_string(pid);
        if (p->leader_exited != b.leader_exited) diff(where, "leader_exited", p->leader_exited, b.leader_exited);
        if (p->comm != b.comm) diff(where, "comm", p->comm, b.comm);
        if (p->netns != b.netns) diff(where, "netns", p->netns, b.netns);
        if (p->nofile.known != b.nofile.known || p->nofile.soft != b.nofile.soft || p->nofile.hard != b.nofile.hard)
            diff(where, "RLIMIT_NOFILE", std::to_string(p->nofile.soft) + "/" + std::to_string(p->nofile.hard),
                 std::to_string(b.nofile.soft) + "/" + std::to_string(b.nofile.hard));
        std::vector<std::pair<pid_t, bool>> pt, bt;
        for (const auto& t : p->tables) pt.emplace_back(t.tid, t.leader);
        for (const auto& t : b.tables) bt.emplace_back(t.tid, t.leader);
        if (pt != bt) {
            auto show = [](const std::vector<std::pair<pid_t, bool>>& v) {
                std::string s = "[";
                for (auto& [tid, leader] : v) s += " " + std::to_string(tid) + (leader ? "(leader)" : "");
                return s + " ]";
            };
            diff(where, "tables", show(pt), show(bt));
        }
    }
    for (const auto& [pid, b] : bp)
        if (!pp.count(pid)) diff("pid " + std::to_string(pid), "process", "missing", "present");

    // Fds.
    auto pf = fds_of(pro), bf = fds_of(bpf);
    std::map<std::uint32_t, std::uint32_t> p2b, b2p;
    std::string pbuf, bbuf;
    for (const auto& [k, p] : pf) {
        auto it = bf.find(k);
        const std::string where = key_text(k);
        if (it == bf.end()) {
            diff(where, "fd", "present", "missing");
            continue;
        }
        ++compared;
        const OpenFile& b = *it->second;
        if (p->kind != b.kind) diff(where, "kind", kind_name(p->kind), kind_name(b.kind));
        if (p->inode != b.inode) diff(where, "inode", p->inode, b.inode);
        if (p->dev != b.dev) diff(where, "dev", p->dev, b.dev);
        std::string_view pn = name_of(*p, pbuf), bn = name_of(b, bbuf);
        if (pn != bn) diff(where, "name", shown(pn), shown(bn));
        if (p->deleted != b.deleted) diff(where, "deleted", p->deleted, b.deleted);
        if (p->cloexec != b.cloexec) diff(where, "cloexec", p->cloexec, b.cloexec);
        if (p->flags != b.flags) diff(where, "flags", p->flags, b.flags);
        if (p->pos != b.pos) diff(where, "pos", p->pos, b.pos);
        if (p->mode != b.mode) diff(where, "mode", mode_name(p->mode), mode_name(b.mode));
        if (p->mnt_id != b.mnt_id) diff(where, "mnt_id", p->mnt_id, b.mnt_id);
        if (p->kind == Kind::File && p->size != b.size) diff(where, "size", p->size, b.size);
        const std::string pd = p->detail ? report::detail_text(*p->detail) : "", bd = b.detail ? report::detail_text(*b.detail) : "";
        if (pd != bd) diff(where, "detail", shown(pd), shown(bd));
        // Partition: procfs id -> bpf id must be a bijection.
        if (p->description == kNoDescription || b.description == kNoDescription) {
            diff(where, "description", p->description == kNoDescription ? "none" : "set",
                 b.description == kNoDescription ? "none" : "set");
            continue;
        }
        auto [x, fresh_p] = p2b.try_emplace(p->description, b.description);
        if (!fresh_p && x->second != b.description)
            diff(where, "description", "shared with an fd bpf puts elsewhere (procfs id " + std::to_string(p->description) + ")",
                 "id " + std::to_string(b.description) + " instead of " + std::to_string(x->second));
        auto [y, fresh_b] = b2p.try_emplace(b.description, p->description);
        if (!fresh_b && y->second != p->description)
            diff(where, "description", "id " + std::to_string(p->description) + ", apart from bpf's partner (procfs id " +
                 std::to_string(y->second) + ")", "shared (bpf id " + std::to_string(b.description) + ")");
    }
    for (const auto& [k, b] : bf)
        if (!pf.count(k)) diff(key_text(k), "fd", "missing", "present");

    // Mappings.
    auto pm = maps_of(pro), bm = maps_of(bpf);
    std::vector<MapKey> only_p, only_b;
    std::set_difference(pm.begin(), pm.end(), bm.begin(), bm.end(), std::back_inserter(only_p));
    std::set_difference(bm.begin(), bm.end(), pm.begin(), pm.end(), std::back_inserter(only_b));
    auto map_text = [](const MapKey& m) {
        std::ostringstream o;
        o << "pid " << std::get<0>(m) << (std::get<1>(m) == static_cast<int>(Assoc::Shm) ? " shm" : " mem") << " inode "
          << std::get<2>(m) << " " << std::hex << std::get<3>(m) << "-" << std::get<4>(m) << " "
          << shown(std::get<5>(m)) << (std::get<6>(m) ? " (deleted)" : "");
        return o.str();
    };
    for (const auto& m : only_p) diff(map_text(m), "mapping", "present", "missing");
    for (const auto& m : only_b) diff(map_text(m), "mapping", "missing", "present");
    if (lines > 200) d << "  ... and " << (lines - 200) << " more\n";
    return d.str();
}

TEST_P(Agreement, SameFdsKindsNamesAndPartition) {
    test::Fixture fx(GetParam());
    const std::vector<pid_t> pids = pids_of(fx.facts());
    settle(pids);

    collect::ScanOptions opts;
    opts.pids = pids;
    opts.identity = true;
    Snapshot pro = collect::scan(opts);
    ASSERT_TRUE(pro.ids_exact) << "kcmp was not usable: procfs ids are approximate";

    Snapshot bpf;
    std::string why;
    ASSERT_TRUE(scan_bpf(*g_iters, opts, bpf, why)) << why;
    EXPECT_EQ(bpf.backend, "bpf");
    EXPECT_TRUE(bpf.ids_exact);

    std::size_t compared = 0;
    const std::string d = differences(pro, bpf, compared);
    EXPECT_TRUE(d.empty()) << GetParam() << ": the backends disagree (" << compared << " fds compared):\n" << d;
    EXPECT_GT(compared, 0u);
    std::size_t maps = maps_of(pro).size();
    std::printf("%s: %zu processes, %zu fds compared, %zu mappings, %u/%u descriptions\n", GetParam(),
                pro.processes.size(), compared, maps, pro.description_count, bpf.description_count);
}

// The comparison itself: a disagreement planted in the BPF snapshot is listed.
TEST_F(BpfLoaded, PlantedDifferencesAreListed) {
    test::Fixture fx("fork_shared");
    const std::vector<pid_t> pids = pids_of(fx.facts());
    settle(pids);
    collect::ScanOptions opts;
    opts.pids = pids;
    Snapshot pro = collect::scan(opts);
    Snapshot bpf;
    std::string why;
    ASSERT_TRUE(scan_bpf(*g_iters, opts, bpf, why)) << why;
    std::size_t compared = 0;
    ASSERT_EQ(differences(pro, bpf, compared), "");

    // fork_shared: the children hold the parent's descriptions. Give one
    // child's fd a description of its own, move a position, drop an fd.
    ASSERT_GE(bpf.processes.size(), 2u);
    auto& child = bpf.processes[1].tables.at(0).fds;
    ASSERT_GE(child.size(), 3u);
    child[0].description = bpf.description_count + 1;
    child[1].pos += 1;
    const int dropped = child.back().fd;
    child.pop_back();
    const std::string d = differences(pro, bpf, compared);
    EXPECT_NE(d.find("description"), std::string::npos) << d;
    EXPECT_NE(d.find("pos: procfs"), std::string::npos) << d;
    EXPECT_NE(d.find("fd " + std::to_string(dropped) + ": fd: procfs present, bpf missing"), std::string::npos) << d;
}

// Every fallback a kernel may force (bpf_d_path refused in one program or
// both, no bpf_loop), forced here: the backends must still agree on
// everything, full paths and deleted flags included.
using Forced = std::tuple<const char*, const char*>;  // refusals (FDSCOPE_BPF_REFUSE words), fixture
class FallbackAgreement : public BpfLoaded, public ::testing::WithParamInterface<Forced> {};

TEST_P(FallbackAgreement, SameAsProcfs) {
    const auto [refuse, fixture] = GetParam();
    LoadOptions lo;
    std::string why, notes;
    ASSERT_TRUE(parse_refusals(refuse, lo, why)) << why;
    auto it = Iterators::load(why, notes, lo);
    ASSERT_TRUE(it) << "the fallback programs did not load: " << why;
    EXPECT_EQ(it->file_d_path(), lo.file_d_path && g_iters->file_d_path());
    test::Fixture fx(fixture);
    const std::vector<pid_t> pids = pids_of(fx.facts());
    settle(pids);
    collect::ScanOptions opts;
    opts.pids = pids;
    opts.identity = true;
    Snapshot pro = collect::scan(opts);
    Snapshot bpf;
    ASSERT_TRUE(scan_bpf(*it, opts, bpf, why)) << why;
    std::size_t compared = 0;
    const std::string d = differences(pro, bpf, compared);
    EXPECT_EQ(d, "") << refuse << " / " << fixture << ": " << compared << " fds compared";
    EXPECT_GT(compared, 0u);
    for (const auto& n : bpf.notes) EXPECT_EQ(n.find("partial"), std::string::npos) << n;
}

INSTANTIATE_TEST_SUITE_P(Forced, FallbackAgreement,
                         ::testing::Combine(::testing::Values("file_d_path", "vma_d_path", "d_path", "loop", "d_path,loop", "min_btf"),
                                            ::testing::Values("population", "mmap_after_close", "shm_attach",
                                                              "deleted_file", "path_names")),
                         [](const ::testing::TestParamInfo<Forced>& i) {
                             std::string n = std::string(std::get<0>(i.param)) + "_" + std::get<1>(i.param);
                             for (char& c : n)
                                 if (c == ',') c = '_';
                             return n;
                         });

// The path_names fixture's files, on both backends and with every path
// mechanism: each fd and each mapping has its full path (newline, tab and
// invalid UTF-8 as bytes; 140 directories deep; across a mount in another
// mount namespace) and the deleted flag of its link count, not of its name.
TEST_F(BpfLoaded, PathsAndDeletedFlagsAreRight) {
    test::Fixture fx("path_names");
    const auto& facts = fx.facts();
    std::vector<pid_t> pids = pids_of(facts);
    settle(pids);
    collect::ScanOptions opts;
    opts.pids = pids;
    std::vector<std::pair<std::string, Snapshot>> views;
    views.emplace_back("procfs", collect::scan(opts));
    for (const char* refuse : {"", "file_d_path", "vma_d_path", "d_path", "d_path,loop"}) {
        LoadOptions lo;
        std::string why, notes;
        ASSERT_TRUE(parse_refusals(refuse, lo, why)) << why;
        auto it = Iterators::load(why, notes, lo);
        ASSERT_TRUE(it) << why;
        Snapshot bpf;
        ASSERT_TRUE(scan_bpf(*it, opts, bpf, why)) << why;
        views.emplace_back(std::string("bpf refusing '") + refuse + "'", std::move(bpf));
    }
    for (const auto& [label, snap] : views) {
        int checked = 0;
        for (const auto& f : facts["files"]) {
            std::string path;
            for (const auto& b : f["path"]) path += static_cast<char>(b.get<int>());
            const pid_t holder = f.contains("pid") ? f["pid"].get<pid_t>() : facts["pid"].get<pid_t>();
            const bool deleted = f["deleted"];
            const auto addr = f["addr"].get<std::uint64_t>();
            const std::string role = f["role"];
            const Process* p = nullptr;
            for (const auto& q : snap.processes)
                if (q.pid == holder) p = &q;
            ASSERT_NE(p, nullptr) << label << ": pid " << holder;
            if (f.contains("fd")) {
                const OpenFile* fd = nullptr;
                for (const auto& x : p->tables.at(0).fds)
                    if (x.fd == f["fd"].get<int>()) fd = &x;
                ASSERT_NE(fd, nullptr) << label << ": " << role;
                EXPECT_EQ(shown(fd->name), shown(path)) << label << ": fd of " << role;
                EXPECT_EQ(fd->deleted, deleted) << label << ": fd of " << role;
                ++checked;
            }
            const OpenFile* m = nullptr;
            for (const auto& a : p->assocs)
                if (a.range && a.range->start == addr) m = &a;
            ASSERT_NE(m, nullptr) << label << ": mapping of " << role;
            EXPECT_EQ(shown(m->name), shown(path)) << label << ": mapping of " << role;
            EXPECT_EQ(m->deleted, deleted) << label << ": mapping of " << role;
            ++checked;
        }
        EXPECT_GE(checked, 11) << label;
        if (facts.contains("bound_ns")) {
            const auto& ns = facts["bound_ns"];
            std::string path;
            for (const auto& b : ns["path"]) path += static_cast<char>(b.get<int>());
            const OpenFile* fd = nullptr;
            for (const auto& q : snap.processes)
                if (q.pid == ns["pid"].get<pid_t>())
                    for (const auto& x : q.tables.at(0).fds)
                        if (x.fd == ns["fd"].get<int>()) fd = &x;
            ASSERT_NE(fd, nullptr) << label << ": the bound namespace file";
            EXPECT_EQ(shown(fd->name), shown(path)) << label << ": a bind-mounted nsfs file keeps its path";
        }
    }
}

// eventfd count/id, timerfd clock and signalfd mask come from the iterator
// itself (the file's private data), not from fdinfo: with fdinfo details
// off they must still equal what procfs reads in fdinfo.
TEST_F(BpfLoaded, IteratorReadsEventfdTimerfdSignalfdState) {
    test::Fixture fx("population");
    const std::vector<pid_t> pids = pids_of(fx.facts());
    settle(pids);
    collect::ScanOptions opts;
    opts.pids = pids;
    Snapshot pro = collect::scan(opts);
    opts.read.details = false;
    Snapshot bpf;
    std::string why;
    ASSERT_TRUE(scan_bpf(*g_iters, opts, bpf, why)) << why;
    auto pf = fds_of(pro), bf = fds_of(bpf);
    int checked = 0;
    for (const auto& [k, p] : pf) {
        if (p->kind != Kind::Eventfd && p->kind != Kind::Timerfd && p->kind != Kind::Signalfd) continue;
        auto it = bf.find(k);
        ASSERT_NE(it, bf.end()) << key_text(k);
        ASSERT_TRUE(p->detail && it->second->detail) << key_text(k) << " " << kind_name(p->kind);
        EXPECT_EQ(report::detail_text(*p->detail), report::detail_text(*it->second->detail)) << key_text(k);
        ++checked;
    }
    EXPECT_GE(checked, 3) << "the population holds an eventfd, a timerfd and a signalfd";
    // Epoll targets need fdinfo: without it the iterator leaves them out.
    for (const auto& [k, b] : bf) {
        if (b->kind == Kind::Epoll) {
            EXPECT_FALSE(b->detail) << key_text(k);
        }
    }
}

// Mappings carry the id of their struct file: a file mapped and closed is
// a description no fd has; a mapping of a still-open fd shares its id.
TEST_F(BpfLoaded, MappingsCarryTheirOpenFileDescription) {
    test::Fixture fx("mmap_after_close", {"4"});
    const pid_t pid = fx.facts()["pid"];
    // Our own process: one file mapped through an fd that stays open.
    char path[] = "/tmp/fdscope-map-XXXXXX";
    const int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, 4096), 0);
    void* addr = ::mmap(nullptr, 4096, PROT_READ, MAP_SHARED, fd, 0);
    ASSERT_NE(addr, MAP_FAILED);
    collect::ScanOptions opts;
    opts.pids = std::vector<pid_t>{pid, ::getpid()};
    Snapshot bpf;
    std::string why;
    const bool ok = scan_bpf(*g_iters, opts, bpf, why);
    ::munmap(addr, 4096);
    ::close(fd);
    ::unlink(path);
    ASSERT_TRUE(ok) << why;

    std::set<std::uint32_t> fd_ids, map_ids;
    for (const auto& p : bpf.processes) {
        for (const auto& t : p.tables)
            for (const auto& f : t.fds) fd_ids.insert(f.description);
    }
    int mine = 0, closed = 0;
    for (const auto& p : bpf.processes)
        for (const auto& a : p.assocs) {
            if (a.assoc != Assoc::Mem) continue;
            if (p.pid == ::getpid() && a.name == path) {
                ++mine;
                const OpenFile* f = nullptr;
                for (const auto& t : p.tables)
                    for (const auto& x : t.fds)
                        if (x.fd == fd) f = &x;
                ASSERT_NE(f, nullptr);
                EXPECT_EQ(a.description, f->description) << "the mapping and its fd are one struct file";
            }
            if (p.pid == pid) {
                for (const auto& e : fx.facts()["files"])
                    if (a.inode == e["inode"].get<std::uint64_t>()) {
                        ++closed;
                        ASSERT_NE(a.description, kNoDescription);
                        EXPECT_FALSE(fd_ids.count(a.description)) << "no fd holds a mapped-then-closed file";
                        EXPECT_TRUE(map_ids.insert(a.description).second) << "each file is its own description";
                    }
            }
        }
    EXPECT_EQ(mine, 1);
    EXPECT_EQ(closed, 4);
}

// The whole machine: every process that lived through both scans is in
// both, with the same fd count per table, however the kernel let BPF see it
// (tasks some security policies hide from BPF iterators are read through
// /proc and a note says so).
TEST_F(BpfLoaded, WholeMachineSameProcessesAndFdCounts) {
    collect::ScanOptions opts;
    opts.read.count_only = true;
    opts.read.assocs = opts.read.maps = opts.read.fdinfo = false;
    opts.sockets = opts.identity = false;
    Snapshot pro = collect::scan(opts);
    Snapshot bpf;
    std::string why;
    ASSERT_TRUE(scan_bpf(*g_iters, opts, bpf, why)) << why;
    Snapshot after = collect::scan(opts);
    std::map<pid_t, const Process*> b, a;
    for (const auto& p : bpf.processes) b[p.pid] = &p;
    for (const auto& p : after.processes) a[p.pid] = &p;
    // Processes of this test run (descendants of our parent, ctest, and we
    // ourselves) open and close fds while we look: their counts are not compared.
    std::map<pid_t, pid_t> parent;
    for (const auto& p : pro.processes) parent[p.pid] = p.ppid;
    auto ours = [&](pid_t pid) {
        for (int depth = 0; pid > 1 && depth < 64; ++depth) {
            if (pid == ::getppid() || pid == ::getpid()) return true;
            auto it = parent.find(pid);
            if (it == parent.end()) return false;
            pid = it->second;
        }
        return false;
    };
    std::size_t compared = 0, counted = 0;
    for (const auto& p : pro.processes) {
        auto ai = a.find(p.pid);
        if (ai == a.end() || ai->second->start_time != p.start_time) continue;  // exited or pid reused meanwhile
        auto bi = b.find(p.pid);
        ASSERT_NE(bi, b.end()) << "pid " << p.pid << " (" << p.comm << ") is missing from the BPF scan";
        // Kernel threads (kthreadd's children) rename themselves as they work.
        if (p.pid != 2 && p.ppid != 2 && ai->second->comm == p.comm) {
            EXPECT_EQ(bi->second->comm, p.comm);
        }
        ++compared;
        // Counts may move between scans (other tests run alongside); a
        // process whose count is the same before and after must agree.
        if (!ours(p.pid) && p.fd_count() == ai->second->fd_count() && !p.tables.empty() &&
            !bi->second->tables.empty()) {
            ++counted;
            EXPECT_EQ(bi->second->tables.front().counted, p.tables.front().counted) << "pid " << p.pid << " " << p.comm;
        }
    }
    EXPECT_GT(compared, 5u);
    EXPECT_GT(counted, 0u);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Agreement,
                         ::testing::Values("population", "dup_storm", "fork_shared", "exited_leader", "unshared_table",
                                           "mmap_after_close", "shm_attach", "inherited_listener", "deleted_file",
                                           "path_names"),
                         [](const ::testing::TestParamInfo<const char*>& i) { return std::string(i.param); });

}  // namespace
}  // namespace fdscope::bpf
