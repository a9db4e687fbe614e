// The file type of an inode, as the kernel's S_IS* tests ask it.
#pragma once
#include <sys/stat.h>

#include <cstdint>
#include <string_view>

#include "model/why_facts.hpp"

namespace fdscope::report::why {

using fdscope::why::Inode;

inline std::uint32_t file_type(const Inode& i) { return i.mode & S_IFMT; }
inline bool is_dir(const Inode& i) { return file_type(i) == S_IFDIR; }
inline bool is_reg(const Inode& i) { return file_type(i) == S_IFREG; }
inline bool is_link(const Inode& i) { return file_type(i) == S_IFLNK; }
inline bool is_fifo(const Inode& i) { return file_type(i) == S_IFIFO; }
inline bool is_socket(const Inode& i) { return file_type(i) == S_IFSOCK; }
inline bool is_device(const Inode& i) { return file_type(i) == S_IFCHR || file_type(i) == S_IFBLK; }
// special_file(): writes to these take no write access on the mount or the inode.
inline bool is_special(const Inode& i) { return is_device(i) || is_fifo(i) || is_socket(i); }

inline std::string_view type_word(const Inode& i) {
    switch (file_type(i)) {
    case S_IFDIR: return "directory";
    case S_IFREG: return "regular file";
    case S_IFLNK: return "symlink";
    case S_IFIFO: return "FIFO";
    case S_IFSOCK: return "socket";
    case S_IFCHR: return "character device";
    case S_IFBLK: return "block device";
    default: return "file of unknown type";
    }
}

// Same inode: same device and inode number.
inline bool same_inode(const Inode& a, const Inode& b) { return a.dev == b.dev && a.ino == b.ino; }

}  // namespace fdscope::report::why
