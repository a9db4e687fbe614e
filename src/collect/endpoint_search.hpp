// When only some processes are listed (-p), the other ends of their pipes,
// FIFOs, UNIX sockets and eventfds are still wanted. This searches the
// remaining processes' fd tables, reading only fds whose readlink matches.
#pragma once
#include "collect/pseudo_mounts.hpp"
#include "model/snapshot.hpp"

namespace fdscope::collect {

// Needs snap.sockets (for UNIX peers). Adds matching processes to
// snap.processes with Process::partial set, keeping pid order.
void search_endpoints(Snapshot& snap, int proc_dirfd, const PseudoMounts& pm, unsigned threads);

}  // namespace fdscope::collect
