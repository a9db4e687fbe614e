#include "render/audit_view.hpp"

#include <fmt/format.h>
#include <sys/sysmacros.h>

#include "render/escape.hpp"
#include "render/json_envelope.hpp"
#include "render/json_writer.hpp"

namespace fdscope::render {

using report::Severity;

void write_audit_text(Output& out, const report::Audit& a, const TableStyle& style) {
    auto& b = out.buffer();
    if (a.findings.empty()) b += "No findings.\n";
    for (Severity sev : {Severity::High, Severity::Medium, Severity::Low}) {
        std::size_t n = 0;
        for (const auto& f : a.findings) n += f.severity == sev;
        if (!n) continue;
        if (style.color) b += "\x1b[1m";
        fmt::format_to(std::back_inserter(b), "{} ({})", report::severity_name(sev), n);
        if (style.color) b += "\x1b[0m";
        b += '\n';
        for (const auto& f : a.findings) {
            if (f.severity != sev) continue;
            b += "  ";
            b += f.kind;
            if (f.pid) {
                b += "  pid ";
                b += std::to_string(f.pid);
                b += " (";
                escape_for_table(f.command, b);
                b += ')';
            }
            if (f.fd >= 0) fmt::format_to(std::back_inserter(b), " fd {}", f.fd);
            b += ": ";
            escape_for_table(f.name, b);
            b += '\n';
            if (!f.holders.empty()) {
                b += "    from";
                for (std::size_t i = 0; i < f.holders.size(); ++i) {
                    const auto& h = f.holders[i];
                    b += i ? ", " : " ";
                    fmt::format_to(std::back_inserter(b), "pid {} (", h.pid);
                    escape_for_table(h.command, b);
                    if (h.fd >= 0) fmt::format_to(std::back_inserter(b), ") fd {}", h.fd);
                    else b += ", closed its copy)";
                }
                b += '\n';
            }
            b += "    ";
            escape_for_table(f.explain, b);
            b += "\n    fix: ";
            escape_for_table(f.fix, b);
            b += '\n';
        }
    }
    if (!a.deleted.empty()) {
        b += "\nDeleted but open, per filesystem\n";
        for (const auto& d : a.deleted) {
            b += "  ";
            escape_for_table(d.mount_point.empty() ? fmt::format("dev {}:{}", major(d.dev), minor(d.dev)) : d.mount_point, b);
            fmt::format_to(std::back_inserter(b), ": {} bytes in {} files\n", d.bytes, d.files);
        }
    }
}

void write_audit_json(Output& out, const report::Audit& a, const std::string& backend) {
    JsonWriter j(out);
    begin_document(j, "audit", backend);
    j.key("findings").begin_array();
    for (const auto& f : a.findings) {
        j.newline();
        j.begin_object();
        j.key("kind").value(f.kind);
        j.key("severity").value(report::severity_name(f.severity));
        j.key("pid");
        f.pid ? j.value(f.pid) : j.null();
        j.key("command");
        f.pid ? j.value(f.command) : j.null();
        j.key("fd");
        f.fd >= 0 ? j.value(f.fd) : j.null();
        j.key("description");
        f.description != kNoDescription ? j.value(f.description) : j.null();
        j.key("name").value(f.name);
        j.key("holders").begin_array();
        for (const auto& h : f.holders) {
            j.begin_object();
            j.key("pid").value(h.pid);
            j.key("command").value(h.command);
            j.key("fd");
            h.fd >= 0 ? j.value(h.fd) : j.null();
            j.end_object();
        }
        j.end_array();
        j.key("explain").value(f.explain);
        j.key("fix").value(f.fix);
        j.end_object();
    }
    j.end_array();
    j.key("deleted_space").begin_array();
    for (const auto& d : a.deleted) {
        j.begin_object();
        j.key("dev").value(fmt::format("{}:{}", major(d.dev), minor(d.dev)));
        j.key("mount_point");
        d.mount_point.empty() ? j.null() : j.value(d.mount_point);
        j.key("bytes").value(d.bytes);
        j.key("files").value(d.files);
        j.end_object();
    }
    j.end_array();
    j.end_object();
    j.newline();
}

}  // namespace fdscope::render
