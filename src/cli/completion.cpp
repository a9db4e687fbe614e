#include "cli/completion.hpp"

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "cli/shared_options.hpp"
#include "model/kind.hpp"
#include "render/ls_view.hpp"
#include "report/audit.hpp"

namespace fdscope::cli {

namespace {

constexpr std::string_view kQueryFlag = "--completion-words";

std::vector<std::string> kind_names() {
    std::vector<std::string> names;
    for (int k = 0; k < kKindCount; ++k) names.emplace_back(kind_name(static_cast<Kind>(k)));
    return names;
}

std::vector<std::string> trace_engines() { return {"auto", "bpf", "ptrace", "preload"}; }

std::vector<std::string> finding_kinds() { return {std::begin(report::kFindingKinds), std::end(report::kFindingKinds)}; }

// Options whose values the command checks itself rather than CLI11 (comma
// lists of kinds, columns, finding kinds), with the table that check uses.
struct ValueSource {
    std::string_view command, option;
    std::vector<std::string> (*words)();
};
const ValueSource kValueSources[] = {
    {"ls", "--type", kind_names},
    {"ls", "--output", render::ls_all_columns},
    {"audit", "--ignore", finding_kinds},
    {"trace", "--engine", trace_engines},
};

// The choices of a CLI::IsMember check. CLI11 keeps its set private and
// shows it only as the check's description, "{auto,bpf,procfs}".
std::vector<std::string> member_choices(const CLI::Option& opt) {
    std::vector<std::string> words;
    auto& o = const_cast<CLI::Option&>(opt);  // get_validator has no const overload
    for (int i = 0;; ++i) {
        const CLI::Validator* v = nullptr;
        try {
            v = o.get_validator(i);
        } catch (const CLI::OptionNotFound&) {
            break;
        }
        std::string d = v->get_description();
        if (d.size() < 2 || d.front() != '{' || d.back() != '}') continue;
        std::vector<std::string> choices = split_list({d.substr(1, d.size() - 2)});
        words.insert(words.end(), choices.begin(), choices.end());
    }
    return words;
}

const CLI::App* find_command(const CLI::App& app, std::string_view name) {
    if (name.empty()) return &app;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
        if (sub->get_name() == name) return sub;
    return nullptr;
}

bool hidden(const CLI::Option& opt) { return opt.get_group().empty(); }

void print(const std::string& word) { std::printf("%s\n", word.c_str()); }

int values(const CLI::App& cmd, const std::string& name) {
    const CLI::Option* opt = name.size() > 1 && name[0] == '-' ? cmd.get_option_no_throw(name) : nullptr;
    if (!opt || hidden(*opt) || opt->get_items_expected_max() == 0) return kExitFailure;  // a flag
    for (const auto& src : kValueSources)
        if (cmd.get_name() == src.command && cmd.get_option_no_throw(std::string(src.option)) == opt)
            for (const auto& w : src.words()) print(w);
    for (const auto& w : member_choices(*opt)) print(w);
    return kExitOk;
}

}  // namespace

bool is_completion_query(int argc, char** argv) { return argc >= 2 && argv[1] == kQueryFlag; }

int answer_completion_query(const CLI::App& app, int argc, char** argv) {
    const std::vector<std::string> args(argv + 2, argv + argc);
    if (args.size() == 1 && args[0] == "commands") {
        for (const CLI::App* sub : app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); }))
            print(sub->get_name());
        return kExitOk;
    }
    const CLI::App* cmd = args.size() >= 2 ? find_command(app, args[1]) : nullptr;
    if (cmd && args.size() == 2 && args[0] == "options") {
        for (const CLI::Option* opt : cmd->get_options()) {
            if (hidden(*opt)) continue;
            for (const auto& s : opt->get_snames()) print("-" + s);
            for (const auto& l : opt->get_lnames()) print("--" + l);
        }
        return kExitOk;
    }
    if (cmd && args.size() == 3 && args[0] == "values") return values(*cmd, args[2]);
    std::fprintf(stderr, "fdscope: %s: expected commands, options COMMAND or values COMMAND OPTION\n",
                 std::string(kQueryFlag).c_str());
    return kExitUsage;
}

}  // namespace fdscope::cli
