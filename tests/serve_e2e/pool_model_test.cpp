// The input series of contrib/prometheus/alerts_test.yml say what fdscope
// would export for a leaker and for a recycled connection pool. Here
// fdscope's own leak verdict (report::judge_leak, as serve runs it on 1 s
// samples) is run over the same processes second by second: the pool is
// never a suspect (so its fdscope_leak_eta_seconds series is rightly
// absent there) and the leaker is one; and the file's 15 s series are
// checked to be these functions, so the two cannot drift apart.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

#include "report/leak.hpp"

namespace {

using fdscope::report::FdSample;

// alerts_test.yml: pool(t) = int(1000*(t%600)/600) + int(150*(t%3)/3).
std::uint64_t pool(long t) { return static_cast<std::uint64_t>(1000 * (t % 600) / 600 + 150 * (t % 3) / 3); }
constexpr std::uint64_t kPoolLimit = 2048;
// The leaker: 200 fds at t=0, +2 fd/s, soft limit 16384.
constexpr double kLeakerRate = 2;
std::uint64_t leaker(long t) { return 200 + static_cast<std::uint64_t>(std::floor(kLeakerRate * static_cast<double>(t))); }
constexpr std::uint64_t kLeakerLimit = 16384;

// Seconds (of 0..end) at which fdscope's verdict on f, over the last
// window of 1 s samples, is "leak".
std::vector<long> flagged(std::uint64_t (*f)(long), long end, std::uint64_t limit) {
    const fdscope::report::LeakOptions opts;
    std::vector<FdSample> history;
    std::vector<long> out;
    for (long t = 0; t <= end; ++t) {
        history.push_back({static_cast<double>(t), f(t)});
        if (history.size() > 60) history.erase(history.begin());
        if (fdscope::report::judge_leak(history, opts, limit).leak) out.push_back(t);
    }
    return out;
}

// promtool's expanding notation: "a+bxn" is a, a+b, ... (n+1 values),
// "a-bxn" likewise down, "axn" a repeated n+1 times.
std::vector<double> expand(const std::string& values) {
    std::vector<double> out;
    std::istringstream in(values);
    std::string tok;
    while (in >> tok) {
        const auto x = tok.find('x');
        if (x == std::string::npos) {
            out.push_back(std::stod(tok));
            continue;
        }
        const std::string head = tok.substr(0, x);
        const long n = std::stol(tok.substr(x + 1));
        const auto op = head.find_first_of("+-", 1);
        const double a = std::stod(head.substr(0, op));
        const double b = op == std::string::npos ? 0 : std::stod(head.substr(op));
        for (long i = 0; i <= n; ++i) out.push_back(a + b * static_cast<double>(i));
    }
    return out;
}

// The values: of the first input series whose line holds every needle.
std::string series_values(const std::vector<std::string>& needles) {
    std::ifstream in(std::filesystem::path(FDSCOPE_SOURCE_DIR) / "contrib/prometheus/alerts_test.yml");
    std::string line;
    while (std::getline(in, line)) {
        bool all = line.find("- series:") != std::string::npos;
        for (const auto& n : needles) all = all && line.find(n) != std::string::npos;
        if (!all || !std::getline(in, line)) continue;
        const auto a = line.find('\''), b = line.rfind('\'');
        if (line.find("values:") != std::string::npos && a != b) return line.substr(a + 1, b - a - 1);
    }
    return "";
}

}  // namespace

TEST(AlertsTestModel, FdscopeNeverCallsThePoolALeak) {
    const auto f = flagged(pool, 7200, kPoolLimit);
    EXPECT_TRUE(f.empty()) << f.size() << " seconds flagged, the first at t=" << (f.empty() ? 0 : f[0]);
}

TEST(AlertsTestModel, FdscopeCallsTheLeakerALeakAtEverySample) {
    // From the end of its first window on, with no gap: the file's
    // fdscope_leak_eta_seconds for it has a value at every scrape.
    const auto f = flagged(leaker, 7200, kLeakerLimit);
    ASSERT_FALSE(f.empty());
    EXPECT_LE(f.front(), 10);
    EXPECT_EQ(f.size(), static_cast<std::size_t>(7200 - f.front() + 1));
}

TEST(AlertsTestModel, TheFileFeedsPromtoolThesePools) {
    const auto pool_values = expand(series_values({"fdscope_process_open_fds", "pid=\"5151\""}));
    const auto pool_own = expand(series_values({"process_open_fds{job=\"pool\""}));
    const auto leaker_values = expand(series_values({"fdscope_process_open_fds", "pid=\"4242\""}));
    ASSERT_EQ(pool_values.size(), 480u);
    ASSERT_EQ(pool_own, pool_values);
    ASSERT_EQ(leaker_values.size(), 480u);
    for (long i = 0; i < 480; ++i) {
        EXPECT_EQ(pool_values[static_cast<std::size_t>(i)], static_cast<double>(pool(15 * i))) << "t=" << 15 * i;
        EXPECT_EQ(leaker_values[static_cast<std::size_t>(i)], static_cast<double>(leaker(15 * i))) << "t=" << 15 * i;
    }
    EXPECT_EQ(expand(series_values({"fdscope_process_max_fds", "pid=\"5151\""}))[0], static_cast<double>(kPoolLimit));
    EXPECT_EQ(expand(series_values({"fdscope_process_max_fds", "pid=\"4242\""}))[0], static_cast<double>(kLeakerLimit));
    // Its ETA: (limit - fds) / rate, as fdscope computes it.
    const auto eta = expand(series_values({"fdscope_leak_eta_seconds", "pid=\"4242\""}));
    ASSERT_EQ(eta.size(), 480u);
    EXPECT_NEAR(eta[0], static_cast<double>(kLeakerLimit - leaker(0)) / kLeakerRate, 1);
    EXPECT_EQ(expand(series_values({"fdscope_leak_fds_per_second", "pid=\"4242\""}))[0], kLeakerRate);
}
