// Which harmless attempt stands for an operation, shared by the probe child
// and the in-target probe. Pure: the operation in, the attempt out.
#pragma once
#include <string>
#include <string_view>

#include "model/why_facts.hpp"

namespace fdscope::why {

enum class AttemptKind {
    None,          // not tried; Attempt::reason says why
    Open,          // open the existing file with open_flags (regular files; directories for read)
    OpenOrCreate,  // as Open; an absent name: O_TMPFILE in the parent (tmpfile_flags)
    Mkdir,         // mkdir `parent/name`, then rmdir it
    Exec,          // execveat(AT_FDCWD, path, AT_EXECVE_CHECK)
    Chdir,         // chdir(path)
};

struct Attempt {
    AttemptKind kind = AttemptKind::None;
    std::string path;            // what is opened, executed or entered
    std::string parent;          // OpenOrCreate, Mkdir: the directory the name is in
    std::string name;            // Mkdir: the random name made and removed
    int open_flags = 0;          // Open, OpenOrCreate
    int tmpfile_flags = 0;       // OpenOrCreate
    bool exclusive = false;      // OpenOrCreate with O_EXCL: an existing name is EEXIST, not tried
    bool directories_too = false;  // Open: a read-only open of a directory is harmless too
    std::string reason;          // None: why not
    std::string not_copied;      // parts of the operation the attempt leaves out ("O_TRUNC", "the name itself")
};

// `random` is a few random letters for the Mkdir name (the caller draws them).
Attempt plan_attempt(const Operation& operation, std::string_view random);

// The directory a path's last component is in: "a/b/c" -> "a/b", "c" -> ".",
// "/c" -> "/", trailing slashes ignored.
std::string parent_directory(std::string_view path);

// "O_RDONLY|O_NONBLOCK|O_NOCTTY": the flags an attempt opens with.
std::string open_flags_text(int flags);

// "openat(O_RDONLY|O_NONBLOCK)", "mkdir .fdscope-probe-x1 + rmdir", ...
std::string attempt_text(const Attempt& attempt);

}  // namespace fdscope::why
