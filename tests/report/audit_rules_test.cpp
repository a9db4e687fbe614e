// Accepted findings: the suppression file's grammar, what a rule matches
// (kind, command glob, name glob or :PORT), --ignore and --fail-on.
#include "report/audit_rules.hpp"

#include <gtest/gtest.h>

#include "report/model_builders.hpp"

namespace fdscope::report {
namespace {

Finding finding(std::string kind, std::string command, std::string name, std::uint64_t port = 0,
                Severity sev = Severity::Medium) {
    Finding f;
    f.kind = std::move(kind);
    f.command = std::move(command);
    f.name = std::move(name);
    f.port = port;
    f.severity = sev;
    f.pid = 1;
    return f;
}

TEST(AuditRules, ParsesRulesCommentsAndBlankLines) {
    std::string err;
    const auto rules = parse_suppress_rules("# accepted\n\ninherited nginx :80\n  deleted *  /var/log/*  # rotated\n"
                                            "stdio cron\n",
                                            "rules.txt", err);
    ASSERT_TRUE(rules) << err;
    ASSERT_EQ(rules->size(), 3u);
    EXPECT_EQ((*rules)[0].kind, "inherited");
    EXPECT_EQ((*rules)[0].command, "nginx");
    EXPECT_EQ((*rules)[0].pattern, ":80");
    EXPECT_EQ((*rules)[1].pattern, "/var/log/*");
    EXPECT_EQ((*rules)[2].pattern, "");
}

TEST(AuditRules, BadLinesNameTheFileAndLine) {
    std::string err;
    EXPECT_FALSE(parse_suppress_rules("stdio cron\ninherited\n", "r", err));
    EXPECT_EQ(err, "r:2: a rule is KIND COMMAND [PATTERN]");
    EXPECT_FALSE(parse_suppress_rules("leaky * x\n", "r", err));
    EXPECT_EQ(err, "r:1: unknown kind leaky");
}

TEST(AuditRules, KnownKinds) {
    for (auto k : kFindingKinds) EXPECT_TRUE(is_finding_kind(k));
    EXPECT_FALSE(is_finding_kind("inherit"));
    EXPECT_FALSE(is_finding_kind(""));
}

TEST(AuditRules, WhatARuleMatches) {
    const std::vector<SuppressRule> rules = {{"inherited", "ngin?", ":8080"}, {"deleted", "*", "/tmp/*"},
                                             {"stdio", "cron", ""}};
    EXPECT_TRUE(suppressed(finding("inherited", "nginx", "tcp 0.0.0.0:8080 LISTEN", 8080), rules));
    EXPECT_FALSE(suppressed(finding("inherited", "nginx", "tcp 0.0.0.0:8081 LISTEN", 8081), rules));
    EXPECT_FALSE(suppressed(finding("inherited", "nginx", "/srv/:8080", 0), rules)) << "a port rule needs a port";
    EXPECT_FALSE(suppressed(finding("inherited", "apache", "x", 8080), rules));
    EXPECT_TRUE(suppressed(finding("deleted", "anything", "/tmp/a.log"), rules));
    EXPECT_FALSE(suppressed(finding("deleted", "anything", "/var/a.log"), rules));
    EXPECT_TRUE(suppressed(finding("stdio", "cron", "whatever"), rules));
    EXPECT_FALSE(suppressed(finding("no-cloexec", "cron", "whatever"), rules)) << "another kind";
}

TEST(AuditRules, DropAcceptedAndFailAt) {
    Audit a;
    a.findings = {finding("stdio", "cron", "x", 0, Severity::High), finding("deleted", "d", "/tmp/x", 0, Severity::Low),
                  finding("near-limit", "n", "", 0, Severity::Medium)};
    EXPECT_TRUE(fails_at(a, Severity::High));
    drop_accepted(a, {"stdio"}, {{"deleted", "*", "/tmp/*"}});
    ASSERT_EQ(a.findings.size(), 1u);
    EXPECT_EQ(a.findings[0].kind, "near-limit");
    EXPECT_FALSE(fails_at(a, Severity::High));
    EXPECT_TRUE(fails_at(a, Severity::Medium));
    EXPECT_TRUE(fails_at(a, Severity::Low));
}

TEST(AuditRules, CommandMatchesNarrowsTheScope) {
    Snapshot snap;
    snap.processes.push_back(testing::make_process(5, "nginx"));
    snap.processes.push_back(testing::make_process(6, "nginx-worker"));
    snap.processes.push_back(testing::make_process(7, "bash"));
    const std::regex re("^nginx", std::regex::extended);
    EXPECT_EQ(command_matches({5, 7}, snap, re), (std::vector<pid_t>{5}));
    EXPECT_EQ(command_matches({5, 6, 7}, snap, re), (std::vector<pid_t>{5, 6}));
}

}  // namespace
}  // namespace fdscope::report
