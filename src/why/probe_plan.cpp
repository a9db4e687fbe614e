#include "why/probe_plan.hpp"

#include <fcntl.h>

#include <utility>
#include <vector>

namespace fdscope::why {

namespace {

int access_mode(const OpenFlags& f) {
    if (f.read && f.write) return O_RDWR;
    if (f.write) return O_WRONLY;
    return O_RDONLY;
}

// O_NONBLOCK: a lease or a mandatory lock answers at once instead of making
// the probe wait; O_NOCTTY: a tty never becomes the probe's terminal. O_TRUNC
// and O_CREAT are never passed: they change the file.
int harmless_open_flags(const OpenFlags& f) {
    int flags = access_mode(f) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
    if (f.append) flags |= O_APPEND;
    if (f.noatime) flags |= O_NOATIME;
    if (f.directory) flags |= O_DIRECTORY;
    if (f.nofollow) flags |= O_NOFOLLOW;
    return flags;
}

Attempt not_tried(std::string reason) {
    Attempt a;
    a.reason = std::move(reason);
    return a;
}

Attempt open_attempt(const Operation& op) {
    const OpenFlags& f = op.open;
    Attempt a;
    a.path = op.path;
    a.open_flags = harmless_open_flags(f);
    a.directories_too = !f.write;
    if (f.trunc) a.not_copied = "O_TRUNC (never applied: the file would lose its contents)";
    if (!f.create) {
        a.kind = AttemptKind::Open;
        return a;
    }
    if (f.directory) return not_tried("O_CREAT|O_DIRECTORY is refused by the kernel before any lookup (EINVAL)");
    a.kind = AttemptKind::OpenOrCreate;
    a.parent = parent_directory(op.path);
    a.exclusive = f.excl;
    a.tmpfile_flags = O_TMPFILE | (f.read && f.write ? O_RDWR : O_WRONLY) | O_CLOEXEC;
    std::string name_note = "for an absent name, the name itself (EEXIST, NAME_MAX, protected_*): "
                            "O_TMPFILE creates in the directory without a name";
    a.not_copied = a.not_copied.empty() ? name_note : a.not_copied + "; " + name_note;
    return a;
}

}  // namespace

std::string parent_directory(std::string_view path) {
    while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    auto slash = path.rfind('/');
    if (slash == std::string_view::npos) return ".";
    std::string_view dir = path.substr(0, slash);
    while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
    return dir.empty() ? std::string("/") : std::string(dir);
}

Attempt plan_attempt(const Operation& op, std::string_view random) {
    switch (op.op) {
    case Op::Open: return open_attempt(op);
    case Op::Mkdir: {
        Attempt a;
        a.kind = AttemptKind::Mkdir;
        a.parent = parent_directory(op.path);
        a.name = ".fdscope-probe-" + std::string(random);
        a.path = (a.parent == "/" ? "/" : a.parent + "/") + a.name;
        a.not_copied = "the name itself (EEXIST, NAME_MAX): a random name beside it was made and removed";
        return a;
    }
    case Op::Exec: {
        Attempt a;
        a.kind = AttemptKind::Exec;
        a.path = op.path;
        a.not_copied = "what happens after the checks (the binary format, its interpreter, E2BIG)";
        return a;
    }
    case Op::Chdir: {
        Attempt a;
        a.kind = AttemptKind::Chdir;
        a.path = op.path;
        return a;
    }
    case Op::Rmdir:
    case Op::Unlink:
    case Op::Rename:
    case Op::Link:
    case Op::Symlink: return not_tried("not tried: it would change the directory tree");
    case Op::BindInet: return not_tried("not tried: a real bind races the service for the address");
    case Op::BindUnix: return not_tried("not tried: a real bind creates the socket file and races the service");
    case Op::ConnectUnix: return not_tried("not tried: a real connect is seen by the server's accept()");
    case Op::Read:
    case Op::Write: return not_tried("not tried: reading or writing the fd would move its data");
    }
    return not_tried("not tried: unknown operation");
}

std::string open_flags_text(int flags) {
    std::string out;
    switch (flags & O_ACCMODE) {
    case O_WRONLY: out = "O_WRONLY"; break;
    case O_RDWR: out = "O_RDWR"; break;
    default: out = "O_RDONLY"; break;
    }
    static const std::vector<std::pair<int, const char*>> names = {
        {O_APPEND, "O_APPEND"}, {O_NONBLOCK, "O_NONBLOCK"}, {O_NOCTTY, "O_NOCTTY"}, {O_NOATIME, "O_NOATIME"},
        {O_NOFOLLOW, "O_NOFOLLOW"}, {O_PATH, "O_PATH"},
    };
    if ((flags & O_TMPFILE) == O_TMPFILE) out += "|O_TMPFILE";
    else if (flags & O_DIRECTORY) out += "|O_DIRECTORY";
    for (const auto& [bit, name] : names)
        if (flags & bit) out += std::string("|") + name;
    return out;
}

std::string attempt_text(const Attempt& a) {
    switch (a.kind) {
    case AttemptKind::None: return "nothing";
    case AttemptKind::Open: return "openat(" + open_flags_text(a.open_flags) + ")";
    case AttemptKind::OpenOrCreate:
        return "openat(" + open_flags_text(a.open_flags) + "), or for an absent name openat(" +
               open_flags_text(a.tmpfile_flags) + ") in " + a.parent;
    case AttemptKind::Mkdir: return "mkdir " + a.path + " then rmdir";
    case AttemptKind::Exec: return "execveat(AT_EXECVE_CHECK)";
    case AttemptKind::Chdir: return "chdir";
    }
    return "nothing";
}

}  // namespace fdscope::why
