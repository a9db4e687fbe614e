#include "trace/bpf/program_tables.hpp"

#include <algorithm>

#include "model/event.hpp"
#include "trace/decode/syscall.hpp"

namespace fdscope::trace {
namespace {

// Whether the call's return value is the new fd (so the program reads its
// inode mode): creators and dups, but not the ones whose fds land in
// memory (pipe, socketpair, SCM_RIGHTS) or the process calls.
bool returns_fd(const SyscallInfo& info) {
    return std::any_of(info.ops.begin(), info.ops.end(), [](Op op) {
        const OpClass c = op_class(op);
        return (c == OpClass::Create || c == OpClass::Duplicate) && !creates_two(op) && op != Op::RecvmsgRights;
    });
}

bool execs(const SyscallInfo& info) {
    return std::any_of(info.ops.begin(), info.ops.end(), [](Op op) { return op == Op::Execve || op == Op::Execveat; });
}

}  // namespace

ProgramTables program_tables() {
    ProgramTables t;
    for (const long nr : traced_syscalls(Abi::X86_64)) {
        if (nr < 0 || nr >= FDS_NR_MAX) {
            t.left_out.push_back(nr);
            continue;
        }
        const auto n = static_cast<std::uint32_t>(nr);
        t.interest[n / 64] |= std::uint64_t{1} << (n % 64);
        ProgramTables::Plan p;
        p.nr = n;
        const std::span<const Capture> caps = capture_plan(Abi::X86_64, nr);
        for (const Capture& c : caps) {
            if (p.plan.ncaps == FDS_MAX_CAPS) break;
            fds_cap& out = p.plan.caps[p.plan.ncaps++];
            out.kind = static_cast<__u8>(c.kind);
            out.arg = c.arg;
            out.size = c.size;
        }
        if (const auto info = syscall_info(Abi::X86_64, nr)) {
            if (returns_fd(*info)) p.plan.flags |= FDS_PLAN_RET_FD;
            if (execs(*info)) p.plan.flags |= FDS_PLAN_EXEC;
        }
        if (p.plan.ncaps || p.plan.flags) t.plans.push_back(p);
    }
    return t;
}

static_assert(static_cast<int>(CaptureKind::String) == FDS_CAP_STRING);
static_assert(static_cast<int>(CaptureKind::Bytes) == FDS_CAP_BYTES);
static_assert(static_cast<int>(CaptureKind::MsgControl) == FDS_CAP_MSG_CONTROL);
static_assert(static_cast<int>(CaptureKind::MmsgControl) == FDS_CAP_MMSG_CONTROL);

}  // namespace fdscope::trace
