#include "procfs/parse_trace_status.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <unistd.h>

using fdscope::procfs::parse_trace_status;

TEST(ParseTraceStatus, TheLinesThatMatter) {
    auto st = parse_trace_status(
        "Name:\tsleep\nState:\tS (sleeping)\nTgid:\t42\nPid:\t42\nPPid:\t1\nTracerPid:\t40\n"
        "NoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t3\nSpeculation_Store_Bypass:\tthread vulnerable\n");
    ASSERT_TRUE(st);
    EXPECT_EQ(st->state, 'S');
    EXPECT_EQ(st->tracer_pid, 40);
    EXPECT_EQ(st->seccomp, 2);
    EXPECT_TRUE(st->has_seccomp);
    EXPECT_EQ(st->seccomp_filters, 3u);
}

TEST(ParseTraceStatus, KeysAreMatchedWhole) {
    // "Seccomp_filters" must not be read as "Seccomp", nor "TracerPid" as "Pid".
    auto st = parse_trace_status("Seccomp_filters:\t5\nTracerPid:\t0\n");
    ASSERT_TRUE(st);
    EXPECT_FALSE(st->has_seccomp);
    EXPECT_EQ(st->seccomp, 0);
    EXPECT_EQ(st->seccomp_filters, 5u);
}

TEST(ParseTraceStatus, NotAStatusFile) {
    EXPECT_FALSE(parse_trace_status(""));
    EXPECT_FALSE(parse_trace_status("TracerPid:\tx\n"));
    EXPECT_FALSE(parse_trace_status("\n\n::\n"));
}

TEST(ParseTraceStatus, OurOwn) {
    std::ifstream in("/proc/self/status");
    std::stringstream ss;
    ss << in.rdbuf();
    auto st = parse_trace_status(ss.str());
    ASSERT_TRUE(st);
    EXPECT_EQ(st->state, 'R');
}
