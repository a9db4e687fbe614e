// The file execvp(3) would run for a command name, looked up by the
// tracer before it forks: a traced child that searched PATH itself would
// put one failed execve per PATH entry into the trace, which are not the
// command's calls.
#pragma once
#include <string>
#include <string_view>

namespace fdscope::sys {

// `name` itself when it contains a '/'; else the first PATH entry (an
// empty entry is the cwd; no PATH: confstr's _CS_PATH) holding an
// executable regular file of that name; else `name` (its exec then fails
// with ENOENT, as execvp's would).
std::string command_path(const std::string& name);
// The same over an explicit search path (pure but for access(2) and stat(2)).
std::string command_path(const std::string& name, std::string_view search_path);

}  // namespace fdscope::sys
