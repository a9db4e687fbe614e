// The wrapped libc entry points of libfdscope-preload.so. Each one calls the
// next definition (libc's, found with dlsym(RTLD_NEXT)), returns exactly what
// it returned with errno as it left it, and records what it created or
// closed (runtime.hpp). Only these functions are exported.
//
// glibc calls its own internal entry points, not these (fopen ->
// __open_nocancel, fclose -> __close_nocancel, popen -> __pipe2 and
// __posix_spawn): the stdio and dirent functions are wrapped themselves and
// account for the fd inside the FILE* or DIR* they return or close.
#include <cerrno>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "preload/raw.hpp"
#include "preload/runtime.hpp"

#define FDS_EXPORT __attribute__((visibility("default")))

extern "C" {
extern char** environ;
int __open_2(const char*, int);
int __open64_2(const char*, int);
int __openat_2(int, const char*, int);
int __openat64_2(int, const char*, int);
}

namespace fdscope::preload {
namespace {

using layout::CreateOp;

// The next definitions, resolved in the constructor (resolve_all) and on
// first use before it.
#define FDS_REAL_LIST(X)                                                                                    \
    X(open) X(open64) X(openat) X(openat64) X(__open_2) X(__open64_2) X(__openat_2) X(__openat64_2) X(creat)  \
    X(creat64) X(fopen) X(fopen64) X(freopen) X(fdopen) X(fclose) X(opendir) X(fdopendir) X(closedir)       \
    X(socket) X(socketpair) X(accept) X(accept4) X(pipe) X(pipe2) X(dup) X(dup2) X(dup3) X(fcntl)            \
    X(fcntl64) X(eventfd) X(signalfd) X(timerfd_create) X(epoll_create) X(epoll_create1) X(inotify_init)     \
    X(inotify_init1) X(fanotify_init) X(memfd_create) X(recvmsg) X(recvmmsg) X(close)         \
    X(close_range) X(ioctl) X(posix_spawn) X(posix_spawnp) X(popen) X(pclose) X(system) X(execve) X(execvpe) \
    X(fexecve) X(execveat) X(syscall)

#define FDS_DECLARE(name) decltype(&::name) r_##name = nullptr;
FDS_REAL_LIST(FDS_DECLARE)
#undef FDS_DECLARE
// glibc's <sys/pidfd.h> declares pidfd_open without extern "C": declared here.
int (*r_pidfd_open)(pid_t, unsigned) = nullptr;
#define REAL(name) real_fn(r_##name, #name)
#define LOADED(name) (__atomic_load_n(&r_##name, __ATOMIC_ACQUIRE) != nullptr)

// A raw syscall's result as libc returns it.
int sysret(long r) {
    if (r < 0 && r > -4096) {
        errno = static_cast<int>(-r);
        return -1;
    }
    return static_cast<int>(r);
}

int enosys() {
    errno = ENOSYS;
    return -1;
}

bool needs_mode(int flags) { return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE; }

std::uint16_t cloexec_bit(bool on) { return on ? layout::kCloexec : 0; }

// A new fd, recorded, and logged when FDSCOPE_CLOEXEC=1 added its flag.
void created(int fd, const Create& what, layout::StackRef stack, const char* forced, const char* call) {
    Create w = what;
    if (forced != nullptr) w.flags = static_cast<std::uint16_t>(w.flags | layout::kCloexecForced | layout::kCloexec);
    record_create(fd, w, stack);
    if (forced != nullptr) log_forced(fd, forced, call, what.name);
}

// A maker whose flags carry its own close-on-exec bit (eventfd's EFD_CLOEXEC,
// ...): `call(flags)` makes the real call with the flags as FDSCOPE_CLOEXEC
// left them, and the new fd is recorded.
template <class Call>
int flagged_create(const Caller& c, CreateOp op, const char* callname, int flags, int bit, const char* bitname,
                   std::uint32_t detail, const char* name, Call&& call) {
    const bool forced = force_cloexec(flags, bit);
    const int r = call(flags);
    if (r >= 0) {
        ErrnoKeeper keep;
        created(r, Create{op, cloexec_bit((flags & bit) != 0), flags, detail, name}, capture_stack(c), forced ? bitname : nullptr,
                callname);
    }
    return r;
}

// The open family: `call(flags)` makes the real call with the flags as the
// library left them.
template <class Call>
int open_like(const Caller& c, CreateOp op, const char* callname, const char* path, int flags, Call&& call) {
    HookGuard g;
    if (!g.active()) return call(flags);
    const bool forced = force_cloexec(flags, O_CLOEXEC);
    const int fd = call(flags);
    if (fd >= 0) {
        ErrnoKeeper keep;
        created(fd, Create{op, cloexec_bit(flags & O_CLOEXEC), flags, 0, path}, capture_stack(c), forced ? "O_CLOEXEC" : nullptr,
                callname);
    }
    return fd;
}

// O_* flags of an fopen mode ("r", "w+", "ae", ...).
int mode_flags(const char* mode) {
    int acc = O_RDONLY, extra = 0;
    if (mode == nullptr) return 0;
    switch (mode[0]) {
    case 'w': acc = O_WRONLY; extra = O_CREAT | O_TRUNC; break;
    case 'a': acc = O_WRONLY; extra = O_CREAT | O_APPEND; break;
    default: break;
    }
    for (const char* p = mode + 1; *p != '\0' && *p != ','; ++p) {
        if (*p == '+') acc = O_RDWR;
        if (*p == 'e') extra |= O_CLOEXEC;
        if (*p == 'x') extra |= O_EXCL;
    }
    return acc | extra;
}

// FDSCOPE_CLOEXEC=1: the fopen mode with glibc's 'e' (O_CLOEXEC) added,
// in `buf`; `mode` itself when it has it, or is too long to copy.
const char* mode_with_e(const char* mode, char (&buf)[32], bool& added) {
    added = false;
    if (mode == nullptr || std::strchr(mode, 'e') != nullptr) return mode;
    const std::size_t n = std::strlen(mode);
    if (n + 2 > sizeof buf) return mode;
    std::memcpy(buf, mode, n);
    buf[n] = 'e';
    buf[n + 1] = '\0';
    added = true;
    return buf;
}

// A FILE*'s or DIR*'s fd closed by fclose/closedir/pclose inside libc.
void stream_close(int fd, const Caller& c) {
    if (fd < 0) return;
    if (slot_state(fd) == static_cast<std::uint8_t>(layout::SlotState::Quarantined)) {
        // Its fd was closed behind the stream's back and quarantined: libc's
        // own close now frees the number, so it leaves the quarantine.
        before_replace(fd);
    }
    record_close(fd, c);
}

FILE* fopen_like(const Caller& c, CreateOp op, const char* call, const char* path, const char* mode,
                 FILE* (*real)(const char*, const char*)) {
    HookGuard g;
    if (!g.active()) return real(path, mode);
    char buf[32];
    bool added = false;
    const char* m = mode;
    if (force_cloexec_enabled()) m = mode_with_e(mode, buf, added);
    FILE* f = real(path, m);
    if (f != nullptr) {
        ErrnoKeeper keep;
        const int fd = fileno(f);
        if (fd >= 0) {
            const int fl = mode_flags(m);
            created(fd, Create{op, static_cast<std::uint16_t>(layout::kOwnerFile | cloexec_bit(fl & O_CLOEXEC)), fl, 0, path},
                    capture_stack(c), added ? "O_CLOEXEC" : nullptr, call);
        }
    }
    return f;
}

// FDSCOPE_CLOEXEC=1 for an fd that already exists (fdopen, popen): FD_CLOEXEC
// set with F_SETFD unless the program handed it on.
void ensure_cloexec(int fd, const char* call) {
    if (!force_cloexec_enabled() || fd < 0) return;
    if (slot_flags(fd) & layout::kHandedOn) return;
    const int fl = raw::fcntl(fd, F_GETFD);
    if (fl < 0 || (fl & FD_CLOEXEC) != 0) return;
    if (raw::fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0) return;
    set_cloexec_flag(fd, true, false);
    mark_forced(fd);
    log_forced(fd, "FD_CLOEXEC", call, nullptr);
}

void record_received(const msghdr* msg, int sock, const Caller& c, layout::StackRef& stack, bool cloexec, CreateOp op) {
    if (msg == nullptr || msg->msg_control == nullptr) return;
    for (cmsghdr* cm = CMSG_FIRSTHDR(msg); cm != nullptr; cm = CMSG_NXTHDR(const_cast<msghdr*>(msg), cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
        const std::size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        const unsigned char* data = CMSG_DATA(cm);
        for (std::size_t i = 0; i < n; ++i) {
            int fd;
            std::memcpy(&fd, data + i * sizeof(int), sizeof fd);
            if (stack == 0) stack = capture_stack(c);
            record_create(fd, Create{op, cloexec_bit(cloexec), 0, static_cast<std::uint32_t>(sock), nullptr}, stack);
        }
    }
}

// The exec family: the FDSCOPE_CLOEXEC=exec policy, then the environment
// with LD_PRELOAD and FDSCOPE_* put back, then `call(envp)`.
template <class Call>
int exec_like(const char* callname, const char* target, char* const* envp, Call&& call) {
    // Not a HookGuard: a vfork child (vforked set) runs its exec here too.
    char* const* env = envp;
    unsigned long need = 0;
    {
        ErrnoKeeper keep;
        if (t_state.in_hook == 0) exec_policy(callname, target, envp);
        need = exec_env_size(envp);
    }
    void* storage = __builtin_alloca(need);
    {
        ErrnoKeeper keep;
        env = exec_env(envp, storage, need);
    }
    return call(env);
}

int dup_onto(const Caller& c, CreateOp op, int oldfd, int newfd, int flags, int (*real)(int, int, int), bool three) {
    HookGuard g;
    if (!g.active() || oldfd == newfd) return real(oldfd, newfd, flags);
    bool was_quarantined;
    {
        ErrnoKeeper keep;
        was_quarantined = before_replace(newfd);
    }
    const int r = real(oldfd, newfd, flags);
    ErrnoKeeper keep;
    if (r < 0) {
        if (was_quarantined) requarantine(newfd);
        return r;
    }
    (void)three;
    const bool cloexec = (flags & O_CLOEXEC) != 0;
    char name[layout::kNameBytes + 1];
    slot_name(oldfd, name, sizeof name);
    // A dup2 onto 0-2 wires a child's stdio: a deliberate hand-on.
    const std::uint16_t fl = static_cast<std::uint16_t>(cloexec_bit(cloexec) | (newfd <= 2 && !cloexec ? layout::kHandedOn : 0));
    record_create(r, Create{op, fl, flags, static_cast<std::uint32_t>(oldfd), name[0] != '\0' ? name : nullptr}, capture_stack(c));
    return r;
}

int real_dup2_3(int o, int n, int) { return REAL(dup2)(o, n); }
int real_dup3_3(int o, int n, int f) { return REAL(dup3)(o, n, f); }

int real_close_fn(int fd) {
    if (t_state.resolving != 0 && !LOADED(close)) return sysret(raw::close(fd));
    auto f = REAL(close);
    return f != nullptr ? f(fd) : sysret(raw::close(fd));
}
int real_close_range_fn(unsigned lo, unsigned hi, int flags) {
    auto f = REAL(close_range);
    return f != nullptr ? f(lo, hi, flags) : sysret(raw::call(SYS_close_range, lo, hi, flags));
}
int syscall_close_fn(int fd) { return static_cast<int>(REAL(syscall)(SYS_close, fd)); }
int syscall_close_range_fn(unsigned lo, unsigned hi, int flags) {
    return static_cast<int>(REAL(syscall)(SYS_close_range, lo, hi, flags));
}

int fcntl_like(const Caller& c, int fd, int cmd, void* arg, decltype(&::fcntl) real) {
    HookGuard g;
    if (real == nullptr) return enosys();
    if (!g.active()) return real(fd, cmd, arg);
    if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) {
        int c2 = cmd;
        const bool forced = cmd == F_DUPFD && force_cloexec_enabled();
        if (forced) c2 = F_DUPFD_CLOEXEC;
        const int r = real(fd, c2, arg);
        if (r >= 0) {
            ErrnoKeeper keep;
            char name[layout::kNameBytes + 1];
            slot_name(fd, name, sizeof name);
            created(r, Create{cmd == F_DUPFD ? CreateOp::FcntlDupfd : CreateOp::FcntlDupfdCloexec, cloexec_bit(c2 == F_DUPFD_CLOEXEC), 0,
                              static_cast<std::uint32_t>(fd), name[0] != '\0' ? name : nullptr},
                    capture_stack(c), forced ? "F_DUPFD_CLOEXEC" : nullptr, "fcntl");
        }
        return r;
    }
    const int r = real(fd, cmd, arg);
    if (r >= 0 && cmd == F_SETFD) {
        ErrnoKeeper keep;
        set_cloexec_flag(fd, (reinterpret_cast<long>(arg) & FD_CLOEXEC) != 0, true);
    }
    return r;
}

}  // namespace

void resolve_all() noexcept {
#define FDS_RESOLVE(name) real_fn(r_##name, #name);
    FDS_REAL_LIST(FDS_RESOLVE)
    FDS_RESOLVE(pidfd_open)
#undef FDS_RESOLVE
}

}  // namespace fdscope::preload

