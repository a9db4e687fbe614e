// The metric set: grouping, the per-process selection, the __other__ fold
// and what bounds the series count.
#include "export/metrics.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <numeric>

#include "export/sample_data.hpp"

namespace fdscope::exporter {
namespace {

TEST(GroupOf, Units) {
    struct Case {
        GroupBy by;
        std::string cgroup, comm, exe, want;
    };
    const Case cases[] = {
        {GroupBy::Unit, "0::/system.slice/ssh.service", "sshd", "/usr/sbin/sshd", "ssh.service"},
        {GroupBy::Unit, "0::/system.slice/ssh.service\n", "sshd", "", "ssh.service"},
        {GroupBy::Unit, "/system.slice/ssh.service", "sshd", "", "ssh.service"},
        {GroupBy::Unit, "0::/user.slice/user-0.slice/session-3.scope", "bash", "", "session-3.scope"},
        {GroupBy::Unit, "0::/init.scope", "systemd", "", "init.scope"},
        {GroupBy::Unit, "0::/system.slice/postgresql@15-main.service/worker", "postgres", "", "postgresql@15-main.service"},
        {GroupBy::Unit, "0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-123.scope",
         "firefox", "", "app-gnome-firefox-123.scope"},
        {GroupBy::Unit, "0::/user.slice/user-1000.slice/user@1000.service/app.slice", "pipewire", "", "user@1000.service"},
        {GroupBy::Unit, "0::/system.slice", "kworker", "", "system.slice"},
        {GroupBy::Unit, "0::/machine.slice/libpod-abc.scope/container", "nginx", "", "libpod-abc.scope"},
        {GroupBy::Unit, "0::/dev-hugepages.mount", "x", "", "dev-hugepages.mount"},
        {GroupBy::Unit, "0::/", "kthreadd", "", "kthreadd"},
        {GroupBy::Unit, "", "kthreadd", "", "kthreadd"},
        {GroupBy::Unit, "0::/docker/0123abcd", "redis", "", "redis"},
        {GroupBy::Unit, "0::/system.slice/.service", "odd", "", "system.slice"},  // a bare suffix names no unit
        {GroupBy::Unit, "12:pids:/system.slice/cron.service\n0::/system.slice/cron.service\n", "cron", "", "cron.service"},
        {GroupBy::Unit, "12:pids:/system.slice/cron.service\n", "cron", "", "cron"},  // v1 only: not ours to read
        {GroupBy::Unit, "", "", "", "unknown"},
        {GroupBy::Comm, "0::/system.slice/ssh.service", "sshd", "/usr/sbin/sshd", "sshd"},
        {GroupBy::Cgroup, "0::/system.slice/ssh.service", "sshd", "", "/system.slice/ssh.service"},
        {GroupBy::Cgroup, "", "sshd", "", "sshd"},
        {GroupBy::Exe, "", "sshd", "/usr/sbin/sshd", "sshd"},
        {GroupBy::Exe, "", "x", "/opt/app/bin/server (deleted)", "server"},
        {GroupBy::Exe, "", "kworker/0:1", "", "kworker/0:1"},
    };
    for (const auto& c : cases) EXPECT_EQ(group_of(c.by, c.cgroup, c.comm, c.exe), c.want) << c.cgroup << " " << c.comm;
}

ProcessFacts process(pid_t pid, std::string group, std::uint64_t fds, std::uint64_t max_fds) {
    ProcessFacts p;
    p.pid = pid;
    p.comm = "p" + std::to_string(pid);
    p.group = std::move(group);
    p.fds = fds;
    p.max_fds = max_fds;
    return p;
}

const Family* find(const std::vector<Family>& families, std::string_view name) {
    for (const Family& f : families)
        if (f.name == name) return &f;
    return nullptr;
}

std::string label(const Sample& s, std::string_view name) {
    for (const Label& l : s.labels)
        if (l.name == name) return l.value;
    return {};
}

TEST(SelectProcesses, TopByFdsTopByRatioAndSuspects) {
    ScrapeData data;
    data.processes = {process(1, "a", 500, 0),     process(2, "a", 400, 1 << 20), process(3, "b", 300, 1 << 20),
                      process(4, "b", 10, 16),     process(5, "c", 9, 12),        process(6, "c", 1, 1024),
                      process(7, "c", 300, 1 << 20)};
    data.leaks = {{6, "p6", "c", 1.0, 1000, 0}, {3, "p3", "b", 2.0, std::nullopt, 0}};
    CardinalityOptions opts;
    opts.top = 2;
    opts.max_suspects = 1;
    // By fds: 1, 2. By ratio: 5 (0.75), 4 (0.625). Suspect nearest ETA: 6.
    EXPECT_EQ(select_processes(data, opts), (std::vector<pid_t>{1, 2, 4, 5, 6}));
    opts.max_suspects = 2;
    EXPECT_EQ(select_processes(data, opts), (std::vector<pid_t>{1, 2, 3, 4, 5, 6}));
    opts.top = 0;
    opts.max_suspects = 0;
    EXPECT_TRUE(select_processes(data, opts).empty());
}

TEST(SelectProcesses, TiesGoToTheLowerPid) {
    ScrapeData data;
    data.processes = {process(9, "a", 5, 10), process(3, "a", 5, 10), process(7, "a", 5, 10)};
    CardinalityOptions opts;
    opts.top = 1;
    EXPECT_EQ(select_processes(data, opts), (std::vector<pid_t>{3}));
}

TEST(BuildFamilies, GroupsPastTheCapFoldIntoOther) {
    ScrapeData data;
    data.processes = {process(1, "big", 100, 1000), process(2, "mid", 50, 100),  process(3, "small", 5, 10),
                      process(4, "tiny", 1, 0),     process(5, "small", 2, 4),   process(6, "__other__", 7, 0)};
    CardinalityOptions opts;
    opts.max_groups = 2;
    const auto families = build_families(data, opts);
    const Family* fds = find(families, "fdscope_group_open_fds");
    const Family* procs = find(families, "fdscope_group_processes");
    const Family* worst = find(families, "fdscope_group_worst_fd_ratio");
    ASSERT_TRUE(fds && procs && worst);
    std::map<std::string, double> by_group, count, ratio;
    for (const Sample& s : fds->samples) by_group[label(s, "group")] = s.value;
    for (const Sample& s : procs->samples) count[label(s, "group")] = s.value;
    for (const Sample& s : worst->samples) ratio[label(s, "group")] = s.value;
    // A process calling its group "__other__" is folded with the rest.
    EXPECT_EQ(by_group, (std::map<std::string, double>{{"__other__", 15}, {"big", 100}, {"mid", 50}}));
    EXPECT_EQ(count, (std::map<std::string, double>{{"__other__", 4}, {"big", 1}, {"mid", 1}}));
    // Worst ratio is the max: small's 2/4 beats 5/10; tiny and "__other__" have no limit.
    EXPECT_EQ(ratio, (std::map<std::string, double>{{"__other__", 0.5}, {"big", 0.1}, {"mid", 0.5}}));
}

TEST(BuildFamilies, GroupWithoutAnyLimitHasNoRatio) {
    ScrapeData data;
    data.processes = {process(1, "nolimit", 100, 0)};
    const auto families = build_families(data, {});
    EXPECT_TRUE(find(families, "fdscope_group_worst_fd_ratio")->samples.empty());
    EXPECT_EQ(find(families, "fdscope_group_open_fds")->samples.size(), 1U);
}

TEST(BuildFamilies, OptionalCollectorsOmittedWhenAbsent) {
    ScrapeData data;
    data.processes = {process(1, "a", 3, 10)};
    const auto families = build_families(data, {});
    for (auto name : {"fdscope_file_handles_attributed", "fdscope_account_timestamp_seconds", "fdscope_inherited_fds",
                      "fdscope_audit_timestamp_seconds", "fdscope_process_open_fds_by_kind"})
        EXPECT_EQ(find(families, name), nullptr) << name;
    const Family* suspects = find(families, "fdscope_leak_suspects");
    ASSERT_NE(suspects, nullptr);
    ASSERT_EQ(suspects->samples.size(), 1U);
    EXPECT_EQ(suspects->samples[0].value, 0);
    EXPECT_NE(find(families, "fdscope_leak_eta_seconds"), nullptr);  // metadata only: rules need no absent()
}

TEST(BuildFamilies, ProcessWithUnknownLimitHasNoMaxSeries) {
    ScrapeData data;
    data.processes = {process(1, "a", 3, 0), process(2, "a", 3, 8)};
    const auto families = build_families(data, {});
    const Family* max = find(families, "fdscope_process_max_fds");
    ASSERT_EQ(max->samples.size(), 1U);
    EXPECT_EQ(label(max->samples[0], "pid"), "2");
}

TEST(BuildFamilies, InheritedGroupsFoldLikeTheGroups) {
    ScrapeData data;
    data.processes = {process(1, "big", 100, 1000), process(2, "small", 5, 10)};
    InheritedFacts in;
    in.by_group_severity = {{{"big", "high"}, 1}, {{"small", "high"}, 2}, {{"gone", "high"}, 3}, {{"small", "low"}, 4}};
    data.inherited = in;
    CardinalityOptions opts;
    opts.max_groups = 1;
    const auto families = build_families(data, opts);
    std::map<std::pair<std::string, std::string>, double> got;
    for (const Sample& s : find(families, "fdscope_inherited_fds")->samples)
        got[{label(s, "group"), label(s, "severity")}] = s.value;
    EXPECT_EQ(got, (std::map<std::pair<std::string, std::string>, double>{
                       {{"__other__", "high"}, 5}, {{"__other__", "low"}, 4}, {{"big", "high"}, 1}}));
}

// A 1,000-process machine: 300 units, a long tail, 5 leak suspects, the
// kinds collector on. With the defaults the exposition stays under 1,000
// series and the folded sums equal the machine's totals.
TEST(Cardinality, ThousandProcessesStayUnderThousandSeries) {
    ScrapeData data = sample::thousand_processes();
    CardinalityOptions opts;
    opts.kinds = true;
    const auto families = build_families(data, opts);
    std::size_t series = 0;
    for (const Family& f : families) series += f.samples.size();
    EXPECT_LT(series, 1000U);
    const std::string text = render(families, Format::Text);
    EXPECT_LT(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) - 2 * families.size(), 1000U);

