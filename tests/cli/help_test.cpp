// --help and the man page must not drift apart: every option CLI11 knows,
// per command, is in docs/fdscope.1's SYNOPSIS line and OPTIONS section for
// that command, and nothing there is unknown to CLI11; a default both state
// is the same; --help shows no CLI11 type noise ("UINT:INT in [1 - 10000]").
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "cli/cli_helpers.hpp"

namespace fdscope::test {
namespace {

using Options = std::set<std::string>;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

// The options a line names: "-p", "--pid", ... (after roff escapes are gone).
Options options_in(const std::string& text) {
    // Dotted names (serve's --web.listen-address, node_exporter's spelling)
    // are one option; a dot that ends a sentence is not part of one.
    static const std::regex opt(R"((^|[\s,\[|"])(--?[a-z][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)*))");
    Options out;
    for (std::sregex_iterator it(text.begin(), text.end(), opt), end; it != end; ++it) out.insert((*it)[2]);
    return out;
}

// Roff source to plain text: \- is '-', font changes go, quotes stay.
std::string plain(std::string s) {
    s = std::regex_replace(s, std::regex(R"(\\f[BIRP])"), "");
    s = std::regex_replace(s, std::regex(R"(\\-)"), "-");
    s = std::regex_replace(s, std::regex(R"(^\.(BR|BI|B|I|IR|RB)\s)"), "");
    return s;
}

// One command's help: its options (-h/--help left out), each as the set of
// its names, and each name's description.
struct Help {
    std::vector<Options> options;
    std::map<std::string, std::string> description;
    Options names() const {
        Options all;
        for (const auto& o : options) all.insert(o.begin(), o.end());
        return all;
    }
};

Help help_of(const std::vector<std::string>& args) {
    std::vector<std::string> argv{fdscope_bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--help");
    RunResult r = run(argv);
    EXPECT_EQ(r.status, 0) << r.err;
    const auto lines = lines_of(r.out);
    Help h;
    bool in_options = false;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        if (!line.empty() && line[0] != ' ') in_options = line == "Options:";
        if (!in_options || !line.starts_with("  -")) continue;
        std::istringstream words(line);
        std::string names;
        words >> names;
        // The description starts at column 30, or on the next line when
        // the option's names and metavariable are longer.
        std::string text = line.size() > 30 && line[29] == ' ' ? line.substr(30) : "";
        if (text.empty() && i + 1 < lines.size()) text = lines[i + 1];
        Options group;
        std::istringstream split(names);
        for (std::string n; std::getline(split, n, ',');) group.insert(n);
        if (group.count("--help")) continue;
        for (const auto& n : group) h.description[n] = text;
        h.options.push_back(group);
    }
    return h;
}

std::vector<std::string> subcommands() {
    RunResult r = run({fdscope_bin(), "--help"});
    std::vector<std::string> out;
    bool in = false;
    for (const auto& line : lines_of(r.out)) {
        if (line == "Subcommands:") in = true;
        else if (line.empty()) in = false;
        else if (in) {
            std::istringstream words(line);
            std::string name;
            words >> name;
            out.push_back(name);
        }
    }
    return out;
}

// The man page: per command, the options of its SYNOPSIS line and those
// its OPTIONS section lists (.TP tags), with the text each tag describes.
struct ManCommand {
    Options synopsis, section;
    std::map<std::string, std::string> description;
};

std::map<std::string, ManCommand> read_man() {
    const std::string path = std::string(FDSCOPE_TESTDATA) + "/../../docs/fdscope.1";
    std::ifstream in(path);
    std::stringstream buf;
    buf << in.rdbuf();
    const std::string text = buf.str();
    EXPECT_FALSE(text.empty()) << "cannot read " << path;
    const auto lines = lines_of(text);
    std::map<std::string, ManCommand> man;
    std::string section, synopsis_of;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& l = lines[i];
        if (l.starts_with(".SH ")) {
            section = l.substr(4);
            synopsis_of.clear();
            continue;
        }
        if (section == "SYNOPSIS") {
            if (l == ".B fdscope") synopsis_of = "summary";
            else if (l.starts_with(".B fdscope ")) synopsis_of = l.substr(11);
            else if (l == ".br" || l.starts_with(".PP")) synopsis_of.clear();
            else if (!synopsis_of.empty()) {
                for (const auto& o : options_in(plain(l))) man[synopsis_of].synopsis.insert(o);
            }
            continue;
        }
        std::string command;
        if (section == "OPTIONS FOR THE SUMMARY") command = "summary";
        else if (section.starts_with("OPTIONS FOR ")) command = section.substr(12);
        else if (section == "GENERAL OPTIONS") command = "general";
        if (command.empty() || l != ".TP" || i + 1 >= lines.size()) continue;
        const Options tag = options_in(plain(lines[i + 1]));
        std::string body;
        for (std::size_t k = i + 2; k < lines.size() && !lines[k].starts_with(".TP") && !lines[k].starts_with(".SH") &&
                                    !lines[k].starts_with(".PP");
             ++k)
            body += plain(lines[k]) + " ";
        for (const auto& o : tag) {
            man[command].section.insert(o);
            man[command].description[o] = body;
        }
    }
    return man;
}

