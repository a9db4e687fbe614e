#include "report/why/syscall_variants.hpp"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/net.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>

#include "report/why/syscall_tables.hpp"

namespace fdscope::report::why {

using fdscope::why::Op;
using fdscope::why::Operation;

namespace {

// One syscall of an operation, its arguments as the C types the program
// passes (ints sign-extend into 64-bit registers; i386 sees 32 bits).
struct Spec {
    std::string_view syscall;    // the name in the ABI's table
    std::string label;           // the variant's name
    std::array<std::int64_t, 6> args{};
    const char* glibc_call = nullptr;  // set: glibc issues this for that libc call
};

Spec spec(std::string_view syscall, std::array<std::int64_t, 6> args, const char* glibc_call = nullptr) {
    return Spec{syscall, std::string(syscall), args, glibc_call};
}

// The mode a creating program passes is its own; fopen(), shells and most
// libraries pass 0666 for files and 0777 for directories.
constexpr std::int64_t kFileMode = 0666;
constexpr std::int64_t kDirMode = 0777;

std::int64_t type_of(const Operation& op) { return op.protocol == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM; }

std::int64_t family_of(const Operation& op) {
    if (op.op == Op::BindInet) return op.family == AF_INET6 ? AF_INET6 : AF_INET;
    return AF_UNIX;
}

std::int64_t addrlen_of(const Operation& op) {
    if (op.op != Op::BindInet) return static_cast<std::int64_t>(sizeof(sockaddr_un));
    return static_cast<std::int64_t>(op.family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in));
}

// socket() then bind() or connect(). glibc 2.36 on i386 (built for kernels
// before 4.3) sends both through socketcall, whose second argument is a
// pointer to the real ones; the direct calls exist since 4.3. The new
// socket's fd is not known before it exists: 0.
std::vector<Spec> socket_specs(const Operation& op, Abi abi, std::string_view second, int socketcall_op) {
    const char* second_call = second == "bind" ? "bind()" : "connect()";
    const bool i386 = abi == Abi::I386;
    std::vector<Spec> out;
    if (i386) {
        out.push_back(Spec{"socketcall", "socketcall(SYS_SOCKET)", {SYS_SOCKET}, "socket()"});
        out.push_back(Spec{"socketcall", socketcall_op == SYS_BIND ? "socketcall(SYS_BIND)" : "socketcall(SYS_CONNECT)",
                           {socketcall_op}, second_call});
    }
    out.push_back(spec("socket", {family_of(op), type_of(op), 0}, i386 ? nullptr : "socket()"));
    out.push_back(spec(second, {0, 0, addrlen_of(op)}, i386 ? nullptr : second_call));
    return out;
}

std::vector<Spec> specs(const Operation& op, Abi abi) {
    const std::int64_t cwd = AT_FDCWD;
    const std::int64_t fd = op.fd;
    switch (op.op) {
    case Op::Open: {
        const int flags = open_flags(op.open);
        const std::int64_t mode = op.open.create ? kFileMode : 0;
        std::vector<Spec> out{
            spec("openat", {cwd, 0, flags, mode}, "open()"),
            spec("open", {0, flags, mode}),
            spec("openat2", {cwd, 0, 0, static_cast<std::int64_t>(sizeof(open_how))}),
        };
        // creat(path, mode) is open(path, O_CREAT|O_WRONLY|O_TRUNC, mode).
        if (flags == (O_CREAT | O_WRONLY | O_TRUNC)) out.push_back(spec("creat", {0, mode}));
        return out;
    }
    case Op::Mkdir: return {spec("mkdir", {0, kDirMode}, "mkdir()"), spec("mkdirat", {cwd, 0, kDirMode})};
    case Op::Unlink: return {spec("unlink", {0}, "unlink()"), spec("unlinkat", {cwd, 0, 0})};
    case Op::Rmdir: return {spec("rmdir", {0}, "rmdir()"), spec("unlinkat", {cwd, 0, AT_REMOVEDIR})};
    case Op::Rename:
        return {spec("rename", {0, 0}, "rename()"), spec("renameat", {cwd, 0, cwd, 0}),
                spec("renameat2", {cwd, 0, cwd, 0, 0})};
    case Op::Link: return {spec("link", {0, 0}, "link()"), spec("linkat", {cwd, 0, cwd, 0, 0})};
    case Op::Symlink: return {spec("symlink", {0, 0}, "symlink()"), spec("symlinkat", {0, cwd, 0})};
    case Op::Exec: return {spec("execve", {0, 0, 0}, "execve()"), spec("execveat", {cwd, 0, 0, 0, 0})};
    case Op::Chdir: return {spec("chdir", {0}, "chdir()")};
    case Op::BindInet:
    case Op::BindUnix: return socket_specs(op, abi, "bind", SYS_BIND);
    case Op::ConnectUnix: return socket_specs(op, abi, "connect", SYS_CONNECT);
    // Counts and offsets are the program's own: 0.
    case Op::Write:
        return {spec("write", {fd}, "write()"), spec("writev", {fd}), spec("pwrite64", {fd}), spec("pwritev", {fd}),
                spec("pwritev2", {fd})};
    case Op::Read:
        return {spec("read", {fd}, "read()"), spec("readv", {fd}), spec("pread64", {fd}), spec("preadv", {fd}),
                spec("preadv2", {fd})};
    }
    return {};
}

std::uint64_t register_value(std::int64_t v, Abi abi) {
    if (abi == Abi::I386) return static_cast<std::uint32_t>(v);
    return static_cast<std::uint64_t>(v);
}

std::optional<std::uint32_t> find(std::span<const NamedSyscall> table, std::string_view name) {
    const auto it = std::find_if(table.begin(), table.end(), [&](const NamedSyscall& s) { return s.name == name; });
    if (it == table.end()) return std::nullopt;
    return it->nr;
}

}  // namespace

