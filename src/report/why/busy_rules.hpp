// The busy layer for paths: other processes or mounts using the object
// (ETXTBSY both ways, EBUSY for a mount point, EADDRINUSE and
// ECONNREFUSED for a UNIX socket path), naming who.
#pragma once
#include <string>
#include <vector>

#include "report/why/check.hpp"

namespace fdscope::report::why {

using fdscope::why::Inode;

// Opening for write (or truncating) a program some process executes.
Check text_busy_for_write(const Facts& facts, const std::string& path);
// Executing a file some process has open for write.
Check text_busy_for_exec(const Facts& facts, const std::string& path);
// Removing or renaming a mount point (is_local_mountpoint): the victim
// sits on another mount than the directory holding its name.
// An open that breaks another process's lease (a write lease: any open; a
// read lease: an open for write) waits until the holder gives it up, up
// to fs.lease-break-time; with O_NONBLOCK it fails EWOULDBLOCK. Not a
// refusal: a Note with the holders (nothing when no lease conflicts).
std::vector<Check> lease_checks(const Facts& facts);

Check mount_point_check(const Facts& facts, const Inode& dir, const Inode& victim, const std::string& path);
// bind() of a UNIX socket to a path that exists, stale socket or not.
Check unix_path_in_use(const Facts& facts, const Inode* existing, const std::string& path);
// connect(): a socket file nobody listens on.
Check unix_listener_check(const Facts& facts, const std::string& path);

}  // namespace fdscope::report::why
