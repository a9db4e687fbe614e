// `fdscope ls` end to end: output contracts, filters, exit statuses, and
// robustness against races and missing permissions.
#include <fcntl.h>
#include <future>
#include <gtest/gtest.h>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "cli/cli_helpers.hpp"

namespace fdscope::test {
namespace {

std::size_t count_lines(const std::string& s) {
    return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

TEST(LsOutput, JsonEnvelopeAndRequiredKeys) {
    Fixture fx("population");
    pid_t pid = fx.facts()["pid"];
    auto doc = fdscope_json({"ls", "-p", std::to_string(pid), "--backend", "procfs"});
    EXPECT_EQ(doc["schema"], 1);
    EXPECT_EQ(doc["command"], "ls");
    EXPECT_EQ(doc["backend"], "procfs");
    // --backend before the command means the command's.
    EXPECT_EQ(fdscope_json({"--backend", "procfs", "ls", "-p", std::to_string(pid)})["backend"], "procfs");
    auto any = fdscope_json({"ls", "-p", std::to_string(pid)});
    EXPECT_TRUE(any["backend"] == "procfs" || any["backend"] == "bpf") << any["backend"];
    EXPECT_TRUE(doc["skipped"].contains("vanished"));
    EXPECT_TRUE(doc["skipped"].contains("permission"));
    const char* keys[] = {"pid", "tid", "command", "uid", "user", "assoc", "fd", "kind", "mode", "flags", "cloexec",
                          "pos", "mnt_id", "dev", "inode", "name", "deleted", "description"};
    ASSERT_FALSE(doc["files"].empty());
    for (const auto& f : doc["files"]) {
        for (const char* k : keys) EXPECT_TRUE(f.contains(k)) << k << " missing in " << f.dump();
        std::string kind = f["kind"];
        if (kind == "tcp" || kind == "udp" || kind == "unix") {
            for (const char* k : {"state", "local", "remote", "netns"}) EXPECT_TRUE(f.contains(k)) << k << f.dump();
        }
        if ((kind == "pipe" || kind == "unix" || kind == "fifo" || kind == "eventfd") && !f["fd"].is_null()) {
            EXPECT_TRUE(f.contains("endpoints")) << f.dump();
        }
        if (f["assoc"] == "mem" || f["assoc"] == "shm") {
            EXPECT_FALSE(f.contains("size")) << "maps gives no size: " << f.dump();
        }
        if (f["fd"].is_null()) {
            EXPECT_NE(f["assoc"], "");
        } else {
            EXPECT_EQ(f["assoc"], std::to_string(f["fd"].get<int>()));
        }
    }
}

TEST(LsOutput, OddNameIsValidJsonAndOneTableRow) {
    Fixture fx("population");
    pid_t pid = fx.facts()["pid"];
    std::string odd;
    int odd_fd = -1;
    for (const auto& f : fx.facts()["fds"])
        if (f["role"] == "odd_name") {
            for (int b : f["name_bytes"]) odd += static_cast<char>(b);
            odd_fd = f["fd"];
        }
    ASSERT_GE(odd_fd, 0);
    auto doc = fdscope_json({"ls", "-p", std::to_string(pid)});  // parses: valid JSON
    bool seen = false;
    for (const auto& f : doc["files"])
        if (f["fd"] == odd_fd) {
            seen = true;
            EXPECT_TRUE(f.value("name_escaped", false));
            EXPECT_EQ(unescape_hex(f["name"].get<std::string>()), odd);
        }
    EXPECT_TRUE(seen);
    RunResult nd = run({fdscope_bin(), "ls", "-p", std::to_string(pid), "--ndjson"});
    ASSERT_EQ(nd.status, 0);
    std::istringstream in(nd.out);
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line); ++lines) EXPECT_TRUE(nlohmann::json::accept(line)) << line;
    EXPECT_EQ(lines, doc["files"].size());
    // Table: one header plus exactly one line per entry, odd name included.
    RunResult t = run({fdscope_bin(), "ls", "-p", std::to_string(pid), "-t", "file"});
    ASSERT_EQ(t.status, 0);
    std::size_t files = 0;
    for (const auto& f : doc["files"]) files += f["kind"] == "file";
    EXPECT_EQ(count_lines(t.out), files + 1);
    EXPECT_NE(t.out.find("odd\\nname\\tx\\xff\\xfe.txt"), std::string::npos) << t.out;
    // CSV: the same rows, quoted where needed.
    RunResult c = run({fdscope_bin(), "ls", "-p", std::to_string(pid), "-t", "file", "--csv", "-o", "fd,name"});
    ASSERT_EQ(c.status, 0);
    EXPECT_EQ(count_lines(c.out), files + 1);
}

using LsFilters = Backends;

TEST_P(LsFilters, InetPortFindsTheListenerInParentAndChild) {
    Fixture fx("inherited_listener");
    int port = fx.facts()["port"];
    auto doc = json({"ls", "-i", ":" + std::to_string(port)});
    std::set<int> pids;
    for (const auto& f : doc["files"]) {
        EXPECT_EQ(f["kind"], "tcp");
        pids.insert(f["pid"].get<int>());
    }
    EXPECT_EQ(pids, (std::set<int>{fx.facts()["pid"].get<int>(), fx.facts()["child_pid"].get<int>()}));
    auto udp = json({"ls", "-i", "udp:" + std::to_string(port)});
    EXPECT_TRUE(udp["files"].empty());
}

TEST_P(LsFilters, KindCommandUserPathDeletedAndCloexec) {
    Fixture fx("population");
    pid_t pid = fx.facts()["pid"];
    std::string p = std::to_string(pid);
    for (const auto& f : json({"ls", "-p", p, "-t", "eventfd,epoll"})["files"])
        EXPECT_TRUE(f["kind"] == "eventfd" || f["kind"] == "epoll");
    auto by_comm = json({"ls", "-c", "^populatio", "-t", "pipe"});
    std::set<int> pids;
    for (const auto& f : by_comm["files"]) pids.insert(f["pid"].get<int>());
    EXPECT_TRUE(pids.count(pid));
    for (const auto& f : json({"ls", "-u", "root", "-p", p})["files"]) EXPECT_EQ(f["user"], "root");
    std::string tmp = fx.facts()["tmpdir"];
    auto by_path = json({"ls", "-p", p, "--path", tmp});
    ASSERT_FALSE(by_path["files"].empty());
    for (const auto& f : by_path["files"]) EXPECT_TRUE(f["name"].get<std::string>().starts_with(tmp));
    auto deleted = json({"ls", "-p", p, "--deleted"});
    ASSERT_EQ(deleted["files"].size(), 1u);
    EXPECT_TRUE(deleted["files"][0]["deleted"].get<bool>());
    auto leaky = json({"ls", "-p", p, "--no-cloexec"});
    std::set<int> fds;
    for (const auto& f : leaky["files"]) {
        EXPECT_FALSE(f["cloexec"].get<bool>());
        fds.insert(f["fd"].get<int>());
    }
    for (const auto& f : fx.facts()["fds"])
        if (f["role"] == "nocloexec") {
            EXPECT_TRUE(fds.count(f["fd"].get<int>()));
        }
}

TEST_P(LsFilters, ColumnsAreChosenWithO) {
    Fixture fx("dup_storm", {"3"});
    RunResult r = run(with_backend({fdscope_bin(), "ls", "-p", std::to_string(fx.facts()["pid"].get<int>()), "-o",
                                    "fd,desc,inode", "-t", "file"}));
    ASSERT_EQ(r.status, 0);
    std::istringstream in(r.out);
    std::string header;
    std::getline(in, header);
    EXPECT_EQ(header.substr(header.find_first_not_of(' ')), "FD DESC    INODE");
    std::set<std::string> descs;
    for (std::string line; std::getline(in, line);) {
        std::istringstream cols(line);
        std::string fd, desc, inode;
        cols >> fd >> desc >> inode;
        if (inode == std::to_string(fx.facts()["inode"].get<std::uint64_t>())) descs.insert(desc);
    }
    EXPECT_EQ(descs.size(), 1u) << "4 fds of one description";
}

INSTANTIATE_BACKENDS(LsFilters);

// Rows per association: "fd" for every fd, else cwd/rtd/exe/mem/shm.
std::map<std::string, int> by_assoc(const nlohmann::json& doc) {
    std::map<std::string, int> n;
    for (const auto& f : doc["files"]) ++n[f["fd"].is_null() ? f["assoc"].get<std::string>() : "fd"];
    return n;
}

// lsfd's rows for pid by ASSOC, in fdscope's terms: its "shm" is a shared
// file mapping (fdscope's "mem"; fdscope's "shm" is a SysV attach), and
// its namespace rows have no counterpart.
std::map<std::string, int> lsfd_by_assoc(pid_t pid) {
    RunResult r = run({"lsfd", "-p", std::to_string(pid), "-n", "-r", "-o", "ASSOC"});
    std::map<std::string, int> n;
    std::istringstream in(r.out);
    for (std::string a; std::getline(in, a);) {
        if (!a.empty() && std::isdigit(static_cast<unsigned char>(a[0]))) ++n["fd"];
        else if (a == "mem" || a == "shm") ++n["mem"];
        else if (a == "cwd" || a == "rtd" || a == "exe") ++n[a];
    }
    return n;
}

using LsAssoc = Backends;

TEST_P(LsAssoc, AssocSelectsAssociationsAndTypeStaysTheFilesKind) {
    Fixture fx("flat", {"3"});
    const pid_t pid = fx.facts()["pid"];
    const std::string p = std::to_string(pid);
    const auto all = by_assoc(json({"ls", "-p", p}));
    ASSERT_GT(all.at("mem"), 0) << "a dynamically linked fixture maps its libraries";
    if (have_tool("lsfd")) {
        EXPECT_EQ(all, lsfd_by_assoc(pid)) << "by default every association is listed, as lsfd lists them";
    }
    EXPECT_EQ(by_assoc(json({"ls", "-p", p, "--assoc", "mem"})), (std::map<std::string, int>{{"mem", all.at("mem")}}));
    EXPECT_EQ(by_assoc(json({"ls", "-p", p, "--assoc", "cwd,rtd,txt"})),
              (std::map<std::string, int>{{"cwd", 1}, {"rtd", 1}, {"exe", 1}}));
    auto but_mem = all;
    but_mem.erase("mem");
    EXPECT_EQ(by_assoc(json({"ls", "-p", p, "--assoc", "^mem"})), but_mem);
    // -t is the file's kind: a mapped library is a file, so -t file lists
    // the mem rows; --assoc fd keeps the fds only.
    const auto files = json({"ls", "-p", p, "-t", "file"});
    EXPECT_EQ(by_assoc(files)["mem"], all.at("mem"));
    for (const auto& f : json({"ls", "-p", p, "-t", "chr", "--assoc", "fd"})["files"]) EXPECT_FALSE(f["fd"].is_null()) << f.dump();
    EXPECT_GE(by_assoc(json({"ls", "-p", p, "-t", "chr", "--assoc", "fd"}))["fd"], 3) << "its three /dev/null fds";
    EXPECT_EQ(by_assoc(json({"ls", "-p", p, "-t", "dir", "--assoc", "fd"})).count("cwd"), 0u);
}

TEST(LsUsage, AssociationsAreNotKinds) {
    RunResult mem = run({fdscope_bin(), "ls", "-t", "mem"});
    EXPECT_EQ(mem.status, 2);
    EXPECT_NE(mem.err.find("mem is an association, not a kind of file (--assoc mem)"), std::string::npos) << mem.err;
    EXPECT_EQ(run({fdscope_bin(), "ls", "-t", "shm"}).status, 2);
    RunResult bad = run({fdscope_bin(), "ls", "--assoc", "heap"});
    EXPECT_EQ(bad.status, 2);
    EXPECT_NE(bad.err.find("unknown association 'heap'"), std::string::npos) << bad.err;
    EXPECT_EQ(run({fdscope_bin(), "ls", "--assoc", "fd,^mem"}).status, 2) << "names and exclusions do not mix";
}

INSTANTIATE_BACKENDS(LsAssoc);

// O_PATH fds can neither read nor write: mode "-" (lsfd: "---"), although
// their O_ACCMODE bits are O_RDONLY's.
using LsModes = Backends;

TEST_P(LsModes, AnOPathFdHasNoAccessMode) {
    const int path_fd = ::open("/etc/hostname", O_PATH | O_CLOEXEC);
    const int read_fd = ::open("/etc/hostname", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(path_fd, 0);
    ASSERT_GE(read_fd, 0);
    auto rows = fd_rows(json({"ls", "-p", std::to_string(::getpid())}), ::getpid());
    EXPECT_EQ(rows[path_fd]["mode"], "-") << rows[path_fd].dump();
    EXPECT_EQ(rows[read_fd]["mode"], "r") << rows[read_fd].dump();
    if (have_tool("lsfd")) {
        RunResult l = run({"lsfd", "-p", std::to_string(::getpid()), "-n", "-r", "-o", "FD,MODE"});
        EXPECT_NE(l.out.find("\n" + std::to_string(path_fd) + " ---\n"), std::string::npos) << l.out;
        EXPECT_NE(l.out.find("\n" + std::to_string(read_fd) + " r--\n"), std::string::npos) << l.out;
    }
    ::close(path_fd);
    ::close(read_fd);
}

INSTANTIATE_BACKENDS(LsModes);

// -p with a pid that does not exist: named, exit status 1, as lsof (and
// fdscope watch); the pids that exist are still listed.
TEST(LsPids, APidThatDoesNotExistIsNamedAndFailsAsWithLsof) {
    const std::string absent = std::to_string(absent_pid());
    const std::string self = std::to_string(::getpid());
    RunResult none = run({fdscope_bin(), "ls", "-p", absent});
    EXPECT_EQ(none.status, 1);
    EXPECT_NE(none.err.find("fdscope ls: no process " + absent), std::string::npos) << none.err;
    EXPECT_EQ(none.out, "") << "nothing to list, as lsof";
    RunResult some = run({fdscope_bin(), "ls", "-p", self + "," + absent, "--json"});
    EXPECT_EQ(some.status, 1);
    EXPECT_NE(some.err.find("no process " + absent), std::string::npos) << some.err;
    auto doc = nlohmann::json::parse(some.out);
    EXPECT_FALSE(fd_rows(doc, ::getpid()).empty()) << "the pid that exists is listed";
    EXPECT_EQ(doc["skipped"]["vanished"], 0) << "a pid that was never there did not vanish mid-scan";
    EXPECT_NE(doc["notes"].dump().find("no process " + absent), std::string::npos) << doc["notes"].dump();
    if (have_tool("lsof")) {
        EXPECT_EQ(run({"lsof", "-p", absent}).status, 1) << "lsof's status, for comparison";
        EXPECT_EQ(run({"lsof", "-p", self + "," + absent}).status, 1);
    }
    EXPECT_EQ(run({fdscope_bin(), "ls", "-p", self}).status, 0);
}

// A thread id names its process (/proc lists only processes, but
// /proc/TID exists): it is not "no process".
TEST(LsPids, AThreadIdMeansItsProcess) {
    int release[2];
    ASSERT_EQ(::pipe2(release, O_CLOEXEC), 0);
    std::promise<pid_t> tid;
    std::thread t([&] {
        tid.set_value(::gettid());
        char c;
        while (::read(release[0], &c, 1) < 0 && errno == EINTR) {}
    });
    const pid_t thread = tid.get_future().get();
    RunResult r = run({fdscope_bin(), "ls", "-p", std::to_string(thread), "--json"});
    ::close(release[1]);
    t.join();
    ::close(release[0]);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_FALSE(fd_rows(nlohmann::json::parse(r.out), ::getpid()).empty());
}

TEST(LsUsage, BadArgumentsExitTwo) {
    EXPECT_EQ(run({fdscope_bin(), "ls", "-t", "nonsense"}).status, 2);
    EXPECT_EQ(run({fdscope_bin(), "ls", "-o", "nonsense"}).status, 2);
    EXPECT_EQ(run({fdscope_bin(), "ls", "-p", "abc"}).status, 2);
    EXPECT_EQ(run({fdscope_bin(), "ls", "-i", "sctp:80"}).status, 2);
    EXPECT_EQ(run({fdscope_bin(), "ls", "-c", "("}).status, 2);
    EXPECT_EQ(run({fdscope_bin(), "ls", "--json", "--csv"}).status, 2);
    EXPECT_EQ(run({fdscope_bin(), "--no-such-option"}).status, 2);
    EXPECT_EQ(run({fdscope_bin(), "ls", "--help"}).status, 0);
}

// An empty -p or -o (an unset shell variable) is not "every process" or
// "the default columns": a usage error that says so.
TEST(LsUsage, EmptyPidOrColumnListIsAUsageError) {
    RunResult p = run({fdscope_bin(), "ls", "-p", ""});
    EXPECT_EQ(p.status, 2);
    EXPECT_NE(p.err.find("no pid given"), std::string::npos) << p.err;
    EXPECT_TRUE(p.out.empty());
    RunResult o = run({fdscope_bin(), "ls", "-p", std::to_string(getpid()), "-o", ""});
    EXPECT_EQ(o.status, 2);
    EXPECT_NE(o.err.find("-o: no column given"), std::string::npos) << o.err;
    EXPECT_TRUE(o.out.empty());
    EXPECT_EQ(run({fdscope_bin(), "ls", "-p", ",", "-o", "pid"}).status, 2);
}

TEST(LsUsage, WriteErrorsExitOne) {
    RunResult r = run({"sh", "-c", "\"$0\" ls -p $$ > /dev/full", fdscope_bin()});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("cannot write"), std::string::npos) << r.err;
    EXPECT_EQ(run({"sh", "-c", "\"$0\" --json > /dev/full", fdscope_bin()}).status, 1);
}

using LsRobustness = Backends;

TEST_P(LsRobustness, ScanDuringAForkStormCompletes) {
    Fixture storm("fork_storm");
    for (int i = 0; i < 3; ++i) {
        RunResult r = run(with_backend({fdscope_bin(), "ls", "--json"}));
        ASSERT_EQ(r.status, 0) << r.err;
        auto doc = nlohmann::json::parse(r.out);
        EXPECT_TRUE(doc["skipped"]["vanished"].is_number());
        RunResult t = run(with_backend({fdscope_bin(), "ls"}));
        EXPECT_EQ(t.status, 0) << t.err;
        RunResult s = run(with_backend({fdscope_bin()}));
        EXPECT_EQ(s.status, 0) << s.err;
    }
}

// Big outputs are rendered in blocks on several threads: the document stays
// one valid JSON array in fd order, NDJSON one line per entry, the table one
// line per fd with every row aligned.
TEST_P(LsRobustness, LargeOutputsKeepOrderAndShape) {
    Fixture fx("dup_storm", {"12000"});
    const std::string pid = std::to_string(fx.facts()["pid"].get<int>());
    auto doc = json({"ls", "-p", pid, "-t", "file"});
    const auto& files = doc["files"];
    std::vector<int> fds;
    for (const auto& f : files)
        if (!f["fd"].is_null()) fds.push_back(f["fd"].get<int>());
    ASSERT_GE(fds.size(), 12001u);
    EXPECT_TRUE(std::is_sorted(fds.begin(), fds.end()));
    EXPECT_EQ(std::adjacent_find(fds.begin(), fds.end()), fds.end()) << "no entry twice";
    RunResult nd = run(with_backend({fdscope_bin(), "ls", "-p", pid, "-t", "file", "--ndjson"}));
    ASSERT_EQ(nd.status, 0) << nd.err;
    std::istringstream in(nd.out);
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line); ++lines) {
        ASSERT_LT(lines, files.size());
        auto e = nlohmann::json::parse(line);
        EXPECT_EQ(e["assoc"], files[lines]["assoc"]);
        EXPECT_EQ(e["name"], files[lines]["name"]);
    }
    EXPECT_EQ(lines, files.size());
    RunResult t = run(with_backend({fdscope_bin(), "ls", "-p", pid, "-t", "file", "-o", "fd,name"}));
    ASSERT_EQ(t.status, 0) << t.err;
    std::istringstream tin(t.out);
    std::string header, line;
    std::getline(tin, header);
    const std::size_t name_at = header.find("NAME");
    std::size_t rows = 0;
    for (; std::getline(tin, line); ++rows) {
        ASSERT_LT(rows, files.size());
        ASSERT_LT(name_at, line.size()) << line;
        EXPECT_TRUE(line[name_at - 1] == ' ' && line[name_at] != ' ') << "columns line up: " << line;
        std::string assoc = line.substr(0, name_at - 1);
        assoc.erase(0, assoc.find_first_not_of(' '));
        EXPECT_EQ(assoc, files[rows]["assoc"].get<std::string>());
    }
    EXPECT_EQ(rows, files.size());
}

