// `fdscope account` against the kernel's own count: each fixture builds one
// story of handles without descriptors (or descriptors without handles), and
// the attribution's deltas must match file-nr's delta. These tests run alone
// (RUN_SERIAL): file-nr is machine-wide.
#include <algorithm>
#include <cstdlib>
#include <gtest/gtest.h>
#include <regex>

#include "cli/cli_helpers.hpp"

namespace fdscope::test {
namespace {

using nlohmann::json;

// Some slack for the machine's own churn between two reads of file-nr.
constexpr long long kSlack = 40;

long long num(const json& j) { return j.get<long long>(); }

struct Counts {
    long long allocated, fds, fd_tables, mappings, sysv_shm, in_flight, unattributed;
};

Counts counts(const json& doc) {
    const auto& h = doc["held_by"];
    return {num(doc["file_nr"]["allocated"]), num(doc["fds"]),     num(h["fd_tables"]), num(h["mappings"]),
            num(h["sysv_shm"]),                 num(h["in_flight"]), num(h["unattributed"])};
}

const json* process(const json& doc, pid_t pid) {
    for (const auto& p : doc["processes"])
        if (p["pid"] == pid) return &p;
    return nullptr;
}

using Account = Backends;

TEST_P(Account, ContractAndKernelFigures) {
    auto doc = json({"account"});
    EXPECT_EQ(doc["schema"], 1);
    EXPECT_EQ(doc["command"], "account");
    EXPECT_EQ(doc["backend"], backend());
    EXPECT_GT(num(doc["file_nr"]["allocated"]), 0);
    EXPECT_GT(num(doc["file_nr"]["max"]), 0);
    EXPECT_GT(num(doc["nr_open"]), 0);
    for (const char* k : {"fd_tables", "mappings", "sysv_shm", "in_flight", "unattributed"})
        EXPECT_TRUE(doc["held_by"][k].is_number()) << k;
    EXPECT_TRUE(doc["verdict"].is_string());
    const Counts c = counts(doc);
    EXPECT_EQ(doc["exact"].get<bool>(), backend() == "bpf" && num(doc["unreadable_fds"]) == 0 && c.in_flight == 0 &&
                                            num(doc["held_by"]["io_uring"]) == 0);
    // The parts and the remainder add up to file-nr (the JSON's arithmetic).
    const long long attributed = c.fd_tables + c.mappings + c.sysv_shm + c.in_flight + num(doc["held_by"]["io_uring"]);
    EXPECT_NEAR(static_cast<double>(attributed + c.unattributed - num(doc["held_by"]["over"])),
                static_cast<double>(c.allocated), 1.0);
    RunResult t = run(with_backend({fdscope_bin(), "account"}));
    ASSERT_EQ(t.status, 0) << t.err;
    EXPECT_NE(t.out.find("Held by"), std::string::npos) << t.out;
}

TEST_P(Account, TwoThousandDupsAreOneHandle) {
    const Counts before = counts(json({"account"}));
    Fixture fx("dup_storm", {"2000"});
    const auto doc = json({"account"});
    const Counts after = counts(doc);
    const nlohmann::json* p = process(doc, fx.facts()["pid"]);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(num((*p)["fds"]) - num((*p)["descriptions"]), 2000) << p->dump();
    EXPECT_GE(after.fds - before.fds, 2000);
    EXPECT_LT(after.allocated - before.allocated, kSlack) << "2,000 dups allocate no handle";
    EXPECT_NEAR(static_cast<double>(after.fd_tables - before.fd_tables),
                static_cast<double>(after.allocated - before.allocated), kSlack);
}

TEST_P(Account, MappedThenClosedFilesAreMappings) {
    const Counts before = counts(json({"account"}));
    Fixture fx("mmap_after_close", {"2000", "4096"});
    const auto doc = json({"account"});
    const Counts after = counts(doc);
    const nlohmann::json* p = process(doc, fx.facts()["pid"]);
    ASSERT_NE(p, nullptr);
    // Its 2,000 files, and the libraries its loader mapped and closed.
    EXPECT_GE(num((*p)["mappings"]), 2000) << p->dump();
    EXPECT_LE(num((*p)["mappings"]), 2000 + 20) << p->dump();
    EXPECT_EQ(doc["processes"][0]["pid"], fx.facts()["pid"]) << "the process explaining the gap comes first";
    const long long grown = after.allocated - before.allocated;
    EXPECT_NEAR(static_cast<double>(grown), 2000.0, kSlack);
    EXPECT_NEAR(static_cast<double>(after.mappings - before.mappings), static_cast<double>(grown), kSlack);
    EXPECT_LT(after.fds - before.fds, kSlack) << "no descriptor keeps them";
    EXPECT_NE(doc["verdict"].get<std::string>().find("memory mappings"), std::string::npos) << doc["verdict"];
}

TEST_P(Account, ShmSegmentAttachedThreeThousandTimes) {
    const Counts before = counts(json({"account"}));
    Fixture fx("shm_attach", {"3000"});
    const auto doc = json({"account"});
    const Counts after = counts(doc);
    const nlohmann::json* seg = nullptr;
    for (const auto& s : doc["shm_segments"])
        if (s["shmid"] == fx.facts()["shmid"]) seg = &s;
    ASSERT_NE(seg, nullptr);
    EXPECT_EQ(num((*seg)["attaches"]), 3000);
    EXPECT_EQ(num((*seg)["nattch"]), 3000);
    EXPECT_EQ((*seg)["pids"], nlohmann::json::array({fx.facts()["pid"]}));
    EXPECT_EQ((*seg)["key"], fx.facts()["key"]);
    const nlohmann::json* p = process(doc, fx.facts()["pid"]);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(num((*p)["sysv_shm"]), 3000);
    const long long grown = after.allocated - before.allocated;
    EXPECT_NEAR(static_cast<double>(grown), 3001.0, kSlack) << "3,000 attaches and the segment's own file";
    EXPECT_NEAR(static_cast<double>(after.sysv_shm - before.sysv_shm), 3001.0, 1.0);
    const std::string verdict = doc["verdict"];
    EXPECT_NE(verdict.find(fx.facts()["key_hex"].get<std::string>()), std::string::npos) << verdict;
    EXPECT_NE(verdict.find("3,000 times"), std::string::npos) << verdict;
    EXPECT_NE(verdict.find("pid " + std::to_string(fx.facts()["pid"].get<int>())), std::string::npos) << verdict;
}

// fork() shares each attach's struct file with the child: 5 attaches held by
// a parent and 10 forked children are 5 handles (nattch counts 55 mappings).
TEST_P(Account, ForkInheritedShmAttachesAreTheParentsHandles) {
    const Counts before = counts(json({"account"}));
    Fixture fx("shm_attach", {"5", "--fork", "10"});
    const auto doc = json({"account"});
    const Counts after = counts(doc);
    const nlohmann::json* seg = nullptr;
    for (const auto& s : doc["shm_segments"])
        if (s["shmid"] == fx.facts()["shmid"]) seg = &s;
    ASSERT_NE(seg, nullptr) << doc["shm_segments"].dump();
    EXPECT_EQ(num((*seg)["nattch"]), 55);
    EXPECT_EQ(num((*seg)["attaches"]), 5) << seg->dump();
    EXPECT_EQ((*seg)["pids"].size(), 11u) << seg->dump();
    EXPECT_NEAR(static_cast<double>(after.sysv_shm - before.sysv_shm), 6.0, 1.0) << "5 attaches and the segment's file";
    // Each process holds them (its own view, as with fork-shared fds).
    for (const auto& child : fx.facts()["children"]) {
        const nlohmann::json* p = process(doc, child.get<pid_t>());
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(num((*p)["sysv_shm"]), 5) << p->dump();
    }
}

TEST_P(Account, ExitedLeadersThousandFdsAreCounted) {
    const Counts before = counts(json({"account"}));
    Fixture fx("exited_leader", {"1000"});
    const auto doc = json({"account"});
    const Counts after = counts(doc);
    const nlohmann::json* p = process(doc, fx.facts()["pid"]);
    ASSERT_NE(p, nullptr);
    EXPECT_GE(num((*p)["fds"]), 1000);
    EXPECT_GE(num((*p)["descriptions"]), 1000);
    const long long grown = after.allocated - before.allocated;
    EXPECT_GE(grown, 1000 - kSlack);
    EXPECT_NEAR(static_cast<double>(after.fd_tables - before.fd_tables), static_cast<double>(grown), kSlack);
}

TEST_P(Account, FdsInFlightOverAUnixSocket) {
    const Counts before = counts(json({"account"}));
    Fixture fx("in_flight", {"300"});
    const auto doc = json({"account"});
    const Counts after = counts(doc);
    const nlohmann::json* p = process(doc, fx.facts()["pid"]);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(num((*p)["in_flight"]), 300) << p->dump();
    EXPECT_NEAR(static_cast<double>(after.in_flight - before.in_flight), 300.0, 5.0);
    const long long grown = after.allocated - before.allocated;
    EXPECT_NEAR(static_cast<double>(grown), 302.0, kSlack) << "300 files and the socket pair";
    EXPECT_LT(after.fds - before.fds, kSlack);
    EXPECT_FALSE(doc["exact"].get<bool>()) << "queued files are known by count only";
}

TEST_P(Account, FilesRegisteredWithIoUring) {
    const auto first = json({"account"});
    const Counts before = counts(first);
    Fixture fx("uring_files", {"100"});
    if (fx.facts().contains("skip")) GTEST_SKIP() << fx.facts()["skip"].get<std::string>();
    const auto doc = json({"account"});
    const Counts after = counts(doc);
    const nlohmann::json* p = process(doc, fx.facts()["pid"]);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(num((*p)["io_uring"]), 100) << p->dump();
    EXPECT_EQ(num(doc["held_by"]["io_uring"]) - num(first["held_by"]["io_uring"]), 100);
    const long long grown = after.allocated - before.allocated;
    EXPECT_NEAR(static_cast<double>(grown), 101.0, kSlack) << "100 files and the ring";
    EXPECT_FALSE(doc["exact"].get<bool>()) << "registered files are known by count only";
}

// procfs bounds the mapping-only handles; BPF counts them. The exact count
// lies within the bounds, and the estimate (one per file and lowest
// address: forked children share their parent's) comes close, also with a
// forked child holding the parent's mappings.
TEST(AccountBackends, ProcfsMappingRangeHoldsTheExactCount) {
    if (std::string why = bpf_unavailable_reason(); !why.empty()) GTEST_SKIP() << "the BPF backend cannot run here: " << why;
    Fixture fx("mmap_after_close", {"500", "4096"});
    Fixture forked("fork_shared");
    const auto pro = fdscope_json({"account", "--backend", "procfs"});
    const auto bpf = fdscope_json({"account", "--backend", "bpf"});
    const long long exact = num(bpf["held_by"]["mappings"]);
    const auto& range = pro["mappings_range"];
    EXPECT_LE(num(range["low"]), exact) << pro["mappings_range"].dump();
    EXPECT_GE(num(range["high"]), exact) << pro["mappings_range"].dump();
    EXPECT_NEAR(static_cast<double>(num(range["estimate"])), static_cast<double>(exact), 10.0) << range.dump();
    EXPECT_TRUE(range["derivation"].is_string());
    EXPECT_EQ(bpf["mappings_range"]["low"], bpf["mappings_range"]["high"]);
}

// procfs has no struct file for an attach: a forked child's inherited one is
// told from its own by address; BPF sees the struct file. Same count.
TEST(AccountBackends, ProcfsCountsForkSharedAttachesAsBpfDoes) {
    if (std::string why = bpf_unavailable_reason(); !why.empty()) GTEST_SKIP() << "the BPF backend cannot run here: " << why;
    Fixture fx("shm_attach", {"5", "--fork", "10"});
    auto attaches = [&](const nlohmann::json& doc) {
        for (const auto& s : doc["shm_segments"])
            if (s["shmid"] == fx.facts()["shmid"]) return num(s["attaches"]);
        return -1LL;
    };
    const auto pro = fdscope_json({"account", "--backend", "procfs"});
    const auto bpf = fdscope_json({"account", "--backend", "bpf"});
    EXPECT_EQ(attaches(bpf), 5);
    EXPECT_EQ(attaches(pro), attaches(bpf));
    EXPECT_EQ(num(pro["held_by"]["sysv_shm"]), num(bpf["held_by"]["sysv_shm"]));
}

// As an unprivileged user nearly every fd is another user's: each may hold
// at most one handle, and together no more than file-nr leaves; the verdict
// and the "not exact" line say how many could not be read.
TEST(AccountUnprivileged, UnreadableFdsAreBoundedAndNamed) {
    if (!is_root()) GTEST_SKIP() << "needs root to run fdscope as nobody (and other users' fds to exist)";
    if (!have_tool("setpriv")) GTEST_SKIP() << "setpriv (util-linux) is missing";
    Fixture fx("dup_storm", {"2000"});  // root's: unreadable to nobody
    RunResult r = fdscope_as_nobody({"account", "--backend", "procfs", "--json"});
    ASSERT_EQ(r.status, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    const long long unreadable = num(doc["unreadable_fds"]), allocated = num(doc["file_nr"]["allocated"]);
    ASSERT_GE(unreadable, 2000) << "the fixture's fds at least";
    EXPECT_LE(num(doc["held_by"]["fd_tables"]), allocated) << doc["held_by"].dump();
    EXPECT_LE(num(doc["unreadable_handles"]), unreadable);
    EXPECT_FALSE(doc["exact"].get<bool>());
    // No "N of M handles" with N above M, and the unreadable fds named.
    const std::string verdict = doc["verdict"];
    std::regex of_handles("([0-9,]+) of ([0-9,]+) handles");
    auto plain = [](std::string n) { return std::stoll(std::regex_replace(n, std::regex(","), "")); };
    for (std::sregex_iterator it(verdict.begin(), verdict.end(), of_handles), end; it != end; ++it)
        EXPECT_LE(plain((*it)[1]), plain((*it)[2])) << verdict;
    EXPECT_NE(verdict.find("could not read"), std::string::npos) << verdict;
    ASSERT_FALSE(doc["inexact"].empty());
    EXPECT_NE(doc["inexact"][0].get<std::string>().find("could not be read"), std::string::npos) << doc["inexact"];

    RunResult t = fdscope_as_nobody({"account", "--backend", "procfs"});
    ASSERT_EQ(t.status, 0) << t.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(t.out, m, std::regex("Backend procfs: not exact: ([0-9,]+) of ([0-9,]+) fds could not be read")))
        << t.out;
    EXPECT_GE(plain(m[1]), 2000) << t.out;
    const std::string first = t.out.substr(0, t.out.find('\n'));
    for (std::sregex_iterator it(first.begin(), first.end(), of_handles), end; it != end; ++it)
        EXPECT_LE(plain((*it)[1]), plain((*it)[2])) << first;
}

// With BPF every handle a process keeps is identified; what is left is the
// kernel's own (and lazily freed files): under 0.5% of the allocated ones
// with the stories above all running.
TEST(AccountBpf, LeavesLittleUnattributed) {
    if (std::string why = bpf_unavailable_reason(); !why.empty()) GTEST_SKIP() << "the BPF backend cannot run here: " << why;
    Fixture a("dup_storm", {"2000"});
    Fixture b("mmap_after_close", {"2000", "4096"});
    Fixture c("shm_attach", {"3000"});
    Fixture d("exited_leader", {"1000"});
    Fixture e("in_flight", {"300"});
    const auto doc = fdscope_json({"account", "--backend", "bpf"});
    const Counts n = counts(doc);
    EXPECT_LT(static_cast<double>(n.unattributed), 0.005 * static_cast<double>(n.allocated))
        << n.unattributed << " of " << n.allocated << ": " << doc["verdict"];
    // Nor counted twice: beyond what unreadable fds (each taken as a handle)
    // may add, the parts stay within 0.5% above file-nr too.
    EXPECT_LT(static_cast<double>(num(doc["held_by"]["over"])),
              0.005 * static_cast<double>(n.allocated) + static_cast<double>(num(doc["unreadable_fds"])))
        << doc["held_by"].dump();
}

INSTANTIATE_BACKENDS(Account);

}  // namespace
}  // namespace fdscope::test
