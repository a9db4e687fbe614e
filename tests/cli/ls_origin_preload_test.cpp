// `fdscope ls --origin` on a process that runs the real libfdscope-preload.so
// (fixtures/preload_leaker.cpp): the 50 fds it leaks among 100,000
// balanced opens are named by the function that opened them, the fds it
// had before the library loaded (from the test) have no origin, and
// hostile names do not break the table or the JSON.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <set>
#include <string>

#include "cli/cli_helpers.hpp"
#include "support/support.hpp"

namespace fdscope::test {
namespace {

std::string library() { return std::string(FDSCOPE_BUILD_DIR) + "/libfdscope-preload.so"; }

bool library_built() {
    struct stat st {};
    return ::stat(library().c_str(), &st) == 0;
}

// The stack modes that name functions: frame pointers and libunwind (which
// makes a pipe of its own, the library's fds `fdscope-unwind`).
class LsOriginPreload : public ::testing::TestWithParam<const char*> {};

TEST_P(LsOriginPreload, NamesTheLeakingFunctionAndNothingForFdsFromBefore) {
    if (!library_built()) {
        GTEST_SKIP() << library() << " is not built";
    }
    const std::string mode = GetParam();
    Fixture fx("preload_leaker", {"50", "100000"},
               {"env", "LD_PRELOAD=" + library(), "FDSCOPE_STACKS=" + mode});
    const pid_t pid = fx.facts()["pid"].get<pid_t>();
    const auto doc = fdscope_json({"ls", "-p", std::to_string(pid), "--origin"});
    for (const auto& n : doc["notes"]) EXPECT_EQ(n.get<std::string>().find("preload"), std::string::npos) << n;
    auto rows = fd_rows(doc, pid);
    std::set<int> leaked;
    for (const auto& fd : fx.facts()["leaked"]) leaked.insert(fd.get<int>());
    ASSERT_EQ(leaked.size(), 50u);
    int named = 0;
    for (int fd : leaked) {
        const auto& o = rows[fd]["origin"];
        ASSERT_TRUE(o.is_object()) << fd << ": " << rows[fd].dump();
        EXPECT_EQ(o["op"].get<std::string>().substr(0, 4), "open") << o.dump();
        EXPECT_FALSE(o["inherited"].get<bool>());
        named += o["site"].get<std::string>().find("leaky_open") != std::string::npos;
    }
    EXPECT_EQ(named, 50);
    // Every other fd that names leaky_open would be a miscount.
    int elsewhere = 0;
    for (const auto& [fd, row] : rows)
        if (!leaked.count(fd) && row["origin"].is_object() &&
            row["origin"].value("site", std::string()).find("leaky_open") != std::string::npos)
            ++elsewhere;
    EXPECT_EQ(elsewhere, 0);
    // The library's own fds: libunwind's pipe under libunwind, none otherwise.
    int unwind = 0;
    for (const auto& [fd, row] : rows)
        if (row["origin"].is_object() && row["origin"].value("library_fd", false)) {
            EXPECT_EQ(row["origin"]["op"], "fdscope-unwind") << row.dump();
            ++unwind;
        }
    EXPECT_EQ(unwind, mode == "libunwind" ? 2 : 0);
    // Present before the library loaded: the test's pipes on 0, 1, 2.
    for (int fd : {0, 1, 2}) {
        ASSERT_TRUE(rows.count(fd));
        EXPECT_TRUE(rows[fd]["origin"].is_null()) << fd << ": " << rows[fd]["origin"].dump();
    }
    // Hostile names: escaped in JSON, origin still there.
    for (const auto& fd : fx.facts()["hostile"]) {
        const auto& row = rows[fd.get<int>()];
        ASSERT_TRUE(row["origin"].is_object()) << row.dump();
        EXPECT_NE(row["origin"]["site"].get<std::string>().find("open_hostile"), std::string::npos);
    }

    // The table: one line per fd, whatever the names.
    const RunResult r = run({fdscope_bin(), "ls", "-p", std::to_string(pid), "-o", "fd,kind,name,origin", "--no-header",
                              "--assoc", "fd"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(split_lines(r.out).size(), rows.size());
    int lines_naming = 0;
    for (const auto& line : split_lines(r.out)) lines_naming += line.find("leaky_open") != std::string::npos;
    EXPECT_EQ(lines_naming, 50);

    // origin among the -o columns reads the table in JSON too.
    const auto chosen = fdscope_json({"ls", "-p", std::to_string(pid), "-o", "fd,origin"});
    auto chosen_rows = fd_rows(chosen, pid);
    int chosen_named = 0;
    for (int fd : leaked)
        chosen_named += chosen_rows[fd]["origin"].is_object() &&
                        chosen_rows[fd]["origin"]["site"].get<std::string>().find("leaky_open") != std::string::npos;
    EXPECT_EQ(chosen_named, 50);
}

INSTANTIATE_TEST_SUITE_P(Stacks, LsOriginPreload, ::testing::Values("fp", "libunwind"));

}  // namespace
}  // namespace fdscope::test
