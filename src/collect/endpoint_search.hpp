// When only some processes are listed (-p), the other ends of their pipes,
// FIFOs, UNIX sockets and eventfds are still wanted. This searches the
// remaining processes' fd tables, reading only fds whose readlink matches.
#pragma once
#include "collect/pseudo_mounts.hpp"
#include "collect/read_process.hpp"
#include "model/snapshot.hpp"

namespace fdscope::collect {

// What the other ends of the fds of snap.processes look like: pipe and
// socket inodes (with UNIX peers from snap.sockets), FIFOs, eventfd ids.
FdFilter endpoint_filter(const Snapshot& snap);
// The same for one process, added to `filter`.
void add_endpoints_of(const Process& p, const std::unordered_map<std::uint64_t, SocketInfo>& sockets, FdFilter& filter);

// Needs snap.sockets (for UNIX peers). Adds matching processes to
// snap.processes with Process::partial set, keeping pid order.
void search_endpoints(Snapshot& snap, int proc_dirfd, const PseudoMounts& pm, unsigned threads);

}  // namespace fdscope::collect
