// Whole-file reads and writes. Each returns 0 or the errno of the step that
// failed, never throws: callers turn it into a message.
#pragma once
#include <string>
#include <string_view>

namespace fdscope::sys {

// Reads the file at `path` into `out` (replacing it).
int read_all(const char* path, std::string& out);

// Writes all of `text` to `fd`, through short writes and EINTR.
int write_all(int fd, std::string_view text);

// Replaces the file at `path` with `text` so that a reader sees the old
// contents or the new, never part of them: written to a temporary file
// beside it, then renamed over it. On failure `path` is untouched and the
// temporary file removed. A new file gets 0666 less the umask, as open(2)
// would give it.
int replace_file(const std::string& path, std::string_view text);

}  // namespace fdscope::sys
