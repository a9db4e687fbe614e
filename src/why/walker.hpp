// The path walk of fs/namei.c, as a pure algorithm over an injected
// lookup: per component, the name is looked up in the current directory
// (never following), symlinks are expanded here, counted as the kernel
// counts them (40 in all, ELOOP at the 41st), `..` at the subject's root
// stays there, absolute link bodies restart at the subject's root. The
// real lookup (kernel_lookup) opens one name at a time with openat2 in the
// subject's mount namespace; tests use a fake tree.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "model/why_facts.hpp"

namespace fdscope::why {

// What a lookup found: a handle the lookup can look names up in and read a
// link from (only meaningful to the lookup), and the inode's facts.
struct LookupAnswer {
    int error = 0;               // non-zero: nothing found (ENOENT, ENOTDIR, ENAMETOOLONG, ...)
    std::size_t handle = 0;
    Inode inode;
};

class Lookup {
public:
    virtual ~Lookup() = default;
    // The subject's root, and its working directory (relative paths start there).
    virtual LookupAnswer root() = 0;
    virtual LookupAnswer cwd() = 0;
    // One name in the directory `dir`, never following a symlink; ".." is
    // the directory's real parent (the walker keeps ".." at the root itself).
    virtual LookupAnswer child(std::size_t dir, const std::string& name) = 0;
    // The body of the symlink `link`: 0 or an errno value.
    virtual int readlink(std::size_t link, std::string& target) = 0;
};

// Which symlinks the kernel follows for one path of an operation.
struct WalkOptions {
    bool follow_last = true;    // the trailing symlink (LOOKUP_FOLLOW)
    // A trailing slash makes the last name a directory lookup that follows
    // (path lookups: open without O_CREAT, exec, chdir, connect); the
    // parent-based operations (mkdir, unlink, rmdir, rename, link, symlink,
    // bind) look the last name up without following anyway.
    bool slash_follows = true;
};

// The options for the operation's paths (both paths of rename and link
// are looked up the same way).
WalkOptions walk_options(const Operation& op);

// MAXSYMLINKS of include/linux/namei.h.
inline constexpr std::uint32_t kMaxSymlinks = 40;

// Walks `path` as the subject would. `cwd_shown` is the subject's working
// directory as it sees it, the prefix of Step::path for a relative path.
// Walk::error is set only when the walk stopped before the final name (or
// while following a trailing symlink); the final name's own result (ENOENT
// for a name to create, ENAMETOOLONG, ...) is in the last step, for the
// rules to judge.
Walk walk_path(const std::string& path, const WalkOptions& options, Lookup& lookup, const std::string& cwd_shown);

}  // namespace fdscope::why
