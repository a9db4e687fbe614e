// The target of readlink(/proc/PID/fd/N) (also cwd, root, exe).
#pragma once
#include <cstdint>
#include <string_view>

namespace fdscope::procfs {

struct LinkTarget {
    enum class Type : std::uint8_t { Path, Socket, Pipe, AnonInode, Other };
    Type type = Type::Other;
    std::uint64_t inode = 0;      // for "socket:[N]", "pipe:[N]", "pidfd:[N]"-style targets
    std::string_view anon_class;  // "eventfd", "eventpoll", "bpf-map", "io_uring" for "anon_inode:[x]" or "anon_inode:x"
    std::string_view path;        // for Path (and Other): the text without a trailing " (deleted)"
    bool deleted = false;         // " (deleted)" suffix was present on a Path
};

// Pure: views point into `text`.
LinkTarget parse_link(std::string_view text);

}  // namespace fdscope::procfs
