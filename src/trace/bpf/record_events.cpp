#include "trace/bpf/record_events.hpp"

#include <sys/stat.h>
#include <sys/syscall.h>

#include <algorithm>

#include "trace/decode/captured_memory.hpp"
#include "trace/decode/syscall.hpp"

namespace fdscope::trace {
namespace {

bool is_process_op(Op op) { return op == Op::Fork || op == Op::Vfork || op == Op::Clone; }

bool is_exec_nr(std::uint32_t nr) { return nr == SYS_execve || nr == SYS_execveat; }

// The fd a creator or dup event made (the one `ret` names).
int new_fd(const FdEvent& e) { return op_class(e.op) == OpClass::Duplicate ? e.fd2 : e.fd; }

}  // namespace

CapturedMemory captured_memory(const SyscallRecord& r) {
    CapturedMemory m;
    const std::span<const Capture> plan = capture_plan(Abi::X86_64, static_cast<long>(r.nr));
    for (const Region& reg : r.regions) {
        if (reg.status != RegionStatus::Ok && reg.status != RegionStatus::Cut) continue;
        const bool string = reg.cap < plan.size() && plan[reg.cap].kind == CaptureKind::String;
        if (!string) {
            if (reg.status == RegionStatus::Ok) m.add(reg.addr, reg.bytes);
            continue;
        }
        // bpf_probe_read_user_str's copy: with its NUL when whole.
        std::string_view s = reg.bytes;
        if (reg.status == RegionStatus::Ok && !s.empty() && s.back() == '\0') s.remove_suffix(1);
        m.add_string(reg.addr, s, reg.status == RegionStatus::Cut);
    }
    return m;
}

Kind refine_kind(Kind decoded, std::uint16_t i_mode) {
    // Only a file opened by path can be any of these; sockets, pipes and
    // anonymous inodes are told by the call itself.
    if (decoded != Kind::File) return decoded;
    switch (i_mode & S_IFMT) {
        case S_IFDIR: return Kind::Dir;
        case S_IFCHR: return Kind::Chr;
        case S_IFBLK: return Kind::Blk;
        case S_IFIFO: return Kind::Fifo;
        default: return decoded;
    }
}

std::vector<FdEvent> syscall_events(const SyscallRecord& r, TableIds& tables) {
    if (!r.enter_seen) return {};
    if (is_exec_nr(r.nr) && r.ret == 0) return {};
    SyscallCall call;
    call.abi = Abi::X86_64;
    call.nr = static_cast<long>(r.nr);
    std::copy(std::begin(r.args), std::end(r.args), call.args.begin());
    call.ret = r.ret;
    CapturedMemory memory = captured_memory(r);
    std::vector<FdEvent> events = decode(call, memory);
    // The table the call began on is older than the one it ended on.
    const FdTableId entered = r.enter_files ? tables.of(r.enter_files) : 0;
    const FdTableId after = tables.of(r.files);
    const FdTableId before = entered ? entered : after;
    std::erase_if(events, [](const FdEvent& e) { return is_process_op(e.op) && succeeded(e); });
    for (FdEvent& e : events) {
        e.time_ns = r.time_ns;
        e.pid = static_cast<std::int32_t>(r.tgid);
        e.tid = static_cast<std::int32_t>(r.tid);
        if (e.op == Op::Unshare) {
            e.table = before;
            e.new_table = after;
        } else {
            e.table = after;
        }
        if (r.i_mode && succeeded(e) && new_fd(e) == r.ret) e.kind = refine_kind(e.kind, *r.i_mode);
    }
    return events;
}

FdEvent fork_event(const ForkRecord& r, TableIds& tables) {
    FdEvent e;
    e.time_ns = r.time_ns;
    e.pid = static_cast<std::int32_t>(r.parent_tgid);
    e.tid = static_cast<std::int32_t>(r.parent_tid);
    e.table = tables.of(r.parent_files);
    e.new_table = tables.of(r.child_files);
    // A task the kernel made without a call of its own (an io_uring
    // worker) is a clone too.
    e.op = r.nr == SYS_fork ? Op::Fork : r.nr == SYS_vfork ? Op::Vfork : Op::Clone;
    e.flags = r.flags;
    e.result = r.child_tid;
    return e;
}

FdEvent exec_event(const ExecRecord& r, TableIds& tables) {
    FdEvent e;
    e.time_ns = r.time_ns;
    e.pid = static_cast<std::int32_t>(r.tgid);
    // The task that runs the new program: a non-leader that exec'd has
    // taken the leader's tid.
    e.tid = static_cast<std::int32_t>(r.tid);
    e.new_table = tables.of(r.new_files);
    e.table = r.old_files ? tables.of(r.old_files) : e.new_table;
    e.op = r.nr == SYS_execveat ? Op::Execveat : Op::Execve;
    e.flags = r.flags;
    e.name = std::string(r.name);
    return e;
}

FdEvent exit_event(const ExitRecord& r, TableIds& tables) {
    FdEvent e;
    e.time_ns = r.time_ns;
    e.pid = static_cast<std::int32_t>(r.tgid);
    e.tid = static_cast<std::int32_t>(r.tid);
    e.table = tables.of(r.files);
    e.op = Op::Exit;
    e.result = r.exit_code;
    return e;
}

}  // namespace fdscope::trace
