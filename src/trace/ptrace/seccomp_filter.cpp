#include "trace/ptrace/seccomp_filter.hpp"

#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "sys/seccomp_load.hpp"
#include "sys/unique_fd.hpp"

namespace fdscope::trace::ptrace {

namespace {

struct CtxRelease {
    void operator()(void* ctx) const { seccomp_release(ctx); }
};

// seccomp_export_bpf writes to an fd (libseccomp 2.5 has no in-memory
// export): a memfd, read back.
bool export_program(scmp_filter_ctx ctx, std::vector<sock_filter>& out, std::string& error) {
    sys::UniqueFd fd(::memfd_create("fdscope-seccomp", MFD_CLOEXEC));
    if (!fd) {
        error = std::string("memfd_create: ") + std::strerror(errno);
        return false;
    }
    if (const int rc = seccomp_export_bpf(ctx, fd.get()); rc < 0) {
        error = std::string("seccomp_export_bpf: ") + std::strerror(-rc);
        return false;
    }
    const off_t size = ::lseek(fd.get(), 0, SEEK_END);
    if (size <= 0 || static_cast<std::size_t>(size) % sizeof(sock_filter) != 0) {
        error = "seccomp_export_bpf wrote no program";
        return false;
    }
    out.resize(static_cast<std::size_t>(size) / sizeof(sock_filter));
    if (::pread(fd.get(), out.data(), static_cast<std::size_t>(size), 0) != size) {
        error = std::string("reading the exported filter: ") + std::strerror(errno);
        out.clear();
        return false;
    }
    return true;
}

}  // namespace

FilterProgram build_trace_filter(std::span<const long> nrs) {
    FilterProgram result;
    std::unique_ptr<void, CtxRelease> ctx(seccomp_init(SCMP_ACT_ALLOW));
    if (!ctx) {
        result.error = "seccomp_init failed";
        return result;
    }
    // A syscall of another ABI stops too (the engine tells them apart by
    // PTRACE_GET_SYSCALL_INFO's arch). The program is only exported here:
    // whether no_new_privs is needed is install_trace_filter's decision.
    seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRACE(0));
    seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);
    // Binary search over the numbers rather than a linear list: fewer
    // instructions run per syscall of the tracee.
    seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);
    for (const long nr : nrs) {
        if (const int rc = seccomp_rule_add(ctx.get(), SCMP_ACT_TRACE(0), static_cast<int>(nr), 0); rc < 0) {
            result.error = "seccomp_rule_add(" + std::to_string(nr) + "): " + std::strerror(-rc);
            return result;
        }
    }
    export_program(ctx.get(), result.program, result.error);
    return result;
}

int install_trace_filter(std::span<const sock_filter> program) {
    int err = sys::load_seccomp_filter(program);
    if (err == EACCES) {
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno;
        err = sys::load_seccomp_filter(program);
    }
    return err;
}

}  // namespace fdscope::trace::ptrace
