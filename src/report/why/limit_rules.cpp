// The limit layer: what the kernel refuses before it looks at a path.
// An open (and socket(), for bind and connect) first takes the lowest
// free fd below RLIMIT_NOFILE (get_unused_fd_flags: EMFILE), then a file
// handle under fs.file-max (alloc_empty_file: ENFILE unless CAP_SYS_ADMIN
// in the initial namespace). exec meets RLIMIT_NPROC only after a set*uid()
// left the user over it; fork meets it, and pids.max, every time.
#include <cerrno>
#include <fmt/format.h>
#include <linux/capability.h>

#include "model/process.hpp"
#include "report/limit_fix.hpp"
#include "report/why/layers.hpp"
#include "report/why/process_text.hpp"

namespace fdscope::report::why {
namespace {

using fdscope::why::Op;
using fdscope::why::SubjectKind;

bool takes_an_fd(Op op) { return op == Op::Open || op == Op::BindInet || op == Op::BindUnix || op == Op::ConnectUnix; }

std::string what_fails(Op op) {
    return op == Op::Open ? "every open gets EMFILE, whatever the path" : "socket() gets EMFILE before the address is tried";
}

// setrlimit from outside (prlimit) for a process; the shell's ulimit for
// the caller, whose limits fdscope itself inherited.
std::string nofile_fix(const fdscope::why::Subject& s) {
    fdscope::Limit limit;
    limit.soft = s.limits.nofile_soft;
    limit.hard = s.limits.nofile_hard;
    limit.known = true;
    if (s.kind != SubjectKind::Caller) return raise_nofile_fix(s.pid, limit, 0);
    return fmt::format("raise the shell's limit before running the program: ulimit -n {} (the hard limit is {})",
                       limit.hard == fdscope::why::Limits::kUnlimited ? limit.soft * 2 : limit.hard,
                       limit_text(limit.hard));
}

Check limit_check(Result result) {
    Check c;
    c.layer = Layer::Limit;
    c.result = result;
    return c;
}

Check emfile(const Facts& facts) {
    const auto& s = facts.subject;
    if (s.kind == SubjectKind::User) {
        Check c = limit_check(Result::Skip);
        c.detail = "a fresh login starts with no fds";
        return c;
    }
    if (!s.limits.known || !s.fd_count) {
        Check c = limit_check(Result::Unknown);
        c.detail = "RLIMIT_NOFILE or the fd count not read";
        c.explain = fmt::format("whether {} has a free fd is not known", subject_text(s));
        return c;
    }
    const std::uint64_t used = *s.fd_count, soft = s.limits.nofile_soft;
    Check c = limit_check(Result::Pass);
    c.detail = fmt::format("fds {}/{} (RLIMIT_NOFILE soft {}, hard {})", grouped(used), limit_text(soft),
                           limit_text(soft), limit_text(s.limits.nofile_hard));
    if (soft == fdscope::why::Limits::kUnlimited || used < soft) return c;
    // get_unused_fd_flags takes the lowest free number below the limit.
    if (s.lowest_free_fd && *s.lowest_free_fd < soft) {
        c.detail += fmt::format("; but fd {} is free: some fds are numbered at or above the limit", *s.lowest_free_fd);
        return c;
    }
    c.result = Result::Fail;
    c.error = EMFILE;
    c.holders = facts.fd_groups;
    c.explain = fmt::format("{} has {} fds open, its RLIMIT_NOFILE soft limit is {}: {}", subject_text(s),
                            grouped(used), grouped(soft), what_fails(facts.operation.op));
    if (!facts.fd_groups.empty()) c.explain += "; the largest groups: " + holders_text(facts.fd_groups);
    c.fix = nofile_fix(s);
    return c;
}

Check enfile(const Facts& facts) {
    const auto& sys = facts.sysctls;
    if (!sys.known) {
        Check c = limit_check(Result::Unknown);
        c.detail = "fs.file-nr and fs.file-max not read";
        c.explain = "whether the machine has a free file handle is not known";
        return c;
    }
    Check c = limit_check(Result::Pass);
    c.detail = fmt::format("file handles {}/{} (fs.file-nr, fs.file-max)", grouped(sys.file_nr), grouped(sys.file_max));
    if (sys.file_nr < sys.file_max) return c;
    // capable(CAP_SYS_ADMIN): the initial user namespace's capability.
    if (has_cap(facts.subject, CAP_SYS_ADMIN) && facts.subject.init_user_ns) {
        c.detail += "; the table is full but CAP_SYS_ADMIN passes fs.file-max";
        return c;
    }
    c.result = Result::Fail;
    c.error = ENFILE;
    c.holders = facts.file_holders;
    c.explain = fmt::format("the machine's file table is full ({} handles, fs.file-max {}): every open and socket() "
                            "of every process without CAP_SYS_ADMIN gets ENFILE",
                            grouped(sys.file_nr), grouped(sys.file_max));
    if (!facts.file_holders.empty()) c.explain += "; the top holders: " + holders_text(facts.file_holders);
    c.fix = fmt::format("close what leaks (fdscope account names the holders), or raise the limit as root: sysctl -w "
                        "fs.file-max={}",
                        sys.file_max * 2);
    return c;
}

Check nproc(const Facts& facts) {
    const auto& s = facts.subject;
    Check c = limit_check(Result::Pass);
    if (!s.limits.known) {
        c.result = Result::Skip;
        c.detail = "RLIMIT_NPROC not read";
        return c;
    }
    c.detail = "RLIMIT_NPROC " + limit_text(s.limits.nproc_soft);
    if (s.user_tasks) c.detail += fmt::format(", uid {} has {} tasks", s.ruid, grouped(*s.user_tasks));
    if (s.limits.nproc_soft == fdscope::why::Limits::kUnlimited || !s.user_tasks || *s.user_tasks < s.limits.nproc_soft)
        return c;
    // Root's user and CAP_SYS_RESOURCE/CAP_SYS_ADMIN are exempt at fork
    // (copy_process); execve fails only with PF_NPROC_EXCEEDED set by set*uid.
    if (s.ruid == 0 || has_cap(s, CAP_SYS_RESOURCE) || has_cap(s, CAP_SYS_ADMIN)) {
        c.detail += " (over it, but exempt: root or CAP_SYS_RESOURCE/CAP_SYS_ADMIN)";
        return c;
    }
    c.result = Result::Note;
    c.error = EAGAIN;
    c.explain = fmt::format("uid {} is at its RLIMIT_NPROC of {} tasks: a fork() to run the program fails with "
                            "EAGAIN, and execve() too right after a set*uid() to this user",
                            s.ruid, grouped(s.limits.nproc_soft));
    c.fix = fmt::format("see what runs as uid {} (ps -L -u {}), or raise the limit: prlimit --pid {} --nproc={} "
                        "(LimitNPROC= in a unit)",
                        s.ruid, s.ruid, s.pid, s.limits.nproc_soft * 2);
    return c;
}

std::optional<Check> pids_max(const Facts& facts) {
    const auto& cg = facts.cgroup;
    if (!cg.pids_max || !cg.pids_current) return std::nullopt;
    Check c;
    c.layer = Layer::Cgroup;
    c.path = cg.path;
    c.detail = fmt::format("pids.current {} of pids.max {}", grouped(*cg.pids_current), grouped(*cg.pids_max));
    if (*cg.pids_current < *cg.pids_max) return c;
    c.result = Result::Note;
    c.error = EAGAIN;
    c.explain = fmt::format("cgroup {} is at pids.max ({}): a fork() to run the program fails with EAGAIN; an "
                            "execve() in an existing process still works",
                            cg.path, grouped(*cg.pids_max));
    const std::string unit = unit_of(cg.path);
    c.fix = unit.empty() ? fmt::format("echo {} > /sys/fs/cgroup{}/pids.max", *cg.pids_max * 2, cg.path)
                         : fmt::format("systemctl set-property {} TasksMax={}", unit, *cg.pids_max * 2);
    return c;
}

}  // namespace

std::vector<Check> limit_checks(const Facts& facts) {
    const Op op = facts.operation.op;
    std::vector<Check> checks;
    if (takes_an_fd(op)) {
        checks.push_back(emfile(facts));
        checks.push_back(enfile(facts));
    } else if (op == Op::Exec) {
        checks.push_back(nproc(facts));
        if (auto c = pids_max(facts)) checks.push_back(std::move(*c));
    }
    return checks;
}

}  // namespace fdscope::report::why