    const Family* groups = find(families, "fdscope_group_open_fds");
    EXPECT_EQ(groups->samples.size(), opts.max_groups + 1);  // 200 kept and __other__
    double fds = 0, procs = 0;
    for (const Sample& s : groups->samples) fds += s.value;
    for (const Sample& s : find(families, "fdscope_group_processes")->samples) procs += s.value;
    const auto total = std::accumulate(data.processes.begin(), data.processes.end(), std::uint64_t{0},
                                       [](std::uint64_t n, const ProcessFacts& p) { return n + p.fds; });
    EXPECT_EQ(fds, static_cast<double>(total));
    EXPECT_EQ(procs, static_cast<double>(data.processes.size()));
    // Per-process series: at most top + top + max_suspects pids.
    EXPECT_LE(find(families, "fdscope_process_open_fds")->samples.size(), 2 * opts.top + opts.max_suspects);
    EXPECT_EQ(find(families, "fdscope_leak_suspects")->samples[0].value, 5);
    EXPECT_EQ(find(families, "fdscope_leak_fds_per_second")->samples.size(), 5U);
}

TEST(Cardinality, SuspectsPastTheCapAreCountedButNotListed) {
    ScrapeData data;
    for (pid_t pid = 1; pid <= 80; ++pid) {
        data.processes.push_back(process(pid, "g", 10, 100));
        data.leaks.push_back({pid, "p", "g", 1, static_cast<double>(1000 - pid), 0});
    }
    CardinalityOptions opts;
    opts.top = 0;
    const auto families = build_families(data, opts);
    EXPECT_EQ(find(families, "fdscope_leak_suspects")->samples[0].value, 80);
    const auto& eta = find(families, "fdscope_leak_eta_seconds")->samples;
    ASSERT_EQ(eta.size(), opts.max_suspects);
    EXPECT_EQ(label(eta.front(), "pid"), "31");  // the 50 nearest ETAs: pids 31..80
}

}  // namespace
}  // namespace fdscope::exporter
