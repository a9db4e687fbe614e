// Joins the socket tables (sock_diag per network namespace) with the fds.
#pragma once
#include "model/snapshot.hpp"

namespace fdscope::collect {

// Reads the socket tables of every namespace some scanned process is in
// into snap.sockets.
void read_socket_tables(Snapshot& snap);

// Refines each socket fd's kind (tcp, unix, ...) from snap.sockets, or from
// sockfs's protocol name for sockets no table lists.
void apply_socket_kinds(Snapshot& snap);

}  // namespace fdscope::collect
