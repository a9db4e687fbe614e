#include "cli/help_format.hpp"

namespace fdscope::cli {
namespace {

// "TEXT:{auto,bpf,procfs}" -> "{auto,bpf,procfs}"; "UINT:INT in [1 - 10000]"
// -> "N": the choices say something, the base type and the range do not.
std::string metavar(const std::string& type_name) {
    const std::size_t choices = type_name.find(":{");
    if (choices != std::string::npos) return type_name.substr(choices + 1, type_name.find('}', choices) - choices);
    const std::string base = type_name.substr(0, type_name.find(':'));
    if (base == "INT" || base == "UINT" || base == "FLOAT") return "N";
    return base;
}

}  // namespace

std::string HelpFormatter::make_option_opts(const CLI::Option* opt) const {
    std::string out;
    if (!opt->get_option_text().empty()) out = " " + opt->get_option_text();
    else if (opt->get_type_size() != 0 && opt->nonpositional() && !opt->get_type_name().empty())  // not a flag
        out = " " + metavar(opt->get_type_name());
    if (opt->get_required()) out += " (required)";
    return out;
}

}  // namespace fdscope::cli
