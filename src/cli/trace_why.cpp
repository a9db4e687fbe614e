#include "cli/trace_why.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "report/why/evaluate.hpp"
#include "report/why/operation_text.hpp"
#include "why/gather.hpp"

namespace fdscope::cli {

namespace {

// The failures whose cause lies on the path (the walk, modes, mounts,
// LSMs...), as opposed to EMFILE or EBADF, which the report's errors say.
bool path_error(int error) {
    switch (error) {
    case EACCES: case EPERM: case ENOENT: case ENOTDIR: case ELOOP: case EROFS: case ETXTBSY:
    case ENAMETOOLONG: case EISDIR: case EEXIST: case ENOSPC: case EDQUOT: case EXDEV: case ENXIO:
    case ENODEV: case ENOEXEC:
        return true;
    default:
        return false;
    }
}

std::optional<why::Operation> operation_of(const FdEvent& e) {
    why::Operation op;
    op.path = e.name;
    switch (e.op) {
    case Op::Open: case Op::Openat: case Op::Openat2: case Op::Creat: {
        op.op = why::Op::Open;
        const auto flags = e.op == Op::Creat ? std::uint64_t{O_CREAT | O_WRONLY | O_TRUNC} : e.flags;
        const auto acc = flags & O_ACCMODE;
        op.open.read = acc == O_RDONLY || acc == O_RDWR;
        op.open.write = acc == O_WRONLY || acc == O_RDWR;
        op.open.create = (flags & O_CREAT) != 0;
        op.open.trunc = (flags & O_TRUNC) != 0;
        op.open.append = (flags & O_APPEND) != 0;
        op.open.excl = (flags & O_EXCL) != 0;
        op.open.directory = (flags & O_DIRECTORY) != 0;
        op.open.nofollow = (flags & O_NOFOLLOW) != 0;
        op.open.noatime = (flags & O_NOATIME) != 0;
        return op;
    }
    case Op::Execve: case Op::Execveat:
        op.op = why::Op::Exec;
        return op;
    default:
        return std::nullopt;
    }
}

FailureExplanation explain(const FdEvent& e, const why::Operation& op) {
    FailureExplanation x;
    x.op = e.op;
    x.path = e.name;
    x.error = e.error;
    // The bpf engine does not stop the thread: by the time its event is
    // read, the thread may be gone, and with it what `why` would look at.
    if (::access(("/proc/" + std::to_string(e.pid) + "/task/" + std::to_string(e.tid)).c_str(), F_OK) != 0) {
        x.text = "the thread had exited before it could be asked about (--engine ptrace holds it at the failure)";
        return x;
    }
    why::SubjectSpec spec;
    spec.kind = why::SubjectKind::Process;
    spec.pid = e.pid;
    spec.tid = e.tid;
    why::GatherError gerr;
    auto facts = why::gather(op, spec, gerr);
    if (!facts) {
        x.text = "why could not read the process: " + gerr.message;
        return x;
    }
    const report::why::Verdict v = report::why::evaluate(*facts);
    x.agrees = v.error == e.error;
    if (v.blocking.empty()) {
        x.text = v.unknowns.empty() ? "why finds every layer letting it through now (the cause is gone, or a layer it cannot see)"
                                    : "why cannot tell: " + v.unknowns.front();
        return x;
    }
    const report::why::Check& c = v.checks[v.blocking.front()];
    x.layer = std::string(report::why::layer_name(c.layer));
    x.text = c.explain.empty() ? c.detail : c.explain;
    x.fix = c.fix;
    if (!x.agrees)
        x.text += " (why predicts " + report::why::errno_name(v.error) + ", the call got " + report::why::errno_name(e.error) + ")";
    return x;
}

}  // namespace

void FailureExplainer::observe(const FdEvent& e) {
    if (e.error == 0 || !path_error(e.error) || e.name.empty()) return;
    if (e.name.front() != '/' && e.at_fd != AT_FDCWD) return;
    auto op = operation_of(e);
    if (!op) return;
    auto [it, fresh] = seen_.try_emplace({e.op, e.name, e.flags, e.error}, true);
    if (!fresh) return;
    explanations_.push_back(explain(e, *op));
}

}  // namespace fdscope::cli