using namespace fdscope::preload;
using fdscope::sys::preload::CreateOp;

extern "C" {

// ---------------------------------------------------------------- open

FDS_EXPORT int open(const char* path, int flags, ...) {
    unsigned mode = 0;
    if (needs_mode(flags)) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, unsigned);
        va_end(ap);
    }
    if (t_state.resolving != 0 && !LOADED(open)) return sysret(raw::openat(AT_FDCWD, path, flags, mode));
    return open_like(FDSCOPE_CALLER(), CreateOp::Open, "open", path, flags, [&](int f) { return REAL(open)(path, f, mode); });
}

FDS_EXPORT int open64(const char* path, int flags, ...) {
    unsigned mode = 0;
    if (needs_mode(flags)) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, unsigned);
        va_end(ap);
    }
    if (t_state.resolving != 0 && !LOADED(open64)) return sysret(raw::openat(AT_FDCWD, path, flags, mode));
    return open_like(FDSCOPE_CALLER(), CreateOp::Open64, "open64", path, flags, [&](int f) { return REAL(open64)(path, f, mode); });
}

FDS_EXPORT int openat(int dirfd, const char* path, int flags, ...) {
    unsigned mode = 0;
    if (needs_mode(flags)) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, unsigned);
        va_end(ap);
    }
    if (t_state.resolving != 0 && !LOADED(openat)) return sysret(raw::openat(dirfd, path, flags, mode));
    return open_like(FDSCOPE_CALLER(), CreateOp::Openat, "openat", path, flags, [&](int f) { return REAL(openat)(dirfd, path, f, mode); });
}

