// The other processes that make a file operation fail: who executes the
// file (ETXTBSY on open for write), who holds it open for write (ETXTBSY on
// exec), and which deleted files still hold space on a filesystem (ENOSPC
// while du disagrees). Judged over fdscope's own inventory: every
// process's fds with their flags, its exe and its file mappings.
#pragma once
#include <cstdint>
#include <vector>

#include "model/snapshot.hpp"
#include "model/why_facts.hpp"

namespace fdscope::why {

struct FileId {
    std::uint64_t dev = 0, ino = 0;  // st_dev, st_ino
};

// Every process's fds (fdinfo flags, dev, inode, deleted), exe and file
// mappings; no sockets, no description ids. Regular files cannot be found
// by inode any cheaper: any fd table may hold them.
Snapshot file_inventory();

// Processes whose program is `file` (note "executing"), or that map it
// executable (note "maps it executable": a shared library, no ETXTBSY
// since Linux 5.15). fdscope itself is left out.
std::vector<Holder> executing_holders(const Snapshot& inventory, FileId file);

// Fds with `file` open for writing (O_WRONLY or O_RDWR), note "open for
// write (O_WRONLY)". fdscope itself is left out.
std::vector<Holder> write_holders(const Snapshot& inventory, FileId file);

// Deleted files still open or mapped on filesystem `dev`, largest first,
// each with every process holding it.
std::vector<DeletedOpen> deleted_open_on(const Snapshot& inventory, std::uint64_t dev);

}  // namespace fdscope::why
