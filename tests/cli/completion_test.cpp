// The bash completion (src/cli/completion.bash) run as bash runs it: the
// script sourced, COMP_WORDS and COMP_CWORD set, _fdscope called, COMPREPLY
// read. What it offers must be what the binary accepts: the commands and
// options of --help, the kinds and columns ls checks against.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <sstream>
#include <unistd.h>

#include "cli/cli_helpers.hpp"
#include "model/kind.hpp"
#include "report/audit.hpp"

namespace fdscope::test {
namespace {

namespace fs = std::filesystem;
using Words = std::set<std::string>;

const std::string kScript = std::string(FDSCOPE_SOURCE_DIR) + "/src/cli/completion.bash";

// COMPREPLY after completing the last of `words` (fdscope itself comes
// first, as the build tree's path), in `dir`.
Words complete(const std::vector<std::string>& words, const std::string& dir = ".") {
    // The words travel as arguments, so no quoting can change them.
    std::vector<std::string> argv = {"bash", "--norc", "--noprofile", "-c",
                                     "cd \"$1\" || exit 9; shift; source \"$1\" || exit 8; shift;"
                                     "COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1));"
                                     "_fdscope \"$1\" \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\";"
                                     "printf '%s\\n' \"${COMPREPLY[@]}\"",
                                     "bash", dir, kScript, fdscope_bin()};
    argv.insert(argv.end(), words.begin(), words.end());
    RunResult r = run(argv);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    Words out;
    std::istringstream lines(r.out);
    for (std::string l; std::getline(lines, l);)
        if (!l.empty()) out.insert(l);
    return out;
}

// The commands --help lists under "SUBCOMMANDS:" (CLI11's layout: two
// spaces, the name, its description).
Words help_commands() {
    RunResult r = run({fdscope_bin(), "--help"});
    EXPECT_EQ(r.status, 0);
    Words out;
    bool in_section = false;
    for (const auto& l : split_lines(r.out)) {
        if (l.rfind("SUBCOMMANDS:", 0) == 0 || l.rfind("Subcommands:", 0) == 0) in_section = true;
        else if (in_section && l.rfind("  ", 0) == 0 && l.size() > 2 && l[2] != ' ')
            out.insert(l.substr(2, l.find(' ', 2) - 2));
        else if (in_section && !l.empty() && l[0] != ' ') in_section = false;
    }
    return out;
}

// The option names --help shows for a command: the first column of its
// option lines ("  -p,--pid TEXT ..."), not the ones its prose mentions.
Words help_options(const std::vector<std::string>& command) {
    std::vector<std::string> argv = {fdscope_bin()};
    argv.insert(argv.end(), command.begin(), command.end());
    argv.push_back("--help");
    RunResult r = run(argv);
    EXPECT_EQ(r.status, 0);
    Words out;
    for (const auto& l : split_lines(r.out)) {
        if (l.rfind("  -", 0) != 0) continue;
        std::string first = l.substr(2, l.find(' ', 2) - 2);
        std::istringstream names(first);
        for (std::string n; std::getline(names, n, ',');) out.insert(n);
    }
    return out;
}

Words long_only(const Words& w) {
    Words out;
    for (const auto& s : w)
        if (s.rfind("--", 0) == 0) out.insert(s);
    return out;
}

Words kind_names() {
    Words out;
    for (int k = 0; k < kKindCount; ++k) out.emplace(kind_name(static_cast<Kind>(k)));
    return out;
}

TEST(Completion, CommandsAreTheOnesHelpLists) {
    const Words commands = help_commands();
    ASSERT_TRUE(commands.count("ls") && commands.count("plot")) << "cannot read --help's SUBCOMMANDS";
    EXPECT_EQ(complete({""}), commands);
    EXPECT_EQ(complete({"l"}), Words{"ls"});
    EXPECT_EQ(complete({"a"}), (Words{"account", "audit"}));
    EXPECT_EQ(complete({"--top", "5", "l"}), Words{"ls"}) << "after a root option and its value";
}

TEST(Completion, OptionsAreEachCommandsOwn) {
    EXPECT_EQ(complete({"--"}), long_only(help_options({})));
    EXPECT_TRUE(complete({"--"}).count("--version"));
    for (const char* cmd : {"ls", "account", "audit", "watch", "top", "plot"}) {
        const Words help = help_options({cmd});
        ASSERT_FALSE(help.empty()) << cmd;
        EXPECT_EQ(complete({cmd, "-"}), help) << cmd;
    }
    EXPECT_EQ(complete({"ls", "--no-"}), (Words{"--no-cloexec", "--no-header"}));
    EXPECT_FALSE(complete({"--"}).count("--completion-words")) << "the query is hidden";
    // The command is the first word naming one, not a value naming another.
    EXPECT_EQ(complete({"ls", "-c", "top", "--li"}), Words{"--list-columns"});
    EXPECT_EQ(complete({"watch", "--dur"}), Words{"--duration"});
}

TEST(Completion, TypeCompletesEveryKindLsAccepts) {
    const Words kinds = kind_names();
    EXPECT_EQ(complete({"ls", "-t", ""}), kinds);
    EXPECT_EQ(complete({"ls", "--type", ""}), kinds);
    EXPECT_EQ(complete({"ls", "--type", "=", ""}), kinds) << "--type=<TAB>: bash splits at =";
    EXPECT_EQ(complete({"ls", "--type", "=", "fi"}), (Words{"file", "fifo"}));
    // Every one of them is accepted by ls (and a word that is not is refused).
    std::string all;
    for (const auto& k : kinds) all += (all.empty() ? "" : ",") + k;
    RunResult r = run({fdscope_bin(), "ls", "--backend", "procfs", "-p", std::to_string(::getpid()), "-t", all});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(run({fdscope_bin(), "ls", "-p", std::to_string(::getpid()), "-t", "nokind"}).status, 2);
}

TEST(Completion, CommaListsCompleteTheirLastItem) {
    Words expected;
    for (const auto& k : kind_names())
        if (k[0] == 'u') expected.insert("tcp," + k);
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(complete({"ls", "-t", "tcp,u"}), expected);
    EXPECT_EQ(complete({"ls", "-o", "pid,na"}), Words{"pid,name"});
}

TEST(Completion, OutputCompletesTheColumnsLsLists) {
    RunResult r = run({fdscope_bin(), "ls", "--list-columns"});
    ASSERT_EQ(r.status, 0);
    const auto listed = split_lines(r.out);
    const Words columns(listed.begin(), listed.end());
    ASSERT_TRUE(columns.count("name") && columns.count("desc"));
    EXPECT_EQ(complete({"ls", "-o", ""}), columns);
    EXPECT_EQ(complete({"ls", "--output", "de"}), (Words{"deleted", "desc", "detail", "dev"}));
}

TEST(Completion, ChoicesOfOtherOptions) {
    EXPECT_EQ(complete({"--backend", ""}), (Words{"auto", "bpf", "procfs"}));
    EXPECT_EQ(complete({"ls", "--backend", "p"}), Words{"procfs"});
    EXPECT_EQ(complete({"top", "--sort", ""}), (Words{"fds", "rate", "percent"}));
    EXPECT_EQ(complete({"audit", "--fail-on", "h"}), Words{"high"});
    Words findings(std::begin(report::kFindingKinds), std::end(report::kFindingKinds));
    EXPECT_EQ(complete({"audit", "--ignore", ""}), findings);
    // Each is accepted where it was offered.
    EXPECT_EQ(run({fdscope_bin(), "top", "--sort", "percent", "--help"}).status, 0);
    std::string all;
    for (const auto& f : findings) all += (all.empty() ? "" : ",") + f;
    RunResult r = run({fdscope_bin(), "audit", "-p", std::to_string(::getpid()), "--ignore", all});
    EXPECT_EQ(r.status, 0) << r.err;
}

TEST(Completion, FreeValuesAndPlotsFileAreFiles) {
    std::string tmpl = (fs::temp_directory_path() / "fdscope-complete-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    const fs::path dir = tmpl;
    std::ofstream(dir / "rec.ndjson") << "";
    std::ofstream(dir / "rules") << "";
    EXPECT_EQ(complete({"plot", "re"}, dir), Words{"rec.ndjson"});
    EXPECT_EQ(complete({"plot", "rec.ndjson", "-o", ""}, dir), (Words{"rec.ndjson", "rules"}));
    EXPECT_EQ(complete({"audit", "--suppress", "ru"}, dir), Words{"rules"});
    EXPECT_EQ(complete({"ls", "-p", "1"}, dir), Words{}) << "no option or command as a pid";
    // After a flag, the next word is not its value.
    EXPECT_EQ(complete({"ls", "--json", "--cs"}, dir), Words{"--csv"});
    fs::remove_all(dir);
}

TEST(Completion, MalformedQueriesAreUsageErrors) {
    EXPECT_EQ(run({fdscope_bin(), "--completion-words"}).status, 2);
    EXPECT_EQ(run({fdscope_bin(), "--completion-words", "options", "nosuchcommand"}).status, 2);
    EXPECT_EQ(run({fdscope_bin(), "--completion-words", "values", "ls", "--json"}).status, 1) << "a flag";
    EXPECT_EQ(run({fdscope_bin(), "--completion-words", "values", "ls", "--nope"}).status, 1);
    RunResult r = run({fdscope_bin(), "--completion-words", "values", "ls", "-p"});
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out, "") << "a free value";
}

}  // namespace
}  // namespace fdscope::test