FDS_EXPORT int openat64(int dirfd, const char* path, int flags, ...) {
    unsigned mode = 0;
    if (needs_mode(flags)) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, unsigned);
        va_end(ap);
    }
    if (t_state.resolving != 0 && !LOADED(openat64)) return sysret(raw::openat(dirfd, path, flags, mode));
    return open_like(FDSCOPE_CALLER(), CreateOp::Openat64, "openat64", path, flags,
                     [&](int f) { return REAL(openat64)(dirfd, path, f, mode); });
}

// The _FORTIFY_SOURCE entry points (no mode: they abort on O_CREAT without one).
FDS_EXPORT int __open_2(const char* path, int flags) {
    return open_like(FDSCOPE_CALLER(), CreateOp::Open, "open", path, flags, [&](int f) { return REAL(__open_2)(path, f); });
}
FDS_EXPORT int __open64_2(const char* path, int flags) {
    return open_like(FDSCOPE_CALLER(), CreateOp::Open64, "open64", path, flags, [&](int f) { return REAL(__open64_2)(path, f); });
}
FDS_EXPORT int __openat_2(int dirfd, const char* path, int flags) {
    return open_like(FDSCOPE_CALLER(), CreateOp::Openat, "openat", path, flags, [&](int f) { return REAL(__openat_2)(dirfd, path, f); });
}
FDS_EXPORT int __openat64_2(int dirfd, const char* path, int flags) {
    return open_like(FDSCOPE_CALLER(), CreateOp::Openat64, "openat64", path, flags,
                     [&](int f) { return REAL(__openat64_2)(dirfd, path, f); });
}

FDS_EXPORT int creat(const char* path, mode_t mode) {
    // FDSCOPE_CLOEXEC=1: creat has no flags; it becomes the open it stands for, with O_CLOEXEC.
    if (force_cloexec_enabled())
        return open_like(FDSCOPE_CALLER(), CreateOp::Creat, "creat", path, O_CREAT | O_WRONLY | O_TRUNC,
                         [&](int f) { return REAL(open)(path, f, mode); });
    return open_like(FDSCOPE_CALLER(), CreateOp::Creat, "creat", path, O_CREAT | O_WRONLY | O_TRUNC,
                     [&](int) { return REAL(creat)(path, mode); });
}
FDS_EXPORT int creat64(const char* path, mode_t mode) {
    if (force_cloexec_enabled())
        return open_like(FDSCOPE_CALLER(), CreateOp::Creat64, "creat64", path, O_CREAT | O_WRONLY | O_TRUNC,
                         [&](int f) { return REAL(open64)(path, f, mode); });
    return open_like(FDSCOPE_CALLER(), CreateOp::Creat64, "creat64", path, O_CREAT | O_WRONLY | O_TRUNC,
                     [&](int) { return REAL(creat64)(path, mode); });
}

// ---------------------------------------------------------------- stdio, dirent

FDS_EXPORT FILE* fopen(const char* path, const char* mode) {
    return fopen_like(FDSCOPE_CALLER(), CreateOp::Fopen, "fopen", path, mode, REAL(fopen));
}
FDS_EXPORT FILE* fopen64(const char* path, const char* mode) {
    return fopen_like(FDSCOPE_CALLER(), CreateOp::Fopen64, "fopen64", path, mode, REAL(fopen64));
}

FDS_EXPORT FILE* freopen(const char* path, const char* mode, FILE* stream) {
    HookGuard g;
    auto real = REAL(freopen);
    if (!g.active()) return real(path, mode, stream);
    const Caller c = FDSCOPE_CALLER();
    char buf[32];
    bool added = false;
    const char* m = mode;
    {
        ErrnoKeeper keep;
        if (force_cloexec_enabled()) m = mode_with_e(mode, buf, added);
        // freopen closes the stream's fd first (inside libc), whatever follows.
        stream_close(stream != nullptr ? fileno(stream) : -1, c);
    }
    FILE* f = real(path, m, stream);
    if (f != nullptr) {
        ErrnoKeeper keep;
        const int fd = fileno(f);
        const int fl = mode_flags(m);
        if (fd >= 0)
            created(fd, Create{CreateOp::Freopen, static_cast<std::uint16_t>(layout::kOwnerFile | cloexec_bit(fl & O_CLOEXEC)), fl, 0, path},
                    capture_stack(c), added ? "O_CLOEXEC" : nullptr, "freopen");
    }
    return f;
}

FDS_EXPORT FILE* fdopen(int fd, const char* mode) {
    HookGuard g;
    auto real = REAL(fdopen);
    if (!g.active()) return real(fd, mode);
    FILE* f = real(fd, mode);
    if (f != nullptr) {
        ErrnoKeeper keep;
        set_owner(fd, layout::kOwnerFile, CreateOp::Fdopen, FDSCOPE_CALLER());
        ensure_cloexec(fd, "fdopen");
    }
    return f;
}

