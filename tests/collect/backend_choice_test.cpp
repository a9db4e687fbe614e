// collect::scan(Backend, ...): the names --backend takes, which backend
// answers, and that a refused BPF scan is a reason, not a snapshot.
#include <gtest/gtest.h>
#include <unistd.h>

#include "collect/backend.hpp"

namespace fdscope::collect {
namespace {

ScanOptions just_us() {
    ScanOptions o;
    o.pids = std::vector<pid_t>{::getpid()};
    o.sockets = false;
    return o;
}

TEST(ParseBackend, TakesTheThreeNames) {
    EXPECT_EQ(parse_backend("auto"), Backend::Auto);
    EXPECT_EQ(parse_backend("bpf"), Backend::Bpf);
    EXPECT_EQ(parse_backend("procfs"), Backend::Procfs);
}

TEST(ParseBackend, RefusesAnythingElse) {
    EXPECT_FALSE(parse_backend(""));
    EXPECT_FALSE(parse_backend("BPF"));
    EXPECT_FALSE(parse_backend("procfs "));
}

TEST(ParseBackend, EveryListedNameParsesToItsPlace) {
    for (std::size_t i = 0; i < kBackendNames.size(); ++i)
        EXPECT_EQ(parse_backend(kBackendNames[i]), static_cast<Backend>(i)) << kBackendNames[i];
}

TEST(AutoPrefersProcfs, AFewPidsUnlessASearchMustReadABusyMachine) {
    EXPECT_FALSE(auto_prefers_procfs(0, false, 0));  // the whole machine
    EXPECT_TRUE(auto_prefers_procfs(1, false, 0));
    EXPECT_TRUE(auto_prefers_procfs(kProcfsMaxPids, false, 0));
    EXPECT_FALSE(auto_prefers_procfs(kProcfsMaxPids + 1, false, 0));
    EXPECT_TRUE(auto_prefers_procfs(1, true, kProcfsMaxSearchHandles));
    EXPECT_FALSE(auto_prefers_procfs(1, true, kProcfsMaxSearchHandles + 1));
}

TEST(ScanWithBackend, ProcfsAnswersAsProcfs) {
    ScanOutcome r = scan(Backend::Procfs, just_us());
    ASSERT_TRUE(r) << r.why;
    EXPECT_EQ(r.snapshot->backend, "procfs");
    ASSERT_EQ(r.snapshot->processes.size(), 1u);
    EXPECT_EQ(r.snapshot->processes[0].pid, ::getpid());
}

TEST(ScanWithBackend, AutoReadsAFewPidsThroughProcfs) {
    ScanOutcome r = scan(Backend::Auto, just_us());
    ASSERT_TRUE(r) << r.why;
    EXPECT_EQ(r.snapshot->backend, "procfs");
}

TEST(ScanWithBackend, BpfIsASnapshotFromBpfOrAReason) {
    ScanOutcome r = scan(Backend::Bpf, just_us());
    if (!bpf_built()) {
        EXPECT_FALSE(r);
        EXPECT_NE(r.why.find("built without"), std::string::npos) << r.why;
        return;
    }
    if (!r) {
        EXPECT_FALSE(r.why.empty());  // not root, no BTF, ...: said, never a procfs snapshot
        return;
    }
    EXPECT_EQ(r.snapshot->backend, "bpf");
}

}  // namespace
}  // namespace fdscope::collect
