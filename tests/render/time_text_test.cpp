// Times and durations for people.
#include "render/time_text.hpp"

#include <cstdlib>
#include <ctime>
#include <limits>
#include <string>
#include <gtest/gtest.h>

namespace fdscope::render {
namespace {

TEST(TimeText, Durations) {
    EXPECT_EQ(format_duration(34), "34s");
    EXPECT_EQ(format_duration(59.6), "1m00s");
    EXPECT_EQ(format_duration(3720), "1h02m");
    EXPECT_EQ(format_duration(90000), "1d01h");
    EXPECT_EQ(format_duration(-1), "never");
    EXPECT_EQ(format_duration(std::numeric_limits<double>::infinity()), "never");
}

TEST(TimeText, Spans) {
    EXPECT_EQ(span_text(45), "45 s");
    EXPECT_EQ(span_text(300), "5 min");
    EXPECT_EQ(span_text(12600), "3.5 h");
}

class InUtc : public ::testing::Test {
protected:
    void SetUp() override {
        const char* tz = std::getenv("TZ");
        if (tz) saved_ = tz, had_ = true;
        ::setenv("TZ", "UTC", 1);
        ::tzset();
    }
    void TearDown() override {
        had_ ? ::setenv("TZ", saved_.c_str(), 1) : ::unsetenv("TZ");
        ::tzset();
    }

private:
    std::string saved_;
    bool had_ = false;
};

TEST_F(InUtc, ClockAndLocalTime) {
    EXPECT_EQ(format_clock(1764720000 + 3661), "01:01:01");  // 2025-12-03 00:00 UTC + 1h1m1s
    EXPECT_EQ(local_time(1764720000, "%F %T %Z"), "2025-12-03 00:00:00 UTC");
    EXPECT_EQ(local_time(1e300, "%F"), "1e+300") << "no time_t holds it: the number";
}

}  // namespace
}  // namespace fdscope::render