FDS_EXPORT int fclose(FILE* stream) {
    HookGuard g;
    auto real = REAL(fclose);
    if (!g.active() || stream == nullptr) return real(stream);
    {
        ErrnoKeeper keep;
        stream_close(fileno(stream), FDSCOPE_CALLER());
    }
    return real(stream);
}

FDS_EXPORT DIR* opendir(const char* path) {
    HookGuard g;
    auto real = REAL(opendir);
    if (!g.active()) return real(path);
    DIR* d = real(path);
    if (d != nullptr) {
        ErrnoKeeper keep;
        const int fd = dirfd(d);
        // glibc opens a directory stream's fd with O_CLOEXEC always.
        if (fd >= 0)
            record_create(fd, Create{CreateOp::Opendir, static_cast<std::uint16_t>(layout::kOwnerDir | layout::kCloexec),
                                     O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, path},
                          capture_stack(FDSCOPE_CALLER()));
    }
    return d;
}

FDS_EXPORT DIR* fdopendir(int fd) {
    HookGuard g;
    auto real = REAL(fdopendir);
    if (!g.active()) return real(fd);
    DIR* d = real(fd);
    if (d != nullptr) {
        ErrnoKeeper keep;
        set_owner(fd, layout::kOwnerDir, CreateOp::Fdopendir, FDSCOPE_CALLER());
    }
    return d;
}

FDS_EXPORT int closedir(DIR* d) {
    HookGuard g;
    auto real = REAL(closedir);
    if (!g.active()) return real(d);
    {
        ErrnoKeeper keep;
        stream_close(dirfd(d), FDSCOPE_CALLER());
    }
    return real(d);
}

// ---------------------------------------------------------------- sockets

FDS_EXPORT int socket(int domain, int type, int protocol) {
    HookGuard g;
    auto real = REAL(socket);
    if (!g.active()) return real(domain, type, protocol);
    const bool forced = force_cloexec(type, SOCK_CLOEXEC);
    const int fd = real(domain, type, protocol);
    if (fd >= 0) {
        ErrnoKeeper keep;
        created(fd, Create{CreateOp::Socket, cloexec_bit(type & SOCK_CLOEXEC), type,
                           static_cast<std::uint32_t>(domain) << 16 | (static_cast<std::uint32_t>(type) & 0xffffu), nullptr},
                capture_stack(FDSCOPE_CALLER()), forced ? "SOCK_CLOEXEC" : nullptr, "socket");
    }
    return fd;
}

FDS_EXPORT int socketpair(int domain, int type, int protocol, int sv[2]) {
    HookGuard g;
    auto real = REAL(socketpair);
    if (!g.active()) return real(domain, type, protocol, sv);
    const bool forced = force_cloexec(type, SOCK_CLOEXEC);
    const int r = real(domain, type, protocol, sv);
    if (r == 0) {
        ErrnoKeeper keep;
        const auto stack = capture_stack(FDSCOPE_CALLER());
        const Create what{CreateOp::Socketpair, cloexec_bit(type & SOCK_CLOEXEC), type,
                          static_cast<std::uint32_t>(domain) << 16 | (static_cast<std::uint32_t>(type) & 0xffffu), nullptr};
        created(sv[0], what, stack, forced ? "SOCK_CLOEXEC" : nullptr, "socketpair");
        created(sv[1], what, stack, forced ? "SOCK_CLOEXEC" : nullptr, "socketpair");
    }
    return r;
}

FDS_EXPORT int accept(int fd, sockaddr* addr, socklen_t* len) {
    HookGuard g;
    if (!g.active()) return REAL(accept)(fd, addr, len);
    // FDSCOPE_CLOEXEC=1: accept has no flags; accept4 with SOCK_CLOEXEC does the same.
    const bool forced = force_cloexec_enabled();
    const int r = forced ? REAL(accept4)(fd, addr, len, SOCK_CLOEXEC) : REAL(accept)(fd, addr, len);
    if (r >= 0) {
        ErrnoKeeper keep;
        created(r, Create{CreateOp::Accept, cloexec_bit(forced), forced ? SOCK_CLOEXEC : 0, static_cast<std::uint32_t>(fd), nullptr},
                capture_stack(FDSCOPE_CALLER()), forced ? "SOCK_CLOEXEC" : nullptr, "accept");
    }
    return r;
}

FDS_EXPORT int accept4(int fd, sockaddr* addr, socklen_t* len, int flags) {
    HookGuard g;
    auto real = REAL(accept4);
    if (!g.active()) return real(fd, addr, len, flags);
    const bool forced = force_cloexec(flags, SOCK_CLOEXEC);
    const int r = real(fd, addr, len, flags);
    if (r >= 0) {
        ErrnoKeeper keep;
        created(r, Create{CreateOp::Accept4, cloexec_bit(flags & SOCK_CLOEXEC), flags, static_cast<std::uint32_t>(fd), nullptr},
                capture_stack(FDSCOPE_CALLER()), forced ? "SOCK_CLOEXEC" : nullptr, "accept4");
    }
    return r;
}

FDS_EXPORT ssize_t recvmsg(int fd, msghdr* msg, int flags) {
    HookGuard g;
    auto real = REAL(recvmsg);
    if (!g.active()) return real(fd, msg, flags);
    force_cloexec(flags, MSG_CMSG_CLOEXEC);
    const ssize_t r = real(fd, msg, flags);
    if (r >= 0) {
        ErrnoKeeper keep;
        layout::StackRef stack = 0;
        record_received(msg, fd, FDSCOPE_CALLER(), stack, (flags & MSG_CMSG_CLOEXEC) != 0, CreateOp::Recvmsg);
    }
    return r;
}

FDS_EXPORT int recvmmsg(int fd, mmsghdr* vec, unsigned int vlen, int flags, timespec* timeout) {
    HookGuard g;
    auto real = REAL(recvmmsg);
    if (!g.active()) return real(fd, vec, vlen, flags, timeout);
    force_cloexec(flags, MSG_CMSG_CLOEXEC);
    const int r = real(fd, vec, vlen, flags, timeout);
    if (r > 0) {
        ErrnoKeeper keep;
        layout::StackRef stack = 0;
        const Caller c = FDSCOPE_CALLER();
        for (int i = 0; i < r; ++i)
            record_received(&vec[i].msg_hdr, fd, c, stack, (flags & MSG_CMSG_CLOEXEC) != 0, CreateOp::Recvmmsg);
    }
    return r;
}

// ---------------------------------------------------------------- pipes, dups

