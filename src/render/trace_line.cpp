#include "render/trace_line.hpp"

#include <cstring>
#include <fmt/format.h>

#include "render/escape.hpp"
#include "render/flag_text.hpp"

namespace fdscope::render {
namespace {

std::string quoted(std::string_view name) {
    std::string out = "\"";
    for (char c : escape_for_table(name)) {
        if (c == '"') out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

std::string fd_text(std::int32_t fd) { return fd < 0 ? "?" : fmt::format("{}", fd); }

// What the call looked like, from what the event kept of it.
std::string call_text(const FdEvent& e) {
    const std::string flags = flags_text(e.op, e.flags);
    const std::string_view op = op_name(e.op);
    const auto with_flags = [&](std::string head) {
        if (!head.empty()) head += ", ";
        return head + flags;
    };
    switch (e.op) {
        case Op::Open:
        case Op::Openat:
        case Op::Openat2:
        case Op::OpenTree:
        case Op::MqOpen:
        case Op::Fsopen:
        case Op::Fspick: return fmt::format("{}({})", op, with_flags(quoted(e.name)));
        case Op::Creat:
        case Op::Execve: return fmt::format("{}({})", op, quoted(e.name));
        case Op::Execveat: return fmt::format("{}({})", op, with_flags(quoted(e.name)));
        case Op::MemfdCreate: {
            std::string_view name = e.name;
            if (name.starts_with("memfd:")) name.remove_prefix(6);
            return fmt::format("{}({})", op, with_flags(quoted(name)));
        }
        case Op::Socketpair:
        case Op::Pipe2: return fmt::format("{}({})", op, with_flags(fmt::format("[{}, {}]", fd_text(e.fd), fd_text(e.fd2))));
        case Op::Pipe: return fmt::format("pipe([{}, {}])", fd_text(e.fd), fd_text(e.fd2));
        case Op::Accept: return fmt::format("accept({})", fd_text(e.fd2));
        case Op::Accept4: return fmt::format("accept4({}, {})", fd_text(e.fd2), flags);
        case Op::Dup:
        case Op::Close: return fmt::format("{}({})", op, fd_text(e.fd));
        case Op::Dup2: return fmt::format("dup2({}, {})", fd_text(e.fd), fd_text(e.fd2));
        case Op::Dup3: return fmt::format("dup3({}, {}, {})", fd_text(e.fd), fd_text(e.fd2), flags);
        case Op::FcntlDupfd: return fmt::format("fcntl({}, F_DUPFD, {})", fd_text(e.fd), flags);
        case Op::FcntlDupfdCloexec: return fmt::format("fcntl({}, F_DUPFD_CLOEXEC, {})", fd_text(e.fd), flags);
        case Op::FcntlSetfd: return fmt::format("fcntl({}, F_SETFD, {})", fd_text(e.fd), flags);
        case Op::IoctlCloexec: return fmt::format("ioctl({}, {})", fd_text(e.fd), flags);
        case Op::FdCreatingIoctl: return fmt::format("ioctl({}, {})", fd_text(e.fd2), flags);
        case Op::RecvmsgRights:
            return fmt::format("recvmsg({}, [SCM_RIGHTS {}], {})", fd_text(e.fd2), fd_text(e.fd), flags);
        case Op::CloseRange:
            return fmt::format("close_range({}, {}, {})", fd_text(e.fd), e.fd2 < 0 ? "~0U" : fmt::format("{}", e.fd2),
                               flags);
        case Op::Bpf: return fmt::format("bpf({})", flags);
        case Op::SeccompListener: return fmt::format("seccomp(SECCOMP_SET_MODE_FILTER, {})", flags);
        case Op::Clone: return fmt::format("clone({})", flags);
        case Op::ClonePidfd: return fmt::format("clone({}, pidfd=[{}])", flags, fd_text(e.fd));
        case Op::Fork:
        case Op::Vfork: return fmt::format("{}()", op);
        case Op::Present: return fmt::format("present({}{})", fd_text(e.fd), e.name.empty() ? "" : ", " + quoted(e.name));
        default: return fmt::format("{}({})", op, flags);
    }
}

// Creators say what they made; the rest only their result.
bool shows_kind(const FdEvent& e) {
    const OpClass c = op_class(e.op);
    return (c == OpClass::Create || e.op == Op::Present) && e.kind != Kind::Unknown;
}

}  // namespace

std::string errno_name(int err) {
    const char* name = strerrorname_np(err);
    return name ? std::string(name) : fmt::format("E{}", err);
}

std::string live_line(const FdEvent& e, std::string_view location) {
    std::string line = e.tid != 0 && e.tid != e.pid ? fmt::format("[{} {}] ", e.pid, e.tid) : fmt::format("[{}] ", e.pid);
    switch (e.op) {
        case Op::Exit: line += "+++ exited +++"; break;
        case Op::Lost: line += fmt::format("+++ {} events lost +++", e.result); break;
        case Op::Reconcile: line += fmt::format("+++ fd table read: {} open +++", e.result); break;
        default:
            line += call_text(e);
            if (e.op == Op::Present) {
                if (e.kind != Kind::Unknown) fmt::format_to(std::back_inserter(line), " {}", kind_name(e.kind));
                break;
            }
            if (!succeeded(e)) {
                const char* what = strerrordesc_np(e.error);
                fmt::format_to(std::back_inserter(line), " = -1 {} ({})", errno_name(e.error),
                               what ? what : "Unknown error");
                break;
            }
            fmt::format_to(std::back_inserter(line), " = {}", e.result);
            if (shows_kind(e)) fmt::format_to(std::back_inserter(line), " {}", kind_name(e.kind));
            break;
    }
    if (!location.empty()) {
        line += "  at ";
        line += escape_for_table(location);
    }
    return line;
}

void write_event_json(JsonWriter& j, const FdEvent& e) {
    j.begin_object();
    j.key("type").value("event");
    j.key("time_ns").value(e.time_ns);
    j.key("pid").value(static_cast<std::int64_t>(e.pid));
    j.key("tid").value(static_cast<std::int64_t>(e.tid));
    j.key("table").value(e.table);
    j.key("new_table").value(e.new_table);
    j.key("op").value(op_name(e.op));
    j.key("fd").value(static_cast<std::int64_t>(e.fd));
    j.key("fd2").value(static_cast<std::int64_t>(e.fd2));
    j.key("flags").value(flags_text(e.op, e.flags));
    j.key("cloexec").value(e.cloexec);
    j.key("result").value(e.result);
    j.key("errno");
    succeeded(e) ? j.null() : j.value(errno_name(e.error));
    j.key("kind").value(kind_name(e.kind));
    j.key("name");
    const bool escaped = j.string_value(e.name);
    if (escaped) j.key("name_escaped").value(true);
    j.key("stack");
    e.stack == kNoStack ? j.null() : j.value(static_cast<std::uint64_t>(e.stack));
    j.end_object();
}

void write_event_line(Output& out, const FdEvent& e) {
    JsonWriter j(out);
    write_event_json(j, e);
    j.newline();
}

}  // namespace fdscope::render
