#include "report/why/evaluate.hpp"


#include "report/why/busy_rules.hpp"
#include "report/why/layers.hpp"

namespace fdscope::report::why {
namespace {

using fdscope::why::Op;

void append(std::vector<Check>& to, std::vector<Check> more) {
    for (auto& c : more) to.push_back(std::move(c));
}

bool creates(const Facts& f) {
    switch (f.operation.op) {
    case Op::Mkdir: case Op::Symlink: case Op::Link: case Op::BindUnix: return true;
    case Op::Open: return f.operation.open.create;
    default: return false;
    }
}

}  // namespace

// The order of the groups is the kernel's: seccomp at syscall entry; an
// open's fd and file-table limits before the path walk (do_sys_openat2
// takes the fd first; a bind or connect needs its socket first); the walk and the object (DAC hides what comes
// after it); space and quota when the filesystem allocates; the device
// cgroup and the LSM hooks once DAC has passed.
Verdict evaluate(const Facts& facts) {
    std::vector<Check> checks = seccomp_checks(facts);
    switch (facts.operation.op) {
    case Op::BindInet:
        append(checks, limit_checks(facts));  // socket() takes an fd first
        append(checks, inet_bind_checks(facts));
        append(checks, lsm_checks(facts));
        break;
    case Op::Read: case Op::Write:
        append(checks, fd_checks(facts));
        append(checks, cgroup_checks(facts));
        append(checks, lsm_checks(facts));
        break;
    default:
        append(checks, limit_checks(facts));  // open, the socket of bind/connect unix, exec
        append(checks, path_operation_checks(facts));
        append(checks, lease_checks(facts));  // may_open passed: break_lease comes next in do_dentry_open
        if (creates(facts)) append(checks, space_checks(facts));
        if (facts.operation.op == Op::Open) append(checks, cgroup_checks(facts));
        append(checks, lsm_checks(facts));
        break;
    }
    return verdict_from(std::move(checks), facts);
}

}  // namespace fdscope::report::why