FDS_EXPORT int pipe(int fds[2]) {
    HookGuard g;
    if (!g.active()) {
        const int r = REAL(pipe)(fds);
        if (r == 0 && g.unwinding()) adopt_library_pipe(fds);
        return r;
    }
    const bool forced = force_cloexec_enabled();
    const int r = forced ? REAL(pipe2)(fds, O_CLOEXEC) : REAL(pipe)(fds);
    if (r == 0) {
        ErrnoKeeper keep;
        const auto stack = capture_stack(FDSCOPE_CALLER());
        created(fds[0], Create{CreateOp::Pipe, cloexec_bit(forced), O_RDONLY | (forced ? O_CLOEXEC : 0), 0, nullptr}, stack,
                forced ? "O_CLOEXEC" : nullptr, "pipe");
        created(fds[1], Create{CreateOp::Pipe, cloexec_bit(forced), O_WRONLY | (forced ? O_CLOEXEC : 0), 0, nullptr}, stack,
                forced ? "O_CLOEXEC" : nullptr, "pipe");
    }
    return r;
}

FDS_EXPORT int pipe2(int fds[2], int flags) {
    HookGuard g;
    auto real = REAL(pipe2);
    if (!g.active()) {
        const int r = real(fds, flags);
        if (r == 0 && g.unwinding()) adopt_library_pipe(fds);
        return r;
    }
    const bool forced = force_cloexec(flags, O_CLOEXEC);
    const int r = real(fds, flags);
    if (r == 0) {
        ErrnoKeeper keep;
        const auto stack = capture_stack(FDSCOPE_CALLER());
        created(fds[0], Create{CreateOp::Pipe2, cloexec_bit(flags & O_CLOEXEC), O_RDONLY | flags, 0, nullptr}, stack,
                forced ? "O_CLOEXEC" : nullptr, "pipe2");
        created(fds[1], Create{CreateOp::Pipe2, cloexec_bit(flags & O_CLOEXEC), O_WRONLY | flags, 0, nullptr}, stack,
                forced ? "O_CLOEXEC" : nullptr, "pipe2");
    }
    return r;
}

FDS_EXPORT int dup(int oldfd) {
    HookGuard g;
    if (!g.active()) return REAL(dup)(oldfd);
    // FDSCOPE_CLOEXEC=1: dup has no flags; F_DUPFD_CLOEXEC from 0 does the same.
    const bool forced = force_cloexec_enabled();
    const int r = forced ? REAL(fcntl)(oldfd, F_DUPFD_CLOEXEC, 0) : REAL(dup)(oldfd);
    if (r >= 0) {
        ErrnoKeeper keep;
        char name[layout::kNameBytes + 1];
        slot_name(oldfd, name, sizeof name);
        created(r, Create{CreateOp::Dup, cloexec_bit(forced), 0, static_cast<std::uint32_t>(oldfd), name[0] != '\0' ? name : nullptr},
                capture_stack(FDSCOPE_CALLER()), forced ? "F_DUPFD_CLOEXEC" : nullptr, "dup");
    }
    return r;
}

FDS_EXPORT int dup2(int oldfd, int newfd) {
    return dup_onto(FDSCOPE_CALLER(), CreateOp::Dup2, oldfd, newfd, 0, real_dup2_3, false);
}
FDS_EXPORT int dup3(int oldfd, int newfd, int flags) {
    return dup_onto(FDSCOPE_CALLER(), CreateOp::Dup3, oldfd, newfd, flags, real_dup3_3, true);
}

FDS_EXPORT int fcntl(int fd, int cmd, ...) {
    va_list ap;
    va_start(ap, cmd);
    void* arg = va_arg(ap, void*);  // as glibc's own fcntl reads it, for every cmd
    va_end(ap);
    return fcntl_like(FDSCOPE_CALLER(), fd, cmd, arg, REAL(fcntl));
}
FDS_EXPORT int fcntl64(int fd, int cmd, ...) {
    va_list ap;
    va_start(ap, cmd);
    void* arg = va_arg(ap, void*);
    va_end(ap);
    return fcntl_like(FDSCOPE_CALLER(), fd, cmd, arg, REAL(fcntl64));
}

FDS_EXPORT int ioctl(int fd, unsigned long request, ...) {
    va_list ap;
    va_start(ap, request);
    void* arg = va_arg(ap, void*);
    va_end(ap);
    HookGuard g;
    const int r = REAL(ioctl)(fd, request, arg);
    if (g.active() && r >= 0 && (request == FIOCLEX || request == FIONCLEX)) {
        ErrnoKeeper keep;
        set_cloexec_flag(fd, request == FIOCLEX, true);
    }
    return r;
}

// ---------------------------------------------------------------- other fd makers

FDS_EXPORT int eventfd(unsigned int count, int flags) {
    HookGuard g;
    auto real = REAL(eventfd);
    if (!g.active()) return real(count, flags);
    return flagged_create(FDSCOPE_CALLER(), CreateOp::Eventfd, "eventfd", flags, EFD_CLOEXEC, "EFD_CLOEXEC", 0, nullptr,
                          [&](int f) { return real(count, f); });
}

FDS_EXPORT int signalfd(int fd, const sigset_t* mask, int flags) {
    HookGuard g;
    auto real = REAL(signalfd);
    if (!g.active() || fd != -1) return real(fd, mask, flags);  // fd != -1 changes an existing signalfd
    return flagged_create(FDSCOPE_CALLER(), CreateOp::Signalfd, "signalfd", flags, SFD_CLOEXEC, "SFD_CLOEXEC", 0, nullptr,
                          [&](int f) { return real(fd, mask, f); });
}

FDS_EXPORT int timerfd_create(int clockid, int flags) {
    HookGuard g;
    auto real = REAL(timerfd_create);
    if (!g.active()) return real(clockid, flags);
    return flagged_create(FDSCOPE_CALLER(), CreateOp::TimerfdCreate, "timerfd_create", flags, TFD_CLOEXEC, "TFD_CLOEXEC",
                          static_cast<std::uint32_t>(clockid), nullptr, [&](int f) { return real(clockid, f); });
}

FDS_EXPORT int epoll_create(int size) {
    HookGuard g;
    if (!g.active()) return REAL(epoll_create)(size);
    // FDSCOPE_CLOEXEC=1: epoll_create1(EPOLL_CLOEXEC), except for a size
    // epoll_create refuses (EINVAL), which epoll_create1 would not check.
    const bool forced = force_cloexec_enabled() && size > 0;
    const int r = forced ? REAL(epoll_create1)(EPOLL_CLOEXEC) : REAL(epoll_create)(size);
    if (r >= 0) {
        ErrnoKeeper keep;
        created(r, Create{CreateOp::EpollCreate, cloexec_bit(forced), forced ? EPOLL_CLOEXEC : 0, 0, nullptr},
                capture_stack(FDSCOPE_CALLER()), forced ? "EPOLL_CLOEXEC" : nullptr, "epoll_create");
    }
    return r;
}

