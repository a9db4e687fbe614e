// The iterator backend's records as C++ reads them: the binary layout is
// records.h (shared with iter.bpf.c); parse_records() decodes a stream.
//
// KERNEL ADDRESSES: FileRecord::file_id / files_id and VmaRecord::file_id
// are raw kernel pointers. Use them only as map keys; map them to dense
// integers before anything is rendered or logged. Never print them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace fdscope::bpf {

// How a record's path was read (records.h FDS_PATH_*).
// Pseudo: a pipe or socket, no path read; its name is "pipe:[ino]" /
// "socket:[ino]" (s_magic says which), as readlink shows it.
// DentryName: a file that names itself (anon inode, nsfs, pidfs), read
// without bpf_d_path. Walk: the components of a dentry walk, leaf first,
// each NUL-terminated (join_walk() makes the path); path_err -ENAMETOOLONG
// when the walk stopped early.
enum class PathKind : std::uint8_t { None = 0, DPath = 1, DentryName = 2, Pseudo = 3, Walk = 4 };

// Per-kind state read in the iterator (records.h FDS_EXTRA_*).
enum class Extra : std::uint8_t { None, Eventfd, Timerfd, Signalfd, Unix };

struct FileRecord {
    std::uint64_t file_id = 0;   // struct file *: identity only, never print
    std::uint64_t files_id = 0;  // struct files_struct *: identity only, never print
    std::uint64_t pos = 0;
    std::uint64_t ino = 0;
    std::uint64_t s_magic = 0;
    std::uint32_t tgid = 0, tid = 0, fd = 0;
    std::uint32_t f_flags = 0, f_mode = 0;
    std::uint32_t s_dev = 0;     // kernel encoding: major << 20 | minor
    std::int32_t mnt_id = -1;
    std::int32_t path_err = 0;
    std::uint16_t i_mode = 0;
    std::uint32_t rdev = 0;      // i_rdev, kernel encoding (user_dev() converts)
    std::uint64_t size = 0;      // i_size
    std::uint32_t nlink = 0;     // i_nlink: 0 once deleted
    bool unlinked = false;       // Walk: the dentry is unlinked (d_path's " (deleted)")
    bool cloexec = false;
    PathKind path_kind = PathKind::None;
    Extra extra = Extra::None;   // eventfd: extra0 count, extra1 id; timerfd: extra0 clockid;
    std::uint64_t extra0 = 0, extra1 = 0;  // signalfd: extra0 mask as fdinfo shows it; unix: extra0 scm_fds
    std::string_view path;       // into the parsed buffer
    std::size_t offset = 0;      // of the record in the parsed buffer (file_record_at)
};

struct VmaRecord {
    std::uint64_t file_id = 0;   // struct file *: identity only, never print
    std::uint64_t start = 0, end = 0;
    std::uint64_t pgoff = 0;     // pages
    std::uint64_t vm_flags = 0;
    std::uint64_t ino = 0;
    std::uint64_t s_magic = 0;
    std::uint32_t tgid = 0, tid = 0;
    std::uint32_t s_dev = 0;
    std::int32_t path_err = 0;
    std::uint16_t i_mode = 0;
    std::uint32_t nlink = 0;     // i_nlink: 0 once deleted
    bool unlinked = false;       // Walk: the dentry is unlinked (d_path's " (deleted)")
    PathKind path_kind = PathKind::None;
    std::string_view path;
};

// Pure: the path a dentry walk's components (PathKind::Walk, leaf first,
// each NUL-terminated) spell, root first: "/usr/lib/libc.so.6"; "/" for
// none. False when the bytes are not such a list (a name without its NUL).
bool join_walk(std::string_view components, std::string& path);

struct TaskRecord {
    std::uint64_t files_id = 0;  // struct files_struct *: identity only, never print; 0: none
    std::uint64_t nofile_cur = 0, nofile_max = 0;  // RLIM_INFINITY is ~0
    std::uint32_t tgid = 0, tid = 0;
    std::uint32_t max_fds = 0;   // capacity of the task's fd table
    std::uint32_t open_fds = 0;  // fds in it (0 for threads sharing their leader's table)
    bool self = false;           // the task that read the iterator
    bool counted = false;        // open_fds is a count (else the kernel could not count: < 5.17)
};

// Kernel dev_t (major << 20 | minor) to userspace makedev(), as st_dev has it.
std::uint64_t user_dev(std::uint32_t kernel_dev);

struct RecordSink {
    std::function<void(const FileRecord&)> file = {};  // may be empty: skipped
    std::function<void(const VmaRecord&)> vma = {};
    std::function<void(const TaskRecord&)> task = {};
};

enum class ParseStatus : std::uint8_t {
    Ok,         // every byte was part of a whole record
    Truncated,  // the stream ended inside a record (the tail is ignored)
    Corrupt,    // a header made no sense (unknown type, bad length); parsing stopped there
};

struct ParseResult {
    ParseStatus status = ParseStatus::Ok;
    std::size_t records = 0;   // records handed to the sink
    std::size_t consumed = 0;  // bytes of whole records read
};

// Pure: reads records from `bytes` in order and calls the sink for each.
// Never reads outside `bytes`, whatever they hold. The string_views given
// to the sink point into `bytes`.
ParseResult parse_records(std::string_view bytes, const RecordSink& sink);

// The file record at `offset` of `bytes`, as parse_records gave it (with that
// offset): lets a caller keep offsets instead of decoded records. Only for
// offsets parse_records reported over the same bytes.
FileRecord file_record_at(std::string_view bytes, std::size_t offset);

}  // namespace fdscope::bpf
