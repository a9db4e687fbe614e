// Internal to the decoder: the fds a successful recvmsg/recvmmsg received
// in SCM_RIGHTS control messages, one RecvmsgRights event per fd.
#pragma once
#include <cstdint>
#include <vector>

#include "model/event.hpp"
#include "trace/decode/planned_memory.hpp"

namespace fdscope::trace {

void decode_rights(const SyscallCall& call, std::int64_t ret, PlannedMemory& memory, std::vector<FdEvent>& out);

}  // namespace fdscope::trace