FDS_EXPORT int epoll_create1(int flags) {
    HookGuard g;
    auto real = REAL(epoll_create1);
    if (!g.active()) return real(flags);
    return flagged_create(FDSCOPE_CALLER(), CreateOp::EpollCreate1, "epoll_create1", flags, EPOLL_CLOEXEC, "EPOLL_CLOEXEC", 0,
                          nullptr, [&](int f) { return real(f); });
}

FDS_EXPORT int inotify_init() {
    HookGuard g;
    if (!g.active()) return REAL(inotify_init)();
    const bool forced = force_cloexec_enabled();
    const int r = forced ? REAL(inotify_init1)(IN_CLOEXEC) : REAL(inotify_init)();
    if (r >= 0) {
        ErrnoKeeper keep;
        created(r, Create{CreateOp::InotifyInit, cloexec_bit(forced), forced ? IN_CLOEXEC : 0, 0, nullptr},
                capture_stack(FDSCOPE_CALLER()), forced ? "IN_CLOEXEC" : nullptr, "inotify_init");
    }
    return r;
}

FDS_EXPORT int inotify_init1(int flags) {
    HookGuard g;
    auto real = REAL(inotify_init1);
    if (!g.active()) return real(flags);
    return flagged_create(FDSCOPE_CALLER(), CreateOp::InotifyInit1, "inotify_init1", flags, IN_CLOEXEC, "IN_CLOEXEC", 0, nullptr,
                          [&](int f) { return real(f); });
}

FDS_EXPORT int fanotify_init(unsigned int flags, unsigned int event_f_flags) {
    HookGuard g;
    auto real = REAL(fanotify_init);
    if (!g.active()) return real(flags, event_f_flags);
    return flagged_create(FDSCOPE_CALLER(), CreateOp::FanotifyInit, "fanotify_init", static_cast<int>(flags), FAN_CLOEXEC,
                          "FAN_CLOEXEC", event_f_flags, nullptr,
                          [&](int f) { return real(static_cast<unsigned>(f), event_f_flags); });
}

FDS_EXPORT int memfd_create(const char* name, unsigned int flags) {
    HookGuard g;
    auto real = REAL(memfd_create);
    if (!g.active()) return real(name, flags);
    return flagged_create(FDSCOPE_CALLER(), CreateOp::MemfdCreate, "memfd_create", static_cast<int>(flags),
                          static_cast<int>(MFD_CLOEXEC), "MFD_CLOEXEC", 0, name,
                          [&](int f) { return real(name, static_cast<unsigned>(f)); });
}

FDS_EXPORT int pidfd_open(pid_t pid, unsigned int flags) {
    HookGuard g;
    auto real = REAL(pidfd_open);
    if (real == nullptr) return sysret(raw::call(SYS_pidfd_open, pid, flags));
    if (!g.active()) return real(pid, flags);
    const int r = real(pid, flags);
    if (r >= 0) {
        ErrnoKeeper keep;
        // A pidfd is always close-on-exec.
        created(r, Create{CreateOp::PidfdOpen, layout::kCloexec, static_cast<int>(flags), static_cast<std::uint32_t>(pid), nullptr},
                capture_stack(FDSCOPE_CALLER()), nullptr, "pidfd_open");
    }
    return r;
}

// ---------------------------------------------------------------- close

FDS_EXPORT int close(int fd) {
    HookGuard g;
    if (!g.active()) return real_close_fn(fd);
    return close_fd(fd, FDSCOPE_CALLER(), real_close_fn);
}

FDS_EXPORT int close_range(unsigned int lo, unsigned int hi, int flags) {
    HookGuard g;
    if (!g.active()) return real_close_range_fn(lo, hi, flags);
    return close_range_fd(lo, hi, flags, FDSCOPE_CALLER(), real_close_range_fn);
}

// ---------------------------------------------------------------- processes

FDS_EXPORT int posix_spawn(pid_t* pid, const char* path, const posix_spawn_file_actions_t* fa, const posix_spawnattr_t* attr,
                           char* const argv[], char* const envp[]) {
    // The file actions run in the child (dup2, close, open there change the
    // child's table, not this one): nothing to record in the parent.
    return exec_like("posix_spawn", path, envp, [&](char* const* env) { return REAL(posix_spawn)(pid, path, fa, attr, argv, env); });
}
FDS_EXPORT int posix_spawnp(pid_t* pid, const char* file, const posix_spawn_file_actions_t* fa, const posix_spawnattr_t* attr,
                            char* const argv[], char* const envp[]) {
    return exec_like("posix_spawnp", file, envp, [&](char* const* env) { return REAL(posix_spawnp)(pid, file, fa, attr, argv, env); });
}

FDS_EXPORT FILE* popen(const char* command, const char* type) {
    HookGuard g;
    auto real = REAL(popen);
    if (!g.active()) return real(command, type);
    {
        ErrnoKeeper keep;
        exec_policy("popen", command, environ);
    }
    FILE* f = real(command, type);
    if (f != nullptr) {
        ErrnoKeeper keep;
        // glibc makes the pipe inside (__pipe2): the parent's end is the FILE's fd.
        const int fd = fileno(f);
        if (fd >= 0) {
            const int fl = raw::fcntl(fd, F_GETFD);
            const bool cloexec = fl >= 0 && (fl & FD_CLOEXEC) != 0;
            const int acc = (type != nullptr && type[0] == 'w') ? O_WRONLY : O_RDONLY;
            record_create(fd, Create{CreateOp::Popen, static_cast<std::uint16_t>(layout::kOwnerFile | cloexec_bit(cloexec)),
                                     acc | (cloexec ? O_CLOEXEC : 0), 0, command},
                          capture_stack(FDSCOPE_CALLER()));
            ensure_cloexec(fd, "popen");
        }
    }
    return f;
}

FDS_EXPORT int pclose(FILE* stream) {
    HookGuard g;
    auto real = REAL(pclose);
    if (!g.active() || stream == nullptr) return real(stream);
    {
        ErrnoKeeper keep;
        stream_close(fileno(stream), FDSCOPE_CALLER());
    }
    return real(stream);
}

FDS_EXPORT int system(const char* command) {
    {
        ErrnoKeeper keep;
        HookGuard g;
        if (g.active() && command != nullptr) exec_policy("system", command, environ);
    }
    return REAL(system)(command);
}

