// `fdscope why`: which layer makes a file operation fail, for the caller,
// a user or a process, and the fix.
#include <fmt/format.h>

#include <charconv>
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/exit_status.hpp"
#include "cli/terminal.hpp"
#include "render/why_view.hpp"
#include "report/why/evaluate.hpp"
#include "report/why/operation_text.hpp"
#include "report/why/with_probe.hpp"
#include "why/gather.hpp"
#include "why/probe.hpp"

namespace fdscope::cli {

inline constexpr int kExitUnknown = 3;

void add_why(CLI::App& cmd, WhyArgs& a) {
    cmd.add_option("operation", a.words,
                   "open PATH | mkdir PATH | rmdir PATH | unlink PATH | rename OLD NEW | link OLD NEW |\n"
                   "symlink TARGET PATH | exec PATH | chdir PATH | bind [tcp|udp] [ADDR:]PORT |\n"
                   "bind unix PATH | connect unix PATH | write | read (with -p PID --fd N)")
        ->required()
        ->option_text("OP ARGS...");
    cmd.add_flag("--read", a.read, "open: for reading (the default when --write is not given)");
    cmd.add_flag("--write", a.write, "open: for writing (with --read: both)");
    cmd.add_flag("--create", a.create, "open: O_CREAT");
    cmd.add_flag("--trunc", a.trunc, "open: O_TRUNC");
    cmd.add_flag("--append", a.append, "open: O_APPEND");
    cmd.add_flag("--excl", a.excl, "open: O_EXCL");
    cmd.add_flag("--directory", a.directory, "open: O_DIRECTORY");
    cmd.add_flag("--nofollow", a.nofollow, "open: O_NOFOLLOW");
    cmd.add_flag("--noatime", a.noatime, "open: O_NOATIME");
    cmd.add_option("-u,--user", a.user, "ask for this user as a fresh login would be (uid, primary gid, groups)")
        ->option_text("USER|UID");
    cmd.add_option("-p,--pid", a.pid, "ask for this process: its credentials, namespaces, seccomp filters, limits")
        ->option_text("PID");
    cmd.add_option("--as-thread", a.tid, "with -p: this thread's credentials and seccomp filters")->option_text("TID");
    cmd.add_option("--fd", a.fd, "read/write: the fd of -p PID")->option_text("N");
    cmd.add_flag("--no-probe", a.no_probe, "do not ask the kernel (by default a child with the subject's context tries)");
    cmd.add_flag("--in-target", a.in_target,
                 "with -p, as root: the target's own thread makes the non-destructive syscall (ptrace)");
    cmd.add_flag("-v,--verbose", a.verbose, "show passing and skipped checks too");
    cmd.add_flag("--json", a.json, "one JSON document (schema 1, docs/json.md)");
}

namespace {

int usage(const std::string& msg) {
    std::fprintf(stderr, "fdscope why: %s\n", msg.c_str());
    return kExitUsage;
}

bool any_open_flag(const WhyArgs& a) {
    return a.read || a.write || a.create || a.trunc || a.append || a.excl || a.directory || a.nofollow || a.noatime;
}

// The words after `why` as an Operation; nullopt with `error`.
std::optional<why::Operation> parse_operation(const WhyArgs& a, std::string& error) {
    using why::Op;
    const auto& w = a.words;
    const std::string& verb = w.front();
    const std::size_t args = w.size() - 1;
    auto need = [&](std::size_t n, const char* what) {
        if (args == n) return true;
        error = fmt::format("{} takes {}", verb, what);
        return false;
    };
    why::Operation op;
    if (verb != "open" && any_open_flag(a)) {
        error = "--read, --write, --create, ... belong to `why open`";
        return std::nullopt;
    }
    if ((verb == "read" || verb == "write") != (a.fd >= 0)) {
        error = verb == "read" || verb == "write" ? verb + " needs -p PID --fd N" : "--fd belongs to `why read` and `why write`";
        return std::nullopt;
    }
    static const std::pair<const char*, Op> one_path[] = {
        {"open", Op::Open},   {"mkdir", Op::Mkdir}, {"rmdir", Op::Rmdir},
        {"unlink", Op::Unlink}, {"exec", Op::Exec},  {"chdir", Op::Chdir},
    };
    for (const auto& [name, kind] : one_path) {
        if (verb != name) continue;
        if (!need(1, "one PATH")) return std::nullopt;
        op.op = kind;
        op.path = w[1];
        if (kind == Op::Open) {
            op.open = {a.read || !a.write, a.write, a.create, a.trunc, a.append,
                       a.excl, a.directory, a.nofollow, a.noatime};
            if (a.excl && !a.create) {
                error = "--excl needs --create";
                return std::nullopt;
            }
        }
        return op;
    }
    if (verb == "rename" || verb == "link" || verb == "symlink") {
        if (!need(2, verb == "symlink" ? "TARGET PATH" : "OLD NEW")) return std::nullopt;
        op.op = verb == "rename" ? Op::Rename : verb == "link" ? Op::Link : Op::Symlink;
        op.path = w[1];
        op.path2 = w[2];
        return op;
    }
    if (verb == "bind" || verb == "connect") {
        if (args >= 1 && w[1] == "unix") {
            if (!need(2, "unix PATH")) return std::nullopt;
            op.op = verb == "bind" ? Op::BindUnix : Op::ConnectUnix;
            op.path = w[2];
            return op;
        }
        if (verb == "connect") {
            error = "connect takes unix PATH (inet connects are not judged: the server decides)";
            return std::nullopt;
        }
        if (args < 1 || args > 2) {
            error = "bind takes [tcp|udp] [ADDR:]PORT or unix PATH";
            return std::nullopt;
        }
        return report::why::parse_bind_inet(args == 2 ? w[1] : "tcp", w.back(), error);
    }
    if (verb == "read" || verb == "write") {
        if (!need(0, "no argument (-p PID --fd N)")) return std::nullopt;
        op.op = verb == "read" ? Op::Read : Op::Write;
        op.fd = a.fd;
        return op;
    }
    error = fmt::format("unknown operation '{}' (see fdscope why --help)", verb);
    return std::nullopt;
}

// --in-target injects the attempt only when the static seccomp evaluation
// shows it can neither kill nor trap the thread nor wait on a supervisor.
bool seccomp_lets_through(const report::why::Verdict& v) {
    for (const auto& c : v.checks) {
        if (c.layer != report::why::Layer::Seccomp) continue;
        if (c.result == report::why::Result::Unknown) return false;
        if (c.result == report::why::Result::Fail && c.error == 0) return false;
    }
    return true;
}

bool breaks_a_lease(const report::why::Verdict& v) {
    for (const auto& c : v.checks)
        if (c.layer == report::why::Layer::Busy && c.result == report::why::Result::Note && c.detail.starts_with("lease held by"))
            return true;
    return false;
}

// The probe tries mkdir with a random name beside the one asked about, and
// a create as O_TMPFILE (or, when the name exists, as an open without
// O_CREAT): the name's own checks are the static verdict's alone.
std::string stand_in_for(const why::Operation& op, const why::Facts& facts) {
    const bool substituted = op.op == why::Op::Mkdir || (op.op == why::Op::Open && op.open.create && !facts.walk.last_exists);
    if (!substituted) return {};
    return facts.walk.steps.empty() ? op.path : facts.walk.steps.back().path;
}

// The probe never truncates, opens an existing name without O_CREAT, and
// its exec check ends before the binary format: the verdict of what it did
// is what its answer is compared with.
std::optional<report::why::Verdict> as_probed(const why::Facts& facts) {
    const auto& op = facts.operation;
    if (op.op == why::Op::Exec && facts.exec_format.kind != why::ExecFormat::Kind::Unread) {
        // AT_EXECVE_CHECK stops before the binary format is looked at.
        why::Facts probed = facts;
        probed.exec_format = {};
        return report::why::evaluate(probed);
    }
    if (op.op != why::Op::Open || !(op.open.trunc || (op.open.create && facts.walk.last_exists))) return std::nullopt;
    why::Facts probed = facts;
    probed.operation.open.trunc = false;
    if (facts.walk.last_exists) probed.operation.open.create = probed.operation.open.excl = false;
    return report::why::evaluate(probed);
}

int exit_status(report::why::Outcome o) {
    switch (o) {
    case report::why::Outcome::Allowed: return kExitOk;
    case report::why::Outcome::Denied: return kExitFailure;
    case report::why::Outcome::Unknown: return kExitUnknown;
    }
    return kExitUnknown;
}

}  // namespace

int run_why(const WhyArgs& a) {
    std::string error;
    if (a.words.empty()) return usage("which operation? (see fdscope why --help)");
    auto op = parse_operation(a, error);
    if (!op) return usage(error);
    if (!a.user.empty() && a.pid > 0) return usage("-u and -p are two different subjects: give one");
    if (a.tid > 0 && a.pid <= 0) return usage("--as-thread needs -p PID");
    if (a.in_target && a.pid <= 0) return usage("--in-target needs -p PID");
    if (a.in_target && a.no_probe) return usage("--in-target and --no-probe contradict each other");
    if ((op->op == why::Op::Read || op->op == why::Op::Write) && a.pid <= 0) return usage("read/write need -p PID --fd N");

    why::SubjectSpec spec;
    if (a.pid > 0) {
        spec.kind = why::SubjectKind::Process;
        spec.pid = a.pid;
        spec.tid = a.tid;
    } else if (!a.user.empty()) {
        spec.kind = why::SubjectKind::User;
        spec.user = a.user;
    }
    why::GatherError gerr;
    auto facts = why::gather(*op, spec, gerr);
    if (!facts) {
        std::fprintf(stderr, "fdscope why: %s\n", gerr.message.c_str());
        return gerr.usage ? kExitUsage : kExitFailure;
    }
    report::why::Verdict verdict = report::why::evaluate(*facts);
    if (!a.no_probe && breaks_a_lease(verdict)) {
        // Even an O_NONBLOCK open starts breaking the lease (the holder gets
        // SIGIO and must give it up): asking would change what is observed.
        verdict.unknowns.push_back("the kernel was not asked: the attempt would break another process's lease");
    } else if (!a.no_probe) {
        const why::ProbeResult probe = a.in_target ? why::probe_in_target(*op, facts->subject, seccomp_lets_through(verdict))
                                                   : why::probe(*op, facts->subject);
        if (probe.ran) {
            report::why::Tried tried;
            tried.error = probe.error;
            tried.signal = probe.signal;
            tried.how = probe.how;
            tried.exact = a.in_target;
            tried.not_reproduced = probe.not_reproduced;
            tried.stand_in_for = stand_in_for(*op, *facts);
            verdict = report::why::with_probe(std::move(verdict), tried, as_probed(*facts));
        } else if (!probe.failure.empty()) {
            verdict.unknowns.push_back("the kernel was not asked: " + probe.failure);
            // --in-target was asked for the exact answer: without it the
            // question stays open.
            if (a.in_target && verdict.outcome == report::why::Outcome::Allowed)
                verdict.outcome = report::why::Outcome::Unknown;
        }
    }

    render::Output out;
    if (a.json) {
        render::write_why_json(out, *facts, verdict);
    } else {
        render::WhyStyle style;
        style.verbose = a.verbose;
        style.color = use_color();
        render::write_why_text(out, *facts, verdict, style);
    }
    const int status = finish_output(out);
    if (status != kExitOk) return status;
    return exit_status(verdict.outcome);
}

}  // namespace fdscope::cli
