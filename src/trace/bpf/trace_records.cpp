#include "trace/bpf/trace_records.hpp"

#include <linux/types.h>

#include <cstring>

#include "bpf/load_at.hpp"
#include "trace_records.h"

namespace fdscope::trace {
namespace {

static_assert(sizeof(fds_tr_hdr) == 8, "record header layout");
static_assert(sizeof(fds_tr_syscall) == 112, "syscall record layout");
static_assert(sizeof(fds_tr_region) == 16, "region layout");
static_assert(sizeof(fds_tr_fork) == 72, "fork record layout");
static_assert(sizeof(fds_tr_exec) == 72, "exec record layout");
static_assert(sizeof(fds_tr_exit) == 32, "exit record layout");
static_assert(sizeof(fds_tr_task) == 16, "task record layout");

using bpf::load_at;

std::string_view comm_of(const char* comm, std::size_t size) {
    const void* nul = std::memchr(comm, '\0', size);
    return {comm, nul ? static_cast<std::size_t>(static_cast<const char*>(nul) - comm) : size};
}

std::optional<std::uint32_t> known_nr(std::uint32_t nr) {
    if (nr == FDS_NR_NONE) return std::nullopt;
    return nr;
}

std::size_t padded(std::size_t n) { return (n + 7) & ~std::size_t{7}; }

std::optional<RegionStatus> region_status(std::uint8_t s) {
    switch (s) {
        case FDS_REG_OK: return RegionStatus::Ok;
        case FDS_REG_CUT: return RegionStatus::Cut;
        case FDS_REG_FAULT: return RegionStatus::Fault;
        case FDS_REG_FULL: return RegionStatus::Full;
        default: return std::nullopt;
    }
}

// The body and tail after the header, `body` bytes long.
std::optional<TraceRecord> syscall_record(std::string_view body) {
    if (body.size() < sizeof(fds_tr_syscall)) return std::nullopt;
    const auto raw = load_at<fds_tr_syscall>(body.data());
    SyscallRecord r;
    r.time_ns = raw.time_ns;
    r.files = raw.files;
    r.enter_files = raw.enter_files;
    std::memcpy(r.args, raw.args, sizeof r.args);
    r.ret = raw.ret;
    r.tgid = raw.tgid;
    r.tid = raw.tid;
    r.nr = raw.nr;
    if (raw.flags & FDS_SC_MODE) r.i_mode = raw.i_mode;
    r.enter_seen = !(raw.flags & FDS_SC_NO_ENTER);
    r.stack_error = raw.stack_err;
    r.sp_word = raw.sp_word;
    r.cfi_walked = (raw.flags & FDS_SC_CFI_WALK) != 0;
    std::size_t at = sizeof(fds_tr_syscall);
    const std::size_t stack_bytes = std::size_t{raw.nframes} * 8;
    if (raw.nframes > FDS_STACK_MAX || body.size() - at < stack_bytes) return std::nullopt;
    r.pcs.resize(raw.nframes);
    if (stack_bytes) std::memcpy(r.pcs.data(), body.data() + at, stack_bytes);
    at += stack_bytes;
    r.regions.reserve(raw.nregions);
    for (unsigned i = 0; i < raw.nregions; ++i) {
        if (body.size() - at < sizeof(fds_tr_region)) return std::nullopt;
        const auto reg = load_at<fds_tr_region>(body.data() + at);
        at += sizeof(fds_tr_region);
        const auto status = region_status(reg.status);
        if (!status || reg.cap >= FDS_MAX_CAPS) return std::nullopt;
        if ((*status == RegionStatus::Fault || *status == RegionStatus::Full) && reg.len != 0) return std::nullopt;
        if (body.size() - at < reg.len) return std::nullopt;
        Region out;
        out.addr = reg.addr;
        out.status = *status;
        out.cap = reg.cap;
        out.bytes = body.substr(at, reg.len);
        // A string copied whole ends at its NUL.
        if (*status == RegionStatus::Ok && reg.len == 0) return std::nullopt;
        r.regions.push_back(out);
        at += std::min(padded(reg.len), body.size() - at);
    }
    return r;
}

std::optional<TraceRecord> fork_record(std::string_view body) {
    if (body.size() != sizeof(fds_tr_fork)) return std::nullopt;
    const auto raw = load_at<fds_tr_fork>(body.data());
    ForkRecord r;
    r.time_ns = raw.time_ns;
    r.parent_files = raw.parent_files;
    r.child_files = raw.child_files;
    r.flags = raw.flags;
    r.parent_tgid = raw.parent_tgid;
    r.parent_tid = raw.parent_tid;
    r.child_tgid = raw.child_tgid;
    r.child_tid = raw.child_tid;
    r.nr = known_nr(raw.nr);
    r.comm = comm_of(body.data() + offsetof(fds_tr_fork, comm), sizeof raw.comm);
    return r;
}

std::optional<TraceRecord> exec_record(std::string_view body) {
    if (body.size() < sizeof(fds_tr_exec)) return std::nullopt;
    const auto raw = load_at<fds_tr_exec>(body.data());
    if (body.size() - sizeof(fds_tr_exec) < std::size_t{raw.name_len} + raw.args_len) return std::nullopt;
    if (raw.name_status != FDS_REG_OK && raw.name_status != FDS_REG_CUT) return std::nullopt;
    if (raw.args_status > FDS_REG_FAULT || (raw.args_status == FDS_REG_FAULT && raw.args_len)) return std::nullopt;
    ExecRecord r;
    r.time_ns = raw.time_ns;
    r.old_files = raw.old_files;
    r.new_files = raw.new_files;
    r.flags = raw.flags;
    r.tgid = raw.tgid;
    r.tid = raw.tid;
    r.old_tid = raw.old_tid;
    r.nr = known_nr(raw.nr);
    r.name = body.substr(sizeof(fds_tr_exec), raw.name_len);
    r.name_cut = raw.name_status == FDS_REG_CUT;
    r.args = body.substr(sizeof(fds_tr_exec) + raw.name_len, raw.args_len);
    r.args_cut = raw.args_status == FDS_REG_CUT;
    r.comm = comm_of(body.data() + offsetof(fds_tr_exec, comm), sizeof raw.comm);
    return r;
}

std::optional<TraceRecord> exit_record(std::string_view body) {
    if (body.size() != sizeof(fds_tr_exit)) return std::nullopt;
    const auto raw = load_at<fds_tr_exit>(body.data());
    ExitRecord r;
    r.time_ns = raw.time_ns;
    r.files = raw.files;
    r.tgid = raw.tgid;
    r.tid = raw.tid;
    r.exit_code = raw.exit_code;
    r.group_dead = raw.group_dead != 0;
    return r;
}

}  // namespace

std::optional<TraceRecord> parse_trace_record(std::string_view bytes) {
    if (bytes.size() < sizeof(fds_tr_hdr)) return std::nullopt;
    const auto hdr = load_at<fds_tr_hdr>(bytes.data());
    // The ring may round a sample up; the header says how much is ours.
    if (hdr.len < sizeof(fds_tr_hdr) || hdr.len > bytes.size()) return std::nullopt;
    const std::string_view body = bytes.substr(sizeof(fds_tr_hdr), hdr.len - sizeof(fds_tr_hdr));
    switch (hdr.type) {
        case FDS_TR_SYSCALL: return syscall_record(body);
        case FDS_TR_FORK: return fork_record(body);
        case FDS_TR_EXEC: return exec_record(body);
        case FDS_TR_EXIT: return exit_record(body);
        default: return std::nullopt;
    }
}

bool parse_task_records(std::string_view bytes, const std::function<void(const TaskRecord&)>& sink) {
    constexpr std::size_t kSize = sizeof(fds_tr_hdr) + sizeof(fds_tr_task);
    while (!bytes.empty()) {
        if (bytes.size() < kSize) return false;
        const auto hdr = load_at<fds_tr_hdr>(bytes.data());
        if (hdr.type != FDS_TR_TASK || hdr.len != kSize) return false;
        const auto raw = load_at<fds_tr_task>(bytes.data() + sizeof(fds_tr_hdr));
        sink(TaskRecord{raw.files, raw.tgid, raw.tid});
        bytes.remove_prefix(kSize);
    }
    return true;
}

}  // namespace fdscope::trace