FDS_EXPORT int execve(const char* path, char* const argv[], char* const envp[]) {
    return exec_like("execve", path, envp, [&](char* const* env) { return REAL(execve)(path, argv, env); });
}
FDS_EXPORT int execv(const char* path, char* const argv[]) {
    return exec_like("execv", path, environ, [&](char* const* env) { return REAL(execve)(path, argv, env); });
}
FDS_EXPORT int execvp(const char* file, char* const argv[]) {
    return exec_like("execvp", file, environ, [&](char* const* env) { return REAL(execvpe)(file, argv, env); });
}
FDS_EXPORT int execvpe(const char* file, char* const argv[], char* const envp[]) {
    return exec_like("execvpe", file, envp, [&](char* const* env) { return REAL(execvpe)(file, argv, env); });
}
FDS_EXPORT int fexecve(int fd, char* const argv[], char* const envp[]) {
    return exec_like("fexecve", nullptr, envp, [&](char* const* env) { return REAL(fexecve)(fd, argv, env); });
}
FDS_EXPORT int execveat(int dirfd, const char* path, char* const argv[], char* const envp[], int flags) {
    return exec_like("execveat", path, envp, [&](char* const* env) {
        auto real = REAL(execveat);
        if (real == nullptr)
            return sysret(raw::call(SYS_execveat, dirfd, reinterpret_cast<long>(path), reinterpret_cast<long>(argv),
                                    reinterpret_cast<long>(env), flags));
        return real(dirfd, path, argv, env, flags);
    });
}

}  // extern "C"

namespace {
// execl's variadic argument list as an argv array on the stack; `extra`
// receives the word after the terminating NULL (execle's envp).
#define FDS_COLLECT_ARGS(first, argv, extra)                                      \
    unsigned long argc_ = 1;                                                     \
    {                                                                            \
        va_list ap;                                                              \
        va_start(ap, first);                                                     \
        while (va_arg(ap, char*) != nullptr) ++argc_;                            \
        va_end(ap);                                                              \
    }                                                                            \
    auto** argv = static_cast<char**>(__builtin_alloca((argc_ + 1) * sizeof(char*))); \
    {                                                                            \
        va_list ap;                                                              \
        va_start(ap, first);                                                     \
        argv[0] = const_cast<char*>(first);                                      \
        for (unsigned long i = 1; i <= argc_; ++i) argv[i] = va_arg(ap, char*);  \
        extra = va_arg(ap, char**);                                              \
        va_end(ap);                                                              \
    }
}  // namespace

