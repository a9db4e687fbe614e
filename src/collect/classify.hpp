// What kind of file an fd is, from what procfs said about it. Pure.
#pragma once
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

// Filesystems where stat() can block indefinitely (a dead NFS/SMB server, a
// stuck FUSE daemon): the scan does not stat fds that live on them.
bool stat_may_block(std::string_view fstype);

}  // namespace fdscope::collect
