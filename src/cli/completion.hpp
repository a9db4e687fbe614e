// The words the bash completion (src/cli/completion.bash) offers, asked of
// the binary itself so that they cannot drift from what it accepts: the
// commands and options are read from the CLI11 definitions, option values
// from the tables the commands check them against.
//   fdscope --completion-words commands
//   fdscope --completion-words options COMMAND         (COMMAND "" is the root)
//   fdscope --completion-words values COMMAND OPTION   (OPTION as typed: -t or --type)
// The flag is hidden from --help: it is an interface for the script, not for people.
#pragma once
#include <CLI/CLI.hpp>

namespace fdscope::cli {

// Whether argv asks one of the queries above (argv[1] is the flag).
bool is_completion_query(int argc, char** argv);

// Prints the answer, one word a line, on stdout. Returns 0; for `values`, 1
// when OPTION takes no value or is not an option of COMMAND (the script then
// completes as if no option preceded); 2 for an unknown query or command.
// `app` must hold every command already.
int answer_completion_query(const CLI::App& app, int argc, char** argv);

}  // namespace fdscope::cli