extern "C" {

FDS_EXPORT int execl(const char* path, const char* arg, ...) {
    char** unused = nullptr;
    FDS_COLLECT_ARGS(arg, argv, unused);
    (void)unused;
    return exec_like("execl", path, environ, [&](char* const* env) { return REAL(execve)(path, argv, env); });
}
FDS_EXPORT int execlp(const char* file, const char* arg, ...) {
    char** unused = nullptr;
    FDS_COLLECT_ARGS(arg, argv, unused);
    (void)unused;
    return exec_like("execlp", file, environ, [&](char* const* env) { return REAL(execvpe)(file, argv, env); });
}
FDS_EXPORT int execle(const char* path, const char* arg, ...) {
    char** envp = nullptr;
    FDS_COLLECT_ARGS(arg, argv, envp);
    return exec_like("execle", path, envp, [&](char* const* env) { return REAL(execve)(path, argv, env); });
}

// ---------------------------------------------------------------- syscall(2)

// The fd system calls made through syscall(3) (programs that call a syscall
// glibc has no wrapper for, or bypass it): decoded by number, recorded with
// kViaSyscall. Every other number passes through untouched. syscall(3) takes
// six long arguments in registers whatever the number; so does this.
FDS_EXPORT long syscall(long nr, ...) {
    va_list ap;
    va_start(ap, nr);
    long a[6];
    for (long& v : a) v = va_arg(ap, long);
    va_end(ap);
    auto real = REAL(syscall);
    HookGuard g;
    if (!g.active()) return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    const Caller c = FDSCOPE_CALLER();
    const auto via = layout::kViaSyscall;
    auto one = [&](CreateOp op, long r, int flags, int cloexec_flag, bool forced, const char* flagname, const char* name,
                   std::uint32_t detail) {
        if (r >= 0) {
            ErrnoKeeper keep;
            created(static_cast<int>(r), Create{op, static_cast<std::uint16_t>(via | cloexec_bit(flags & cloexec_flag)), flags, detail, name},
                    capture_stack(c), forced ? flagname : nullptr, "syscall");
        }
        return r;
    };
    int f;
    bool forced;
    switch (nr) {
    case SYS_open:
        f = static_cast<int>(a[1]);
        forced = force_cloexec(f, O_CLOEXEC);
        return one(CreateOp::Open, real(nr, a[0], f, a[2]), f, O_CLOEXEC, forced, "O_CLOEXEC", reinterpret_cast<const char*>(a[0]), 0);
    case SYS_openat:
        f = static_cast<int>(a[2]);
        forced = force_cloexec(f, O_CLOEXEC);
        return one(CreateOp::Openat, real(nr, a[0], a[1], f, a[3]), f, O_CLOEXEC, forced, "O_CLOEXEC",
                   reinterpret_cast<const char*>(a[1]), 0);
    case SYS_creat:
        return one(CreateOp::Creat, real(nr, a[0], a[1]), O_CREAT | O_WRONLY | O_TRUNC, O_CLOEXEC, false, nullptr,
                   reinterpret_cast<const char*>(a[0]), 0);
    case SYS_close:
        return close_fd(static_cast<int>(a[0]), c, syscall_close_fn);
    case SYS_close_range:
        return close_range_fd(static_cast<unsigned>(a[0]), static_cast<unsigned>(a[1]), static_cast<int>(a[2]), c, syscall_close_range_fn);
    case SYS_dup:
        return one(CreateOp::Dup, real(nr, a[0]), 0, O_CLOEXEC, false, nullptr, nullptr, static_cast<std::uint32_t>(a[0]));
    case SYS_dup2:
    case SYS_dup3: {
        const int oldfd = static_cast<int>(a[0]), newfd = static_cast<int>(a[1]);
        const int fl = nr == SYS_dup3 ? static_cast<int>(a[2]) : 0;
        if (oldfd == newfd) return real(nr, a[0], a[1], a[2]);
        bool was_q;
        {
            ErrnoKeeper keep;
            was_q = before_replace(newfd);
        }
        const long r = real(nr, a[0], a[1], a[2]);
        ErrnoKeeper keep;
        if (r < 0) {
            if (was_q) requarantine(newfd);
            return r;
        }
        const bool cl = (fl & O_CLOEXEC) != 0;
        record_create(newfd, Create{nr == SYS_dup3 ? CreateOp::Dup3 : CreateOp::Dup2,
                                    static_cast<std::uint16_t>(via | cloexec_bit(cl) | (newfd <= 2 && !cl ? layout::kHandedOn : 0)), fl,
                                    static_cast<std::uint32_t>(oldfd), nullptr},
                      capture_stack(c));
        return r;
    }
    case SYS_fcntl: {
        const int cmd = static_cast<int>(a[1]);
        if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) {
            const bool fc = cmd == F_DUPFD && force_cloexec_enabled();
            const int c2 = fc ? F_DUPFD_CLOEXEC : cmd;
            return one(cmd == F_DUPFD ? CreateOp::FcntlDupfd : CreateOp::FcntlDupfdCloexec, real(nr, a[0], c2, a[2]),
                       c2 == F_DUPFD_CLOEXEC ? O_CLOEXEC : 0, O_CLOEXEC, fc, "F_DUPFD_CLOEXEC", nullptr, static_cast<std::uint32_t>(a[0]));
        }
        const long r = real(nr, a[0], a[1], a[2]);
        if (r >= 0 && cmd == F_SETFD) {
            ErrnoKeeper keep;
            set_cloexec_flag(static_cast<int>(a[0]), (a[2] & FD_CLOEXEC) != 0, true);
        }
        return r;
    }
    case SYS_socket:
        f = static_cast<int>(a[1]);
        forced = force_cloexec(f, SOCK_CLOEXEC);
        return one(CreateOp::Socket, real(nr, a[0], f, a[2]), f, SOCK_CLOEXEC, forced, "SOCK_CLOEXEC", nullptr,
                   static_cast<std::uint32_t>(a[0]) << 16 | (static_cast<std::uint32_t>(f) & 0xffffu));
    case SYS_accept4:
        f = static_cast<int>(a[3]);
        forced = force_cloexec(f, SOCK_CLOEXEC);
        return one(CreateOp::Accept4, real(nr, a[0], a[1], a[2], f), f, SOCK_CLOEXEC, forced, "SOCK_CLOEXEC", nullptr,
                   static_cast<std::uint32_t>(a[0]));
    case SYS_accept:
        return one(CreateOp::Accept, real(nr, a[0], a[1], a[2]), 0, SOCK_CLOEXEC, false, nullptr, nullptr, static_cast<std::uint32_t>(a[0]));
    case SYS_socketpair:
    case SYS_pipe:
    case SYS_pipe2: {
        const bool sp = nr == SYS_socketpair;
        f = static_cast<int>(sp ? a[1] : (nr == SYS_pipe2 ? a[1] : 0));
        const int bit = sp ? SOCK_CLOEXEC : O_CLOEXEC;
        forced = nr != SYS_pipe && force_cloexec(f, bit);
        int* fds = reinterpret_cast<int*>(sp ? a[3] : a[0]);
        const long r = sp ? real(nr, a[0], f, a[2], a[3]) : real(nr, a[0], f);
        if (r == 0) {
            ErrnoKeeper keep;
            const auto op = sp ? CreateOp::Socketpair : (nr == SYS_pipe ? CreateOp::Pipe : CreateOp::Pipe2);
            const auto stack = capture_stack(c);
            const std::uint32_t detail = sp ? (static_cast<std::uint32_t>(a[0]) << 16 | (static_cast<std::uint32_t>(f) & 0xffffu)) : 0;
            for (int i = 0; i < 2; ++i)
                created(fds[i], Create{op, static_cast<std::uint16_t>(via | cloexec_bit(f & bit)), f, detail, nullptr}, stack,
                        forced ? (sp ? "SOCK_CLOEXEC" : "O_CLOEXEC") : nullptr, "syscall");
        }
        return r;
    }
    case SYS_eventfd:
        return one(CreateOp::Eventfd, real(nr, a[0]), 0, EFD_CLOEXEC, false, nullptr, nullptr, 0);
    case SYS_eventfd2:
        f = static_cast<int>(a[1]);
        forced = force_cloexec(f, EFD_CLOEXEC);
        return one(CreateOp::Eventfd, real(nr, a[0], f), f, EFD_CLOEXEC, forced, "EFD_CLOEXEC", nullptr, 0);
    case SYS_signalfd4:
        if (static_cast<int>(a[0]) != -1) break;
        f = static_cast<int>(a[3]);
        forced = force_cloexec(f, SFD_CLOEXEC);
        return one(CreateOp::Signalfd, real(nr, a[0], a[1], a[2], f), f, SFD_CLOEXEC, forced, "SFD_CLOEXEC", nullptr, 0);
    case SYS_timerfd_create:
        f = static_cast<int>(a[1]);
        forced = force_cloexec(f, TFD_CLOEXEC);
        return one(CreateOp::TimerfdCreate, real(nr, a[0], f), f, TFD_CLOEXEC, forced, "TFD_CLOEXEC", nullptr, static_cast<std::uint32_t>(a[0]));
    case SYS_epoll_create:
        return one(CreateOp::EpollCreate, real(nr, a[0]), 0, EPOLL_CLOEXEC, false, nullptr, nullptr, 0);
    case SYS_epoll_create1:
        f = static_cast<int>(a[0]);
        forced = force_cloexec(f, EPOLL_CLOEXEC);
        return one(CreateOp::EpollCreate1, real(nr, f), f, EPOLL_CLOEXEC, forced, "EPOLL_CLOEXEC", nullptr, 0);
    case SYS_inotify_init:
        return one(CreateOp::InotifyInit, real(nr), 0, IN_CLOEXEC, false, nullptr, nullptr, 0);
    case SYS_inotify_init1:
        f = static_cast<int>(a[0]);
        forced = force_cloexec(f, IN_CLOEXEC);
        return one(CreateOp::InotifyInit1, real(nr, f), f, IN_CLOEXEC, forced, "IN_CLOEXEC", nullptr, 0);
    case SYS_fanotify_init:
        f = static_cast<int>(a[0]);
        forced = force_cloexec(f, FAN_CLOEXEC);
        return one(CreateOp::FanotifyInit, real(nr, f, a[1]), f, FAN_CLOEXEC, forced, "FAN_CLOEXEC", nullptr, static_cast<std::uint32_t>(a[1]));
    case SYS_memfd_create:
        f = static_cast<int>(a[1]);
        forced = force_cloexec(f, MFD_CLOEXEC);
        return one(CreateOp::MemfdCreate, real(nr, a[0], f), f, MFD_CLOEXEC, forced, "MFD_CLOEXEC", reinterpret_cast<const char*>(a[0]), 0);
    case SYS_pidfd_open:
        return one(CreateOp::PidfdOpen, real(nr, a[0], a[1]), O_CLOEXEC, O_CLOEXEC, false, nullptr, nullptr, static_cast<std::uint32_t>(a[0]));
    default:
        break;
    }
    return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

}  // extern "C"
