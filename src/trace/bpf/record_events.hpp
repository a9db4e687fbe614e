// The BPF engine's records to fd lifecycle events (model/event.hpp). Pure:
// decode() runs over the memory the program copied at sys_exit
// (CapturedMemory), tables become FdTableIds, nothing reads the kernel;
// the fuzzer and the unit tests call these on made-up records.
#pragma once
#include <vector>

#include "model/event.hpp"
#include "trace/bpf/table_ids.hpp"
#include "trace/bpf/trace_records.hpp"
#include "trace/decode/captured_memory.hpp"

namespace fdscope::trace {

// What decode() says about one syscall record: pid, tid, time and tables
// filled, the kind of a new file refined from its inode mode (a directory,
// a character device, a FIFO, a block device opened by path). Empty for a
// call whose enter was not seen (its arguments are unknown), for a
// successful exec (exec_event() speaks for it: the arguments point into the
// old image) and for the fork/vfork/clone events of a successful call
// (fork_event() made them, before the child could run); other events of
// those calls (a CLONE_PIDFD's pidfd) stay.
std::vector<FdEvent> syscall_events(const SyscallRecord& r, TableIds& tables);

// The memory the program copied for a record, as decode() reads it: the
// plan's strings as strings (without the NUL the copy kept), the rest as
// byte ranges; regions that could not be read are left out, so reading
// them fails as it would have in the task.
CapturedMemory captured_memory(const SyscallRecord& r);

// The fork/vfork/clone event of a new process or thread: result = the
// child's tid, new_table = its table (== table when shared).
FdEvent fork_event(const ForkRecord& r, TableIds& tables);
// execve/execveat that succeeded: name = the new program as exec gave it,
// new_table = the table after (an exec unshares a shared table).
FdEvent exec_event(const ExecRecord& r, TableIds& tables);
// One task's exit; result = its exit code (wait status bits).
FdEvent exit_event(const ExitRecord& r, TableIds& tables);

// A created file's kind from its inode mode, where the call alone could
// not tell (an open of a directory, a device, a FIFO): the rest unchanged.
Kind refine_kind(Kind decoded, std::uint16_t i_mode);

}  // namespace fdscope::trace
