// What `fdscope serve` exports from watch's verdicts and from the cached
// account and audit scans, on real fixtures.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <unistd.h>

#include "serve/serve_daemon.hpp"
#include "support/support.hpp"

namespace fdscope::test {
namespace {

// Scrapes until `done` holds for a body (at most `seconds`); the last body.
std::string scrape_until(const ServeDaemon& d, const std::function<bool(const std::string&)>& done, int seconds) {
    httplib::Client c("127.0.0.1", d.port());
    c.set_read_timeout(30, 0);
    std::string body;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < until) {
        // Each scrape waits on the server: no sleep between them is needed
        // for progress, one short pause keeps the loop from spinning.
        auto r = c.Get("/metrics");
        if (r && r->status == 200) {
            body = r->body;
            if (done(body)) break;
        }
        usleep(200000);
    }
    return body;
}

TEST(ServeCollectors, LeakVerdictForTheLeakerOnly) {
    Fixture leaker("leaker", {"50", "4096"});
    Fixture flat("flat", {"40"});
    const std::string lpid = "pid=\"" + std::to_string(leaker.facts()["pid"].get<int>()) + "\"";
    const std::string fpid = "pid=\"" + std::to_string(flat.facts()["pid"].get<int>()) + "\"";
    ServeDaemon d({"--web.listen-address=127.0.0.1:0", "--leak.window=4s"});
    const std::string body = scrape_until(
        d, [&](const std::string& b) { return b.find("fdscope_leak_eta_seconds{" + lpid) != std::string::npos; }, 40);
    const std::size_t at = body.find("fdscope_leak_eta_seconds{" + lpid);
    ASSERT_NE(at, std::string::npos) << "no verdict for the leaker: " << body.substr(0, 4000);
    const double eta = std::strtod(body.c_str() + body.find(' ', body.find('}', at)) + 1, nullptr);
    EXPECT_GT(eta, 0);
    EXPECT_LT(eta, 4096 * 0.05 + 10) << "about (limit - fds) * 50 ms";
    const std::size_t rate_at = body.find("fdscope_leak_fds_per_second{" + lpid);
    ASSERT_NE(rate_at, std::string::npos);
    const double rate = std::strtod(body.c_str() + body.find(' ', body.find('}', rate_at)) + 1, nullptr);
    EXPECT_NEAR(rate, 20, 8) << "one fd per 50 ms";
    EXPECT_GE(sample_value(body, "fdscope_leak_suspects"), 1);
    EXPECT_EQ(body.find("fdscope_leak_eta_seconds{" + fpid), std::string::npos) << "the flat process is not a suspect";
}

// A slow leak (one fd per 1.4 s: its verdict comes and goes over the 8 s
// window) stays a suspect in every scrape once flagged: --leak.hold.
TEST(ServeCollectors, ASlowLeakerStaysASuspectOnceFlagged) {
    Fixture leaker("leaker", {"1400", "4096"});
    const std::string lpid = "fdscope_leak_eta_seconds{pid=\"" + std::to_string(leaker.facts()["pid"].get<int>()) + "\"";
    ServeDaemon d({"--web.listen-address=127.0.0.1:0"});
    const std::string first =
        scrape_until(d, [&](const std::string& b) { return b.find(lpid) != std::string::npos; }, 60);
    ASSERT_NE(first.find(lpid), std::string::npos) << "never flagged within 60 s";
    // Then 15 s of scrapes, about two a second: the suspect is in every one.
    int scrapes = 0, missing = 0;
    scrape_until(
        d,
        [&](const std::string& b) {
            ++scrapes;
            missing += b.find(lpid) == std::string::npos;
            return false;
        },
        15);
    EXPECT_GE(scrapes, 10);
    EXPECT_EQ(missing, 0) << "of " << scrapes << " scrapes";
}

TEST(ServeCollectors, AccountAndAuditAreCachedWithTheirTime) {
    if (!is_root()) {
        GTEST_SKIP() << "account and audit read every process's fds: needs root";
    }
    Fixture inherited("inherited_listener");
    ServeDaemon d({"--web.listen-address=127.0.0.1:0", "--collector.account", "--collector.audit", "--collector.interval=1s",
                   "--group-by=comm"});
    const std::string body = scrape_until(
        d,
        [](const std::string& b) {
            return sample_value(b, "fdscope_scrape_collector_success{collector=\"account\"}") == 1 &&
                   sample_value(b, "fdscope_scrape_collector_success{collector=\"audit\"}") == 1;
        },
        60);
    ASSERT_EQ(sample_value(body, "fdscope_scrape_collector_success{collector=\"account\"}"), 1) << body.substr(0, 4000);
    ASSERT_EQ(sample_value(body, "fdscope_scrape_collector_success{collector=\"audit\"}"), 1);
    const double stamp = sample_value(body, "fdscope_account_timestamp_seconds");
    EXPECT_GT(stamp, static_cast<double>(time(nullptr)) - 30);
    EXPECT_LE(stamp, static_cast<double>(time(nullptr)) + 1);
    EXPECT_GT(sample_value(body, "fdscope_file_handles_attributed{holder=\"fd_table\"}"), 0);
    EXPECT_GT(sample_value(body, "fdscope_audit_timestamp_seconds"), static_cast<double>(time(nullptr)) - 30);
    // The sleep that inherited the listener across its exec.
    EXPECT_GT(sample_value(body, "fdscope_inherited_fds{group=\"sleep\",severity=\"high\"}"), 0)
        << body.substr(body.find("fdscope_inherited_fds"), 600);
}

}  // namespace
}  // namespace fdscope::test
