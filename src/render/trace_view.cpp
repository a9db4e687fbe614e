#include "render/trace_view.hpp"

#include <fmt/format.h>
#include <optional>

#include "render/escape.hpp"
#include "render/json_envelope.hpp"
#include "render/json_writer.hpp"
#include "render/numbers.hpp"

namespace fdscope::render {

using report::TraceLeak;
using report::TraceReport;
using report::TraceSite;

namespace {

std::string t(std::string_view s) { return escape_for_table(s); }

std::string base_name(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string module_offset(const SymbolizedFrame& f) {
    return fmt::format("{}+{:#x}", t(f.module.empty() ? "?" : base_name(f.module)), f.offset);
}

// "+1.204s": seconds since tracing began.
std::string at(double s) { return fmt::format("+{:.3f}s", s); }

std::string who(const TraceSite& s) {
    std::string w = fmt::format("pid {}", s.pid);
    if (!s.command.empty()) w += " (" + t(s.command) + ")";
    if (s.tid != s.pid) w += fmt::format(" tid {}", s.tid);
    return w;
}

std::string kinds_text(const std::vector<Kind>& kinds) {
    std::string s;
    for (Kind k : kinds) s += (s.empty() ? "" : "/") + std::string(kind_name(k));
    return s.empty() ? "unknown" : s;
}

// "  e.g. /etc/a, /etc/b"; "" without names.
std::string examples(const std::vector<std::string>& names) {
    std::string s;
    for (std::size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "  e.g. ") + t(names[i]);
    return s;
}

class Text {
public:
    Text(Output& out, const StackFrames& frames, const TraceStyle& style) : out_(out), frames_(frames), style_(style) {}

    void write(const TraceReport& r) {
        leaks(r);
        crossed(r);
        stale(r);
        doubles(r);
        ebadf(r);
        replaces(r);
        errors(r);
        summary(r);
    }

private:
    void line(const std::string& s) { out_.write(s + "\n"); }

    void heading(std::string_view name, const std::string& rest) {
        std::string h = style_.color ? fmt::format("\033[1m{}\033[0m", name) : std::string(name);
        line(rest.empty() ? h : h + "  " + rest);
    }

    // A section: its heading with the count ("none" when `say_none`), then
    // each entry up to max_entries.
    template <typename T, typename Each>
    void section(std::string_view name, const std::vector<T>& list, bool say_none, Each each) {
        if (list.empty()) {
            if (say_none) heading(name, "none");
            return;
        }
        heading(name, grouped(list.size()));
        for (std::size_t i = 0; i < list.size() && shown(i, list.size()); ++i) each(list[i]);
    }

    // Whether entry i of a section of n is shown; says once what was left out.
    bool shown(std::size_t i, std::size_t n) {
        if (i < style_.max_entries) return true;
        if (i == style_.max_entries) line(fmt::format("  … {} more (--json lists them all)", grouped(n - i)));
        return false;
    }

    void stack(StackId id, std::string_view indent) {
        if (id == kNoStack) return line(fmt::format("{}(no stack captured)", indent));
        const std::vector<SymbolizedFrame> fs = frames_ ? frames_(id) : std::vector<SymbolizedFrame>{};
        if (fs.empty()) return line(fmt::format("{}(stack not symbolized)", indent));
        const std::size_t shown = std::min(fs.size(), style_.max_frames);
        for (std::size_t i = 0; i < shown; ++i) line(fmt::format("{}#{} {}", indent, i, frame_text(fs[i])));
        if (shown < fs.size()) line(fmt::format("{}… {} more frames", indent, fs.size() - shown));
    }

    void leaks(const TraceReport& r) {
        if (r.leaks.empty()) heading("LEAKS", "none");
        else
            heading("LEAKS", fmt::format("{} {}, {} {} (open at exit, or when tracing stopped)", r.leaks.size(),
                                         noun(r.leaks.size(), "site", "sites"), grouped(r.leaked_fds),
                                         noun(r.leaked_fds, "fd", "fds")));
        for (std::size_t i = 0; i < r.leaks.size() && shown(i, r.leaks.size()); ++i) {
            const TraceLeak& l = r.leaks[i];
            std::string when = l.exited == l.count ? "open when it exited"
                               : l.exited == 0     ? "still open when tracing stopped"
                                                   : fmt::format("{} open when it exited", l.exited);
            line(fmt::format("#{}  {} {}  {}  first {} last {}  {}", i + 1, grouped(l.count), kinds_text(l.kinds),
                             holder(l), at(l.first), at(l.last), when));
            line(fmt::format("    {}{}", op_name(l.created.op), sample(l)));
            stack(l.created.stack, "      ");
        }
        apart("  open, made onto fds 0-2 while traced (not counted):", r.stdio_open);
        apart("  open, not made while traced (not counted):", r.untraced_open);
    }

    // The process holding the fds, and the creator when it inherited them.
    static std::string holder(const TraceLeak& l) {
        std::string w = fmt::format("pid {}", l.pid);
        if (!l.command.empty()) w += " (" + t(l.command) + ")";
        if (l.cls != report::LeakClass::PresentAtStart && l.cls != report::LeakClass::OriginUnknown &&
            l.created.pid != l.pid)
            w += " inherited from " + who(l.created);
        return w;
    }

    static std::string sample(const TraceLeak& l) {
        std::string s;
        const char* label = l.fds.size() == 1 ? "  fd " : "  fds ";
        for (std::size_t i = 0; i < l.fds.size() && i < 3; ++i) s += fmt::format("{}{}", i ? ", " : label, l.fds[i]);
        if (l.count > 3 && !s.empty()) s += ", …";
        return s + examples(l.names);
    }

    void apart(std::string_view title, const std::vector<TraceLeak>& groups) {
        if (groups.empty()) return;
        line(std::string(title));
        for (const TraceLeak& l : groups) {
            std::string origin = l.cls == report::LeakClass::PresentAtStart  ? "present at start"
                                 : l.cls == report::LeakClass::OriginUnknown ? "origin unknown"
                                                                              : std::string(op_name(l.created.op));
            line(fmt::format("    {}: {} {} {}{}", holder(l), grouped(l.count), kinds_text(l.kinds), origin,
                             sample(l)));
        }
    }

    void crossed(const TraceReport& r) {
        section("CROSSED EXEC", r.crossed_exec, true, [&](const auto& c) {
            std::string made = c.origin == report::Origin::Traced
                                   ? fmt::format("created by {}: {}", who(c.created), op_name(c.created.op))
                               : c.origin == report::Origin::PresentAtStart ? std::string("there when tracing began")
                                                                            : std::string("of unknown origin");
            line(fmt::format("  fd {} {} {}  {}", c.fd, kind_name(c.kind), t(c.name), made));
            if (c.origin == report::Origin::Traced) stack(c.created.stack, "      ");
            std::string execs;
            for (std::size_t k = 0; k < c.into.size() && k < 3; ++k)
                execs += fmt::format("{}{} (pid {}) at {}", k ? ", " : "", t(c.into[k].exe), c.into[k].pid,
                                     at(c.into[k].time));
            if (c.into.size() > 3) execs += fmt::format(" and {} more", grouped(c.into.size() - 3));
            line(fmt::format("    survived exec of {}   fix: {}", execs, c.fix));
        });
    }

    void stale(const TraceReport& r) {
        section("STALE CLOSE", r.stale_closes, true, [&](const auto& s) {
            line(fmt::format("  fd {} closed by {} at {} — it belonged to tid {} ({} {}, from {} {:.1f} ms earlier)",
                             s.fd, who(s.closed), at(s.closed.time), s.victim.tid, kind_name(s.victim_kind),
                             t(s.victim_name), op_name(s.victim.op), (s.closed.time - s.victim.time) * 1e3));
            line("    the close:");
            stack(s.closed.stack, "      ");
            line("    the victim's creation:");
            stack(s.victim.stack, "      ");
            line(fmt::format("    the previous fd {}: created by tid {}, closed by tid {} at", s.fd,
                             s.previous_created.tid, s.previous_closed.tid));
            stack(s.previous_closed.stack, "      ");
            if (s.victim_ebadf) {
                line(fmt::format("    tid {} later got EBADF closing fd {} at", s.victim_ebadf->tid, s.fd));
                stack(s.victim_ebadf->stack, "      ");
            }
            line("    evidence: " + s.evidence);
        });
    }

    void doubles(const TraceReport& r) {
        section("DOUBLE CLOSE", r.double_closes, true, [&](const auto& d) {
            line(fmt::format("  fd {} {} at {}: 2nd close", d.fd, who(d.second), at(d.second.time)));
            stack(d.second.stack, "      ");
            line(fmt::format("    1st: {} by {} at {}", op_name(d.first.op), who(d.first), at(d.first.time)));
            stack(d.first.stack, "      ");
            line(fmt::format("    created: {} {} by {}", op_name(d.created.op), t(d.name), who(d.created)));
            stack(d.created.stack, "      ");
        });
    }

    void ebadf(const TraceReport& r) {
        section("EBADF CLOSES", r.ebadf_closes, false, [&](const auto& e) {
            if (e.sweep)
                line(fmt::format("  {} x close({}..{}) {} — close-all sweep (benign)", grouped(e.count), e.fd,
                                 e.last_fd, who(e.site)));
            else
                line(fmt::format("  close({}) {} at {}: never open", e.fd, who(e.site), at(e.site.time)));
            stack(e.site.stack, "      ");
        });
    }

    void replaces(const TraceReport& r) {
        section("SUSPICIOUS REPLACES", r.suspicious_replaces, false, [&](const auto& x) {
            line(fmt::format("  fd {} ({} {}) replaced by {} {} at {}", x.fd, kind_name(x.kind), t(x.name),
                             op_name(x.dup.op), who(x.dup), at(x.dup.time)));
            stack(x.dup.stack, "      ");
            line(fmt::format("    it was made by {} {}", op_name(x.replaced.op), who(x.replaced)));
            stack(x.replaced.stack, "      ");
        });
    }

    void errors(const TraceReport& r) {
        section("ERRORS", r.errors, false, [&](const auto& e) {
            line(fmt::format("  {} {} x{}  {}{}", op_name(e.op), e.errno_name, grouped(e.count), who(e.first),
                             examples(e.names)));
            stack(e.first.stack, "      ");
            constexpr std::size_t kWhyShown = 3;  // per group in text; JSON has them all
            for (std::size_t i = 0; i < e.why.size() && i < kWhyShown; ++i) {
                const auto& w = e.why[i];
                line(fmt::format("      why {}: {}{}", escape_for_table(w.path), w.layer.empty() ? "" : w.layer + ": ", w.text));
                if (!w.fix.empty()) line("        fix: " + w.fix);
            }
            if (e.why.size() > kWhyShown)
                line(fmt::format("      why: {} more paths (--json lists them)", e.why.size() - kWhyShown));
        });
    }

    void summary(const TraceReport& r) {
        const auto& s = r.summary;
        heading("SUMMARY", "");
        std::string head = fmt::format("  engine {}, {} events, {} errors, {} lost", r.engine, grouped(s.events),
                                       grouped(s.errors), grouped(s.lost_events));
        if (s.stops)
            head += fmt::format("; {} stops ({} at syscalls, {} exit stops skipped)", grouped(s.stops),
                                grouped(s.syscall_stops), grouped(s.skipped_exit_stops));
        if (s.unwinds) head += fmt::format("; {} stacks", grouped(s.unwinds));
        line(head);
        std::string calls;
        for (const auto& c : s.syscalls) {
            calls += fmt::format("{}{} {}", calls.empty() ? "" : ", ", op_name(c.op), grouped(c.calls));
            if (c.errors) calls += fmt::format(" ({} failed)", grouped(c.errors));
        }
        if (!calls.empty()) line("  syscalls: " + calls);
        std::string kinds;
        for (const auto& k : s.kinds)
            kinds += fmt::format("{}{} {}", kinds.empty() ? "" : ", ", kind_name(k.kind), grouped(k.created));
        if (!kinds.empty()) line("  created: " + kinds);
        std::string peaks;
        for (std::size_t i = 0; i < s.peak_fds.size() && i < 5; ++i) {
            const auto& p = s.peak_fds[i];
            peaks += fmt::format("{}pid {}", i ? ", " : "", p.pid);
            if (!p.command.empty()) peaks += " (" + t(p.command) + ")";
            peaks += fmt::format(" {}", grouped(p.fds));
        }
        if (!peaks.empty()) line("  peak open fds: " + peaks);
        if (s.present_at_start || s.origin_unknown || s.closed_unseen)
            line(fmt::format("  reconciled {} times: {} fds present at start, {} of unknown origin, {} closed unseen",
                             grouped(s.reconciles), grouped(s.present_at_start), grouped(s.origin_unknown),
                             grouped(s.closed_unseen)));
        for (std::size_t i = 0; i < r.processes.size() && shown(i, r.processes.size()); ++i) {
            const auto& p = r.processes[i];
            std::string exit = p.exit_code ? fmt::format("exit {}", *p.exit_code)
                               : p.signal  ? fmt::format("killed by signal {}", *p.signal)
                               : p.end     ? std::string("detached")
                                           : std::string("running");
            std::string row = fmt::format("  pid {} {} {}", p.pid, t(p.command), t(p.exe));
            if (p.parent) row += fmt::format(" (parent {})", p.parent);
            row += fmt::format("  {}", at(p.start));
            if (p.end) row += fmt::format("..{}", at(*p.end));
            line(row + "  " + exit);
        }
        for (const auto& n : r.notes) line("  note: " + t(n));
        if (r.exit_status) line(fmt::format("  exit status {}", *r.exit_status));
    }

    Output& out_;
    const StackFrames& frames_;
    const TraceStyle& style_;
};

class Json {
public:
    Json(Output& out, const StackFrames& frames) : j_(out), frames_(frames) {}

    void write(const TraceReport& r) {
        j_.begin_object();
        j_.key("schema").value(kJsonSchema);
        j_.key("command").value("trace");
        j_.key("engine").value(r.engine);
        j_.key("exit_status");
        r.exit_status ? j_.value(*r.exit_status) : j_.null();
        processes(r);
        leak_list("leaks", r.leaks);
        leak_list("stdio_open", r.stdio_open);
        leak_list("untraced_open", r.untraced_open);
        crossed(r);
        stale(r);
        doubles(r);
        ebadf(r);
        replaces(r);
        errors(r);
        summary(r);
        j_.key("notes").begin_array();
        for (const auto& n : r.notes) j_.value(n);
        j_.end_array();
        j_.key("lost_events").value(r.lost_events);
        j_.end_object();
        j_.newline();
    }

private:
    void name(const std::string& s) {
        j_.key("name");
        if (j_.string_value(s)) j_.key("name_escaped").value(true);
    }

    void stack(std::string_view key, StackId id) {
        j_.key(key).begin_array();
        if (id != kNoStack && frames_)
            for (const SymbolizedFrame& f : frames_(id)) write_frame_json(j_, f);
        j_.end_array();
    }

    void strings(std::string_view key, const std::vector<std::string>& list) {
        j_.key(key).begin_array();
        for (const auto& s : list) j_.value(s);
        j_.end_array();
    }

    void processes(const TraceReport& r) {
        j_.key("processes").begin_array();
        for (const auto& p : r.processes) {
            j_.newline();
            j_.begin_object();
            j_.key("pid").value(p.pid);
            j_.key("command").value(p.command);
            j_.key("exe").value(p.exe);
            j_.key("parent");
            p.parent ? j_.value(p.parent) : j_.null();
            j_.key("start").value(p.start);
            j_.key("end");
            p.end ? j_.value(*p.end) : j_.null();
            j_.key("exit");
            p.exit_code ? j_.value(*p.exit_code) : j_.null();
            j_.key("signal");
            p.signal ? j_.value(*p.signal) : j_.null();
            j_.end_object();
        }
        j_.end_array();
    }

    void leak_list(std::string_view key, const std::vector<TraceLeak>& list) {
        j_.key(key).begin_array();
        for (const TraceLeak& l : list) {
            j_.newline();
            j_.begin_object();
            j_.key("pid").value(l.pid);
            j_.key("command").value(l.command);
            j_.key("count").value(static_cast<std::uint64_t>(l.count));
            j_.key("exited").value(static_cast<std::uint64_t>(l.exited));
            j_.key("kind").value(l.kinds.empty() ? "unknown" : kind_name(l.kinds.front()));
            j_.key("kinds").begin_array();
            for (Kind k : l.kinds) j_.value(kind_name(k));
            j_.end_array();
            strings("names", l.names);
            j_.key("fds").begin_array();
            for (int fd : l.fds) j_.value(fd);
            j_.end_array();
            j_.key("origin").value(l.cls == report::LeakClass::PresentAtStart  ? "present_at_start"
                                   : l.cls == report::LeakClass::OriginUnknown ? "origin_unknown"
                                                                                : "traced");
            j_.key("op").value(op_name(l.created.op));
            j_.key("tid").value(l.created.tid);
            j_.key("first").value(l.first);
            j_.key("last").value(l.last);
            stack("stack", l.created.stack);
            j_.end_object();
        }
        j_.end_array();
    }

    void crossed(const TraceReport& r) {
        j_.key("crossed_exec").begin_array();
        for (const auto& c : r.crossed_exec)
            for (const auto& into : c.into) {
                j_.newline();
                j_.begin_object();
                j_.key("pid").value(c.pid);
                j_.key("fd").value(c.fd);
                j_.key("kind").value(kind_name(c.kind));
                name(c.name);
                j_.key("origin").value(report::origin_name(c.origin));
                j_.key("op").value(op_name(c.created.op));
                j_.key("tid").value(c.created.tid);
                j_.key("created").value(c.created.time);
                j_.key("into").begin_object();
                j_.key("pid").value(into.pid);
                j_.key("exe").value(into.exe);
                j_.end_object();
                j_.key("time").value(into.time);
                stack("stack", c.created.stack);
                j_.key("fix").value(c.fix);
                j_.end_object();
            }
        j_.end_array();
    }

    // An entry of a findings array: who did it, to which fd, when, from where.
    void begin_entry(pid_t pid, const TraceSite& s, std::optional<int> fd) {
        j_.newline();
        j_.begin_object();
        j_.key("pid").value(pid);
        j_.key("tid").value(s.tid);
        if (fd) j_.key("fd").value(*fd);
        j_.key("time").value(s.time);
    }

    // A related call: {"tid","op"[,"kind"][,"name"],"time","stack"}.
    void site(std::string_view key, const TraceSite& s, std::optional<Kind> kind = std::nullopt,
              const std::string* what = nullptr, std::string_view stack_key = "stack") {
        j_.key(key).begin_object();
        j_.key("tid").value(s.tid);
        j_.key("op").value(op_name(s.op));
        if (kind) j_.key("kind").value(kind_name(*kind));
        if (what) name(*what);
        j_.key("time").value(s.time);
        stack(stack_key, s.stack);
        j_.end_object();
    }

    void stale(const TraceReport& r) {
        j_.key("stale_closes").begin_array();
        for (const auto& s : r.stale_closes) {
            begin_entry(s.pid, s.closed, s.fd);
            stack("closed_stack", s.closed.stack);
            site("victim", s.victim, s.victim_kind, &s.victim_name);
            j_.key("previous").begin_object();
            j_.key("created_tid").value(s.previous_created.tid);
            stack("created_stack", s.previous_created.stack);
            j_.key("closed_tid").value(s.previous_closed.tid);
            stack("closed_stack", s.previous_closed.stack);
            j_.end_object();
            j_.key("tie").value(report::stale_tie_name(s.tie));
            if (s.victim_ebadf) site("victim_ebadf", *s.victim_ebadf);
            else j_.key("victim_ebadf").null();
            j_.key("evidence").value(s.evidence);
            j_.end_object();
        }
        j_.end_array();
    }

    void doubles(const TraceReport& r) {
        j_.key("double_closes").begin_array();
        for (const auto& d : r.double_closes) {
            begin_entry(d.pid, d.second, d.fd);
            stack("stack", d.second.stack);
            site("first", d.first);
            site("created", d.created, std::nullopt, &d.name);
            j_.end_object();
        }
        j_.end_array();
    }

    void ebadf(const TraceReport& r) {
        j_.key("ebadf_closes").begin_array();
        for (const auto& e : r.ebadf_closes) {
            begin_entry(e.pid, e.site, e.fd);
            j_.key("sweep").value(e.sweep);
            if (e.sweep) {
                j_.key("last_fd").value(e.last_fd);
                j_.key("count").value(static_cast<std::uint64_t>(e.count));
            }
            stack("stack", e.site.stack);
            j_.end_object();
        }
        j_.end_array();
    }

    void replaces(const TraceReport& r) {
        j_.key("suspicious_replaces").begin_array();
        for (const auto& x : r.suspicious_replaces) {
            begin_entry(x.pid, x.dup, x.fd);
            j_.key("op").value(op_name(x.dup.op));
            stack("stack", x.dup.stack);
            site("replaced", x.replaced, x.kind, &x.name);
            j_.end_object();
        }
        j_.end_array();
    }

    void errors(const TraceReport& r) {
        j_.key("errors").begin_array();
        for (const auto& e : r.errors) {
            begin_entry(e.first.pid, e.first, std::nullopt);
            j_.key("op").value(op_name(e.op));
            j_.key("errno").value(e.errno_name);
            j_.key("count").value(static_cast<std::uint64_t>(e.count));
            strings("names", e.names);
            stack("stack", e.first.stack);
            j_.key("why").begin_array();
            for (const auto& w : e.why) {
                j_.begin_object();
                j_.key("path");
                if (j_.string_value(w.path)) j_.key("path_escaped").value(true);
                j_.key("layer").value(w.layer);
                j_.key("explain").value(w.text);
                j_.key("fix").value(w.fix);
                j_.key("agrees").value(w.agrees);
                j_.end_object();
            }
            j_.end_array();
            j_.end_object();
        }
        j_.end_array();
    }

    void summary(const TraceReport& r) {
        const auto& s = r.summary;
        j_.key("summary").begin_object();
        j_.key("events").value(s.events);
        j_.key("errors").value(s.errors);
        j_.key("lost_events").value(s.lost_events);
        j_.key("lost_by_pid").begin_array();
        for (const auto& [pid, n] : s.lost_by_pid) {
            j_.begin_object();
            j_.key("pid").value(pid);
            j_.key("lost").value(n);
            j_.end_object();
        }
        j_.end_array();
        j_.key("syscalls").begin_object();
        for (const auto& c : s.syscalls) {
            j_.key(op_name(c.op)).begin_object();
            j_.key("calls").value(c.calls);
            j_.key("errors").value(c.errors);
            j_.end_object();
        }
        j_.end_object();
        j_.key("kinds").begin_object();
        for (const auto& k : s.kinds) j_.key(kind_name(k.kind)).value(k.created);
        j_.end_object();
        j_.key("peak_fds").begin_array();
        for (const auto& p : s.peak_fds) {
            j_.begin_object();
            j_.key("pid").value(p.pid);
            j_.key("command").value(p.command);
            j_.key("fds").value(static_cast<std::uint64_t>(p.fds));
            j_.end_object();
        }
        j_.end_array();
        j_.key("closed_unseen").value(s.closed_unseen);
        j_.key("present_at_start").value(s.present_at_start);
        j_.key("origin_unknown").value(s.origin_unknown);
        j_.key("reconciles").value(s.reconciles);
        j_.key("dropped_findings").value(s.dropped_findings);
        j_.key("stops").value(s.stops);
        j_.key("syscall_stops").value(s.syscall_stops);
        j_.key("skipped_exit_stops").value(s.skipped_exit_stops);
        j_.key("unwinds").value(s.unwinds);
        j_.end_object();
    }

    JsonWriter j_;
    const StackFrames& frames_;
};

}  // namespace

void write_frame_json(JsonWriter& j, const SymbolizedFrame& f) {
    auto opt = [&j](std::string_view key, const std::string& s) {
        j.key(key);
        s.empty() ? j.null() : j.value(s);
    };
    j.begin_object();
    opt("function", f.function);
    opt("file", f.file);
    j.key("line");
    f.line ? j.value(f.line) : j.null();
    opt("module", f.module);
    j.key("offset").value(f.offset);
    if (f.inlined) j.key("inlined").value(true);
    j.end_object();
}

std::string frame_text(const SymbolizedFrame& f) {
    std::string s;
    if (f.function.empty()) s = module_offset(f);
    else if (f.file.empty()) s = fmt::format("{} ({})", t(f.function), module_offset(f));
    else if (f.line) s = fmt::format("{} ({}:{})", t(f.function), t(base_name(f.file)), f.line);
    else s = fmt::format("{} ({})", t(f.function), t(base_name(f.file)));
    if (f.inlined) s += " [inlined]";
    return s;
}

void write_trace_text(Output& out, const TraceReport& r, const StackFrames& frames, const TraceStyle& style) {
    Text(out, frames, style).write(r);
}

void write_trace_json(Output& out, const TraceReport& r, const StackFrames& frames) { Json(out, frames).write(r); }

}  // namespace fdscope::render