std::string_view abi_name(Abi abi) {
    switch (abi) {
    case Abi::X86_64: return "x86_64";
    case Abi::X32: return "x32";
    case Abi::I386: return "i386";
    }
    return "?";
}

std::uint32_t audit_arch(Abi abi) { return abi == Abi::I386 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64; }

std::optional<std::uint32_t> syscall_number(Abi abi, std::string_view name) {
    switch (abi) {
    case Abi::X86_64: return find(syscalls_x86_64(), name);
    case Abi::I386: return find(syscalls_i386(), name);
    case Abi::X32:
        if (auto offset = find(syscalls_x32_offsets(), name)) return *offset | x32_syscall_bit();
        return std::nullopt;
    }
    return std::nullopt;
}

std::vector<Abi> subject_abis(const fdscope::why::Subject& subject) {
    std::vector<Abi> out;
    auto add = [&](Abi abi) {
        if (std::find(out.begin(), out.end(), abi) == out.end()) out.push_back(abi);
    };
    for (const std::uint32_t arch : subject.audit_arches) {
        if (arch == AUDIT_ARCH_X86_64) {
            add(Abi::X86_64);
            add(Abi::X32);
        } else if (arch == AUDIT_ARCH_I386) {
            add(Abi::I386);
        }
    }
    if (out.empty()) out = {Abi::X86_64, Abi::X32, Abi::I386};
    return out;
}

int open_flags(const fdscope::why::OpenFlags& f) {
    int flags = f.write ? (f.read ? O_RDWR : O_WRONLY) : O_RDONLY;
    if (f.create) flags |= O_CREAT;
    if (f.trunc) flags |= O_TRUNC;
    if (f.append) flags |= O_APPEND;
    if (f.excl) flags |= O_EXCL;
    if (f.directory) flags |= O_DIRECTORY;
    if (f.nofollow) flags |= O_NOFOLLOW;
    if (f.noatime) flags |= O_NOATIME;
    return flags;
}

std::vector<SyscallVariant> syscall_variants(const Operation& op, std::span<const Abi> abis) {
    std::vector<SyscallVariant> out;
    for (std::size_t i = 0; i < abis.size(); ++i) {
        const Abi abi = abis[i];
        for (const Spec& s : specs(op, abi)) {
            const auto nr = syscall_number(abi, s.syscall);
            if (!nr) continue;
            SyscallVariant v;
            v.name = s.label;
            v.abi = abi;
            v.nr = *nr;
            for (std::size_t a = 0; a < v.args.size(); ++a) v.args[a] = register_value(s.args[a], abi);
            v.primary = i == 0 && s.glibc_call != nullptr;
            v.call = s.glibc_call ? s.glibc_call : s.label + "()";
            out.push_back(std::move(v));
        }
    }
    return out;
}

seccomp_data to_seccomp_data(const SyscallVariant& variant) {
    seccomp_data d{};
    d.nr = static_cast<int>(variant.nr);
    d.arch = audit_arch(variant.abi);
    for (std::size_t a = 0; a < variant.args.size(); ++a) d.args[a] = variant.args[a];
    return d;
}

}  // namespace fdscope::report::why