INSTANTIATE_BACKENDS(LsRobustness);

TEST(LsUnprivileged, ScanCountsPermissionSkips) {
    if (!is_root()) GTEST_SKIP() << "needs root to switch to nobody";
    if (!have_tool("setpriv")) GTEST_SKIP() << "setpriv (util-linux) not installed";
    RunResult r = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", fdscope_bin(), "ls", "--json"});
    ASSERT_EQ(r.status, 0) << r.err;
    auto doc = nlohmann::json::parse(r.out);
    EXPECT_GT(doc["skipped"]["permission"].get<int>(), 0);
    RunResult t = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", fdscope_bin(), "ls"});
    EXPECT_EQ(t.status, 0);
    EXPECT_NE(t.err.find("permission denied"), std::string::npos) << t.err;
    RunResult s = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", fdscope_bin()});
    EXPECT_EQ(s.status, 0) << s.err;
}

// Without CAP_BPF the BPF iterators cannot load: auto falls back to procfs
// without a word, --backend bpf says why and exits 3.
TEST(LsUnprivileged, BackendAutoFallsBackAndForcedBpfExplains) {
    if (!is_root()) GTEST_SKIP() << "needs root to switch to nobody";
    if (!have_tool("setpriv")) GTEST_SKIP() << "setpriv (util-linux) not installed";
    auto as_nobody = [](const std::vector<std::string>& args) { return fdscope_as_nobody(args); };
    RunResult self = as_nobody({"ls", "--json", "-t", "file"});
    ASSERT_EQ(self.status, 0) << self.err;
    EXPECT_EQ(nlohmann::json::parse(self.out)["backend"], "procfs");
    EXPECT_EQ(self.err.find("BPF"), std::string::npos) << "auto falls back silently: " << self.err;
    RunResult s = as_nobody({"--json"});
    ASSERT_EQ(s.status, 0) << s.err;
    EXPECT_EQ(nlohmann::json::parse(s.out)["backend"], "procfs");

    RunResult forced = as_nobody({"ls", "--backend", "bpf"});
    EXPECT_EQ(forced.status, 3) << forced.err;
    EXPECT_NE(forced.err.find("BPF backend is not available"), std::string::npos) << forced.err;
    EXPECT_TRUE(forced.out.empty()) << "nothing on stdout when the backend cannot run";
    RunResult forced_summary = as_nobody({"--backend", "bpf"});
    EXPECT_EQ(forced_summary.status, 3) << forced_summary.err;
    RunResult forced_before = as_nobody({"--backend", "bpf", "ls"});
    EXPECT_EQ(forced_before.status, 3) << "--backend before ls applies to ls: " << forced_before.err;
}

}  // namespace
}  // namespace fdscope::test