// "default 10" / "default: one per core" -> "10" / "one": the first word.
std::string default_word(const std::string& text) {
    static const std::regex re(R"(default:? ([A-Za-z0-9.]+))");
    std::smatch m;
    return std::regex_search(text, m, re) ? m[1].str() : "";
}

TEST(HelpAndManPage, EveryCommandHasItsOptionsSection) {
    std::set<std::string> documented;
    for (const auto& [name, m] : read_man())
        if (!m.section.empty() && name != "general") documented.insert(name);
    std::set<std::string> known{"summary"};
    for (const auto& s : subcommands()) known.insert(s);
    EXPECT_EQ(documented, known) << "a man page OPTIONS section per command (and the summary)";
}

TEST(HelpAndManPage, EveryOptionIsDocumentedAndNothingElse) {
    auto man = read_man();
    const Options general{"-h", "--help", "--version"};
    EXPECT_EQ(man["general"].section, general);
    std::vector<std::pair<std::string, std::vector<std::string>>> commands{{"summary", {}}};
    for (const auto& s : subcommands()) commands.push_back({s, {s}});
    for (const auto& [name, args] : commands) {
        Help help = help_of(args);
        std::erase_if(help.options, [&](const Options& o) { return o.count("--version"); });  // general
        const std::string where = "`fdscope " + (args.empty() ? "" : args[0] + " ") + "--help`";
        EXPECT_EQ(man[name].section, help.names()) << "OPTIONS FOR " << name << " against " << where;
        // The SYNOPSIS names each option once, by one of its names.
        Options synopsis = man[name].synopsis;
        for (const auto& g : general) synopsis.erase(g);
        for (const auto& o : help.options)
            EXPECT_TRUE(std::any_of(o.begin(), o.end(), [&](const std::string& n) { return synopsis.count(n); }))
                << *o.rbegin() << " of " << where << " is missing in the SYNOPSIS of " << name;
        for (const auto& n : synopsis) EXPECT_TRUE(help.names().count(n)) << "SYNOPSIS of " << name << ": " << n << " is unknown to " << where;
        for (const auto& n : help.names()) {
            const std::string in_help = default_word(help.description[n]);
            const std::string in_man = default_word(man[name].description[n]);
            if (!in_help.empty() && !in_man.empty()) {
                EXPECT_EQ(in_help, in_man) << name << " " << n << ": --help says \"" << help.description[n]
                                           << "\", the man page \"" << man[name].description[n] << "\"";
            }
        }
    }
}

TEST(HelpAndManPage, HelpShowsNoTypeNoise) {
    std::vector<std::vector<std::string>> commands{{}};
    for (const auto& s : subcommands()) commands.push_back({s});
    static const std::regex noise(R"(\b(UINT|INT|FLOAT)\b|[A-Z]+:[A-Z{]| in \[|=auto| \.\.\.$| \.\.\. )");
    for (const auto& args : commands) {
        std::vector<std::string> argv{fdscope_bin()};
        argv.insert(argv.end(), args.begin(), args.end());
        argv.push_back("--help");
        for (const auto& line : lines_of(run(argv).out))
            EXPECT_FALSE(std::regex_search(line, noise)) << "fdscope " << (args.empty() ? "" : args[0]) << " --help: " << line;
    }
}

// `fdscope --backend bpf watch` used to run watch and ignore the option.
TEST(HelpAndManPage, BackendBeforeACommandWithoutOneIsAUsageError) {
    for (std::vector<std::string> cmd : {std::vector<std::string>{"watch", "--count", "1"}, {"top"}, {"plot", "x.ndjson", "-o", "-"}}) {
        cmd.insert(cmd.begin(), {fdscope_bin(), "--backend", "procfs"});
        RunResult r = run(cmd);
        EXPECT_EQ(r.status, 2) << cmd[3];
        EXPECT_NE(r.err.find("--backend and --threads do not apply"), std::string::npos) << r.err;
    }
}

}  // namespace
}  // namespace fdscope::test
