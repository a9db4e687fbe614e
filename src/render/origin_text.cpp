#include "render/origin_text.hpp"

#include <cmath>

#include "render/json_writer.hpp"
#include "render/trace_view.hpp"

namespace fdscope::render {

bool runtime_module(std::string_view module) {
    const auto slash = module.rfind('/');
    const std::string_view base = slash == std::string_view::npos ? module : module.substr(slash + 1);
    for (std::string_view prefix : {"libc.so", "libc-", "ld-linux", "ld-", "libpthread.so", "libpthread-", "libdl.so",
                                    "libdl-", "libfdscope-preload.so"})
        if (base.starts_with(prefix) && base.find(".so") != std::string_view::npos) return true;
    return false;
}

std::string origin_site(const std::vector<SymbolizedFrame>& frames) {
    for (const SymbolizedFrame& f : frames)
        if (!runtime_module(f.module)) return frame_text(f);
    return "-";
}

void origin_cell(const ProcessOrigins& table, const Origin& o, std::string& out) {
    if (o.library_fd) {
        out += o.op == "fdscope-log"      ? "fdscope log (FDSCOPE_LOG)"
               : o.op == "fdscope-unwind" ? "libunwind's own pipe (FDSCOPE_STACKS=libunwind)"
                                          : "fdscope quarantine placeholder";
        return;
    }
    const std::string& site = table.stack_of(o.stack).site;
    if (o.quarantined) {
        const std::string& closed = table.stack_of(o.close_stack).site;
        out += "quarantined, closed at ";
        out += closed.empty() ? std::string_view("-") : std::string_view(closed);
        return;
    }
    // frame_text escaped the site for a table already.
    out += site.empty() ? std::string_view("-") : std::string_view(site);
    if (o.inherited) out += " (inherited)";
}

namespace {

void stack_json(JsonWriter& j, const OriginStack& s) {
    j.begin_array();
    for (const SymbolizedFrame& f : s.frames) write_frame_json(j, f);
    j.end_array();
}

// Unix seconds to the millisecond, as the other documents write times.
double ms(double t) { return std::round(t * 1000) / 1000; }

}  // namespace

void write_origin_json(JsonWriter& j, const ProcessOrigins* table, const Origin* o) {
    j.key("origin");
    if (!o || !table) {
        j.null();
        return;
    }
    j.begin_object();
    j.key("op").value(o->op);
    if (o->library_fd) {
        j.key("library_fd").value(true);
        j.end_object();
        return;
    }
    j.key("tid").value(static_cast<std::int64_t>(o->tid));
    j.key("time").value(ms(o->time));
    j.key("inherited").value(o->inherited);
    j.key("cloexec_forced").value(o->cloexec_forced);
    j.key("handed_on").value(o->handed_on);
    j.key("via_syscall").value(o->via_syscall);
    j.key("owner");
    if (const char* owner = fd_owner_name(o->owner)) j.value(owner);
    else j.null();
    j.key("quarantined").value(o->quarantined);
    const OriginStack& s = table->stack_of(o->stack);
    j.key("site").value(s.site.empty() ? std::string_view("-") : std::string_view(s.site));
    j.key("stack");
    stack_json(j, s);
    if (o->quarantined) {
        j.key("closed").begin_object();
        j.key("tid").value(static_cast<std::int64_t>(o->close_tid));
        j.key("time").value(ms(o->close_time));
        j.key("stack");
        stack_json(j, table->stack_of(o->close_stack));
        j.end_object();
    }
    j.end_object();
}

}  // namespace fdscope::render
