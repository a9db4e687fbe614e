// Socket tables of network namespaces, keyed by socket inode.
//
// Primary source: NETLINK_SOCK_DIAG (via libmnl) for TCP, UDP, RAW (v4/v6),
// UNIX (with peers), NETLINK and PACKET. When a family's diag module is
// missing, or a namespace cannot be entered, the /proc/PID/net/* text
// tables of a process in that namespace are read instead.
#pragma once
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <unordered_map>
#include <vector>

#include "model/snapshot.hpp"

namespace fdscope::netlink {

using SocketMap = std::unordered_map<std::uint64_t, SocketInfo>;

struct NetnsRef {
    std::uint64_t inode = 0;  // from readlink /proc/PID/ns/net ("net:[N]")
    pid_t pid = 0;            // some process in that namespace
};

struct DiagReport {
    std::uint64_t namespaces = 0;
    std::uint64_t via_netlink = 0;   // namespaces read with sock_diag
    std::uint64_t via_procfs = 0;    // namespaces read from /proc/PID/net/*
    std::vector<std::string> notes;  // what fell back and why (unsupported family, EPERM on setns, ...)
};

// Dumps every socket family in the calling thread's current namespace into
// `out`, stamping `netns` on each entry. Returns false if no netlink socket
// could be opened at all.
bool dump_current_netns(std::uint64_t netns, SocketMap& out, DiagReport& report);

// Visits each namespace (setns on /proc/PID/ns/net in a helper thread, so
// the caller's namespace never changes), falling back to /proc/PID/net/*.
SocketMap collect_sockets(const std::vector<NetnsRef>& namespaces, DiagReport& report);

// dump_current_netns notes, and then reads from /proc/thread-self/net/<table>
// (the calling thread's namespace, so no pid can race it), every family whose
// sock_diag dump fails: raw on kernels without CONFIG_INET_RAW_DIAG, for one.
// collect_sockets falls back to the whole /proc/PID/net/* of a namespace it
// cannot enter (EPERM on setns, open of /proc/PID/ns/net refused).

// Inode of the calling thread's network namespace (0 if it cannot be read).
std::uint64_t current_netns();

// Reads every socket table under `dir` ("/proc/1234/net",
// "/proc/thread-self/net") with the proc_net.hpp parsers. Returns false if
// not one table could be read; notes what failed.
bool read_proc_net_dir(const std::string& dir, std::uint64_t netns, SocketMap& out, DiagReport& report);

// Only the tables under `dir` that list sockets of `kinds` (tcp for Tcp,
// unix for Unix, ...): for one process's few sockets, where a dump of
// every family costs more than the fds themselves. Returns 0, or the errno
// of the first table that could not be read.
int read_proc_net_tables(const std::string& dir, const std::vector<Kind>& kinds, std::uint64_t netns, SocketMap& out);

}  // namespace fdscope::netlink
