// --help without CLI11's type noise ("UINT:INT in [1 - 10000]", "TEXT ..."):
// an option shows its metavariable (option_text, else N or TEXT, or its
// choices), and the description says the default and the range.
#pragma once
#include <CLI/CLI.hpp>
#include <string>

namespace fdscope::cli {

class HelpFormatter : public CLI::Formatter {
public:
    std::string make_option_opts(const CLI::Option* opt) const override;
};

}  // namespace fdscope::cli
