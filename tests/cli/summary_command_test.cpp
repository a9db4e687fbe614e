// The machine summary: counts, top processes, near-limit, JSON contract.
#include <filesystem>
#include <memory>
#include <sstream>
#include <gtest/gtest.h>

#include "support/support.hpp"

#include "cli/cli_helpers.hpp"

namespace fdscope::test {
namespace {

using Summary = Backends;

TEST_P(Summary, TopAndNearLimitNameTheFixtures) {
    Fixture big("dup_storm", {"3000"});
    Fixture near("fd_limit", {"200", "85"});
    RunResult r = run(with_backend({fdscope_bin(), "--json", "--top", "50"}));
    ASSERT_EQ(r.status, 0) << r.err;
    auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["schema"], 1);
    EXPECT_EQ(doc["backend"], backend());
    EXPECT_EQ(doc["command"], "summary");
    EXPECT_GT(doc["file_nr"]["max"].get<std::uint64_t>(), 0u);
    EXPECT_GE(doc["fds"].get<std::uint64_t>(), 3000u);
    bool big_seen = false, near_seen = false;
    for (const auto& p : doc["top"])
        if (p["pid"] == big.facts()["pid"]) {
            big_seen = true;
            std::size_t listed = 0;
            for (const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(p["pid"].get<int>()) + "/fd")) {
                (void)e;
                ++listed;
            }
            EXPECT_EQ(p["fds"].get<std::uint64_t>(), listed);
        }
    for (const auto& p : doc["near_limit"])
        if (p["pid"] == near.facts()["pid"]) {
            near_seen = true;
            EXPECT_EQ(p["limit"], 200);
            EXPECT_EQ(p["fds"], near.facts()["open_count"]);
            EXPECT_GE(p["percent"].get<double>(), 80.0);
        }
    EXPECT_TRUE(big_seen);
    EXPECT_TRUE(near_seen);
}

TEST_P(Summary, CountsAnExitedLeadersFds) {
    Fixture fx("exited_leader", {"800"});
    auto doc = nlohmann::json::parse(run(with_backend({fdscope_bin(), "--json", "--top", "500"})).out);
    for (const auto& p : doc["top"])
        if (p["pid"] == fx.facts()["pid"]) {
            EXPECT_TRUE(p["leader_exited"].get<bool>());
            EXPECT_GE(p["fds"].get<int>(), 800);
            return;
        }
    FAIL() << "exited leader not in the summary";
}

TEST(Summary, TextFitsOneScreen) {
    // Many processes near their limit must not push the summary off an
    // 80x24 screen.
    std::vector<std::unique_ptr<Fixture>> near;
    for (int i = 0; i < 12; ++i) near.push_back(std::make_unique<Fixture>("fd_limit", std::vector<std::string>{"64", "90"}));
    RunResult r = run_on_terminal({fdscope_bin()}, 80, {"-COLUMNS", "NO_COLOR=1"});  // a pipe is never cut
    ASSERT_EQ(r.status, 0);
    EXPECT_LE(std::count(r.out.begin(), r.out.end(), '\n'), 24) << r.out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
        std::size_t width = 0;
        for (unsigned char ch : fdscope::test::bytes(line)) width += (ch & 0xc0) != 0x80;
        EXPECT_LE(width, 80u) << line;
    }
    EXPECT_NE(r.out.find("more"), std::string::npos) << "twelve near-limit processes do not fit one line";
    EXPECT_NE(r.out.find("fs.file-max"), std::string::npos);
    EXPECT_NE(r.out.find("Top processes"), std::string::npos);
}

INSTANTIATE_BACKENDS(Summary);

}  // namespace
}  // namespace fdscope::test
