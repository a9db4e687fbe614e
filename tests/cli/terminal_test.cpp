// What the terminal allows (src/cli/terminal.cpp), end to end: tables fit a
// terminal and COLUMNS overrides its width, a pipe is never cut whatever
// COLUMNS says, and colour goes only to a terminal, never with a non-empty
// NO_COLOR (no-color.org: an empty one does not count).
#include <gtest/gtest.h>

#include "support/support.hpp"
#include <regex>
#include <sstream>

#include "cli/cli_helpers.hpp"

namespace fdscope::test {
namespace {

// The widest line of a table, in characters: UTF-8 continuation bytes do
// not count (the table cuts names with "…"), nor colour escapes.
std::size_t widest(const std::string& text) {
    std::istringstream in(std::regex_replace(text, std::regex("\x1b\\[[0-9;]*m"), ""));
    std::size_t most = 0;
    for (std::string line; std::getline(in, line);) {
        std::size_t width = 0;
        for (unsigned char ch : fdscope::test::bytes(line)) width += (ch & 0xc0) != 0x80;
        most = std::max(most, width);
    }
    return most;
}

TEST(TerminalWidth, TableFitsTheTerminalAndColumnsOverridesIt) {
    Fixture fx("population");
    const std::string pid = std::to_string(fx.facts()["pid"].get<int>());
    RunResult t = run_on_terminal({fdscope_bin(), "ls", "-p", pid}, 80, {"-COLUMNS"});
    ASSERT_EQ(t.status, 0) << t.err;
    EXPECT_LE(widest(t.out), 80u) << t.out;
    EXPECT_NE(t.out.find("…"), std::string::npos) << "long names are cut in the middle:\n" << t.out;
    RunResult narrower = run_on_terminal({fdscope_bin(), "ls", "-p", pid}, 200, {"COLUMNS=72"});
    ASSERT_EQ(narrower.status, 0) << narrower.err;
    EXPECT_LE(widest(narrower.out), 72u) << narrower.out;
}

// `COLUMNS=80 fdscope ls | grep ...` in a shell that exports COLUMNS must
// see whole names.
TEST(TerminalWidth, PipeIsNeverCutEvenWithColumnsExported) {
    Fixture fx("population");
    const std::string pid = std::to_string(fx.facts()["pid"].get<int>());
    RunResult plain = run({fdscope_bin(), "ls", "-p", pid}, {"-COLUMNS"});
    RunResult exported = run({fdscope_bin(), "ls", "-p", pid}, {"COLUMNS=80"});
    ASSERT_EQ(plain.status, 0) << plain.err;
    ASSERT_EQ(exported.status, 0) << exported.err;
    EXPECT_GT(widest(plain.out), 80u) << "the fixture has names longer than 80 columns";
    EXPECT_EQ(plain.out.find("…"), std::string::npos) << plain.out;
    EXPECT_EQ(exported.out, plain.out) << "COLUMNS must not cut a pipe";
}

TEST(TerminalColour, OnlyANonEmptyNoColorDisablesIt) {
    const std::string bold = "\x1b[1m";
    auto header = [&](const std::vector<std::string>& env) {
        std::vector<std::string> e = env;
        e.push_back("TERM=xterm");
        RunResult r = run_on_terminal({fdscope_bin(), "ls", "-p", std::to_string(::getpid()), "-t", "chr"}, 120, e);
        EXPECT_EQ(r.status, 0) << r.err;
        return r.out;
    };
    EXPECT_NE(header({"-NO_COLOR"}).find(bold), std::string::npos) << "a colour terminal gets a bold header";
    EXPECT_NE(header({"NO_COLOR="}).find(bold), std::string::npos) << "an empty NO_COLOR is not set (no-color.org)";
    EXPECT_EQ(header({"NO_COLOR=1"}).find(bold), std::string::npos) << "NO_COLOR=1 disables colour";
    RunResult piped = run({fdscope_bin(), "ls", "-p", std::to_string(::getpid())}, {"TERM=xterm", "-NO_COLOR"});
    EXPECT_EQ(piped.out.find('\x1b'), std::string::npos) << "no colour into a pipe";
}

}  // namespace
}  // namespace fdscope::test
