#include "render/why_view.hpp"

#include <fmt/format.h>

#include "render/escape.hpp"
#include "render/json_envelope.hpp"
#include "render/json_writer.hpp"
#include "report/why/capability_names.hpp"
#include "report/why/operation_text.hpp"

namespace fdscope::render {

using report::why::Check;
using report::why::Outcome;
using report::why::Result;
using report::why::Verdict;

namespace {

std::string t(std::string_view s) { return escape_for_table(s); }

std::string bold(std::string_view s, bool color) {
    return color ? fmt::format("\033[1m{}\033[0m", s) : std::string(s);
}

// "EACCES — search permission on /srv/app (...) is missing"
std::string failure_text(const Check& c) {
    std::string s = report::why::errno_name(c.error);
    if (c.error == 0) s = "refused";
    const std::string& why = c.explain.empty() ? c.detail : c.explain;
    if (!why.empty()) s += " — " + t(why);
    return s;
}

void write_holders(Output& out, const std::vector<why::Holder>& holders) {
    for (const auto& h : holders) {
        std::string line = fmt::format("      held by pid {} ({})", h.pid, t(h.command));
        if (h.fd >= 0) line += fmt::format(" fd {}", h.fd);
        if (!h.note.empty()) line += ", " + t(h.note);
        out.write(line + "\n");
    }
}

bool shown(const Check& c, bool verbose) {
    return verbose || (c.result != Result::Pass && c.result != Result::Skip);
}

}  // namespace

void write_why_text(Output& out, const why::Facts& facts, const Verdict& v, const WhyStyle& style) {
    const std::string head = fmt::format("{} as {}", t(report::why::describe_operation(facts.operation)),
                                         t(report::why::describe_subject(facts.subject)));
    std::string line;
    switch (v.outcome) {
    case Outcome::Allowed:
        line = head + ": allowed";
        break;
    case Outcome::Denied: {
        const Check& first = v.checks[v.blocking.front()];
        line = fmt::format("{}: denied, {}", head, failure_text(first));
        if (!first.fix.empty()) line += ". Fix: " + t(first.fix);
        break;
    }
    case Outcome::Unknown:
        line = head + ": unknown";
        if (v.error != 0) line += ", " + report::why::errno_name(v.error);
        if (!v.unknowns.empty()) line += " — " + t(v.unknowns.front());
        break;
    }
    out.write(bold(line, style.color) + "\n");
    if (v.outcome == Outcome::Denied) write_holders(out, v.checks[v.blocking.front()].holders);
    for (std::size_t i = 1; i < v.blocking.size(); ++i) {
        const Check& c = v.checks[v.blocking[i]];
        std::string then = fmt::format("  then: {} {}", report::why::layer_name(c.layer), failure_text(c));
        if (!c.fix.empty()) then += ". Fix: " + t(c.fix);
        out.write(then + "\n");
        write_holders(out, c.holders);
    }
    if (v.outcome == Outcome::Unknown)
        for (std::size_t i = 1; i < v.unknowns.size(); ++i) out.write("  unknown: " + t(v.unknowns[i]) + "\n");
    if (v.tried) {
        const std::string answer = v.tried->signal ? fmt::format("killed by signal {}", v.tried->signal)
                                   : v.tried->error ? report::why::errno_name(v.tried->error)
                                                    : "success";
        out.write(fmt::format("  kernel: {} → {} ({})\n", t(v.tried->how), answer,
                              v.tried->agrees ? "agrees" : "disagrees"));
        if (!v.tried->not_reproduced.empty())
            out.write("  not reproduced by the probe: " + t(v.tried->not_reproduced) + "\n");
    }
    bool any = false;
    for (const Check& c : v.checks) {
        if (!shown(c, style.verbose)) continue;
        if (!any) out.write("checks, in the kernel's order:\n");
        any = true;
        std::string row = fmt::format("  {:<10} {:<7} ", report::why::layer_name(c.layer),
                                      report::why::result_name(c.result));
        if (!c.path.empty()) row += t(c.path) + "  ";
        row += t(c.detail);
        if (c.result == Result::Fail) row += fmt::format(" [{}]", report::why::errno_name(c.error));
        // A note's sentence is said nowhere else (failures and unknowns have the lines above).
        if (c.result == Result::Note && !c.explain.empty()) row += " — " + t(c.explain);
        out.write(row + "\n");
    }
    if (!style.verbose) {
        std::size_t hidden = 0;
        for (const Check& c : v.checks) hidden += shown(c, false) ? 0u : 1u;
        if (hidden) out.write(fmt::format("  ({} passing or skipped checks; -v shows them)\n", hidden));
    }
}

void write_why_json(Output& out, const why::Facts& facts, const Verdict& v) {
    JsonWriter j(out);
    begin_document(j, "why", "procfs");
    const auto& op = facts.operation;
    j.key("operation").begin_object();
    j.key("op").value(report::why::op_name(op.op));
    if (op.op == why::Op::Read || op.op == why::Op::Write) j.key("path").null();
    else if (op.op == why::Op::BindInet) j.key("path").value(report::why::address_text(op));
    else j.key("path").value(op.op == why::Op::Symlink ? op.path2 : op.path);
    if (op.op == why::Op::Rename || op.op == why::Op::Link) j.key("path2").value(op.path2);
    if (op.op == why::Op::Symlink) j.key("target").value(op.path);
    if (op.op == why::Op::Read || op.op == why::Op::Write) j.key("fd").value(op.fd);
    j.key("flags").begin_array();
    for (const auto& f : report::why::operation_flags(op)) j.value(f);
    j.end_array();
    j.end_object();

    const auto& s = facts.subject;
    j.key("subject").begin_object();
    j.key("uid").value(static_cast<std::uint64_t>(s.euid));
    j.key("gid").value(static_cast<std::uint64_t>(s.egid));
    j.key("groups").begin_array();
    for (gid_t g : s.groups) j.value(static_cast<std::uint64_t>(g));
    j.end_array();
    if (s.kind == why::SubjectKind::Process) {
        j.key("pid").value(static_cast<std::int64_t>(s.pid));
        j.key("tid").value(static_cast<std::int64_t>(s.tid));
        j.key("command").value(s.command);
    } else {
        j.key("pid").null();
    }
    if (!s.user_name.empty()) j.key("user").value(s.user_name);
    j.key("capabilities").begin_array();
    for (const auto& c : report::why::capability_names(s.cap_effective)) j.value(c);
    j.end_array();
    j.end_object();

    j.key("verdict").value(report::why::outcome_name(v.outcome));
    if (v.error) j.key("errno").value(report::why::errno_name(v.error));
    else j.key("errno").null();
    if (v.outcome == Outcome::Denied) j.key("layer").value(report::why::layer_name(v.checks[v.blocking.front()].layer));
    else j.key("layer").null();

    j.key("blocking").begin_array();
    for (std::size_t i : v.blocking) {
        const Check& c = v.checks[i];
        j.begin_object();
        j.key("layer").value(report::why::layer_name(c.layer));
        j.key("path").value(c.path);
        j.key("errno").value(report::why::errno_name(c.error));
        j.key("explain").value(c.explain);
        j.key("fix").value(c.fix);
        j.key("holders").begin_array();
        for (const auto& h : c.holders) {
            j.begin_object();
            j.key("pid").value(static_cast<std::int64_t>(h.pid));
            j.key("command").value(h.command);
            if (h.fd >= 0) j.key("fd").value(h.fd);
            else j.key("fd").null();
            if (!h.note.empty()) j.key("note").value(h.note);
            j.end_object();
        }
        j.end_array();
        j.end_object();
    }
    j.end_array();

    j.key("checks").begin_array();
    for (const Check& c : v.checks) {
        j.begin_object();
        j.key("layer").value(report::why::layer_name(c.layer));
        j.key("path").value(c.path);
        j.key("result").value(report::why::result_name(c.result));
        j.key("detail").value(c.detail);
        if (c.result == Result::Fail) j.key("errno").value(report::why::errno_name(c.error));
        if (!c.explain.empty()) j.key("explain").value(c.explain);
        j.end_object();
    }
    j.end_array();

    j.key("unknowns").begin_array();
    for (const auto& u : v.unknowns) j.value(u);
    j.end_array();

    if (v.tried) {
        j.key("tried").begin_object();
        if (v.tried->error) j.key("errno").value(report::why::errno_name(v.tried->error));
        else j.key("errno").null();
        j.key("agrees").value(v.tried->agrees);
        j.key("how").value(v.tried->how);
        j.key("exact").value(v.tried->exact);
        if (v.tried->signal) j.key("signal").value(v.tried->signal);
        j.key("not_reproduced").value(v.tried->not_reproduced);
        j.end_object();
    } else {
        j.key("tried").null();
    }
    j.end_object();
    j.newline();
}

}  // namespace fdscope::render
