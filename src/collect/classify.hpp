// What kind of file an fd is, from what procfs said about it. Pure.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "model/kind.hpp"
#include "procfs/parse_link.hpp"

namespace fdscope::collect {

// anon_inode class names as the kernel spells them ("eventpoll", "bpf_link",
// "[io_uring]", ...) to kinds; Kind::Anon for classes we do not know.
Kind kind_of_anon(std::string_view anon_class);

// st_mode is used only for Path targets; pass 0 when stat failed.
Kind classify(const procfs::LinkTarget& link, mode_t st_mode);

// Whether a " (deleted)" suffix means what users mean by deleted-but-open:
// not for a memfd (never had a name), a SysV segment, or shared anonymous
// memory (maps shows it as "/dev/zero (deleted)").
bool really_deleted(std::string_view path, bool marked_deleted, Kind kind);

inline constexpr std::int64_t kLinksUnknown = -1;

// A path's name and deleted flag, from the text the kernel gave (`path`
// with its " (deleted)" suffix already stripped when `marked`) and the
// inode's link count when known. The suffix cannot tell a deleted file
// from a live one named "x (deleted)"; the link count can: with links left
// the file is not deleted and the suffix is part of what to show (the
// name itself, or a name unlinked while another link remains). Without a
// count (a mapping read as non-root, a mount not stat'ed), the suffix
// decides; an unmarked path is never deleted, whatever the count says.
struct PathName {
    std::string_view name;  // into `path`, or into `storage`
    bool deleted = false;
};
PathName path_name(std::string_view path, bool marked, std::int64_t nlink, Kind kind, std::string& storage);

// Filesystems where stat() can block indefinitely (a dead NFS/SMB server, a
// stuck FUSE daemon): the scan does not stat fds that live on them.
bool stat_may_block(std::string_view fstype);

}  // namespace fdscope::collect
