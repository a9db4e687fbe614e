// Raw system calls for the library's own work (x86_64 only, as the layout).
//
// The library's own opens, closes, fcntls and writes must not go through the
// functions it wraps (open, close, fcntl and syscall(3) are all its own
// hooks) and must not touch errno: these return the kernel's result, a
// negative errno on failure, and leave errno as the program left it. They
// are async-signal-safe, as the syscall instruction is.
#pragma once

#include <cstdint>
#include <sys/syscall.h>

namespace fdscope::preload::raw {

inline long call(long nr, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0, long f = 0) {
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

inline int openat(int dirfd, const char* path, int flags, unsigned mode = 0) {
    return static_cast<int>(call(SYS_openat, dirfd, reinterpret_cast<long>(path), flags, static_cast<long>(mode)));
}
inline int close(int fd) { return static_cast<int>(call(SYS_close, fd)); }
inline int fcntl(int fd, int cmd, long arg = 0) { return static_cast<int>(call(SYS_fcntl, fd, cmd, arg)); }
inline int dup3(int oldfd, int newfd, int flags) { return static_cast<int>(call(SYS_dup3, oldfd, newfd, flags)); }
inline long write(int fd, const void* buf, unsigned long n) {
    return call(SYS_write, fd, reinterpret_cast<long>(buf), static_cast<long>(n));
}
inline long read(int fd, void* buf, unsigned long n) {
    return call(SYS_read, fd, reinterpret_cast<long>(buf), static_cast<long>(n));
}
inline long getdents64(int fd, void* buf, unsigned long n) {
    return call(SYS_getdents64, fd, reinterpret_cast<long>(buf), static_cast<long>(n));
}
// Calls each(fd) for every numeric entry of the open directory `dir` (a
// /proc/PID/fd), read with getdents64 into a buffer on the stack: no
// malloc, no libc. `each` may readlinkat on `dir`: getdents64 goes on
// from where it stopped.
template <class Each>
void for_each_fd_entry(int dir, Each&& each) {
    alignas(8) char buf[4096];
    for (;;) {
        const long n = getdents64(dir, buf, sizeof buf);
        if (n <= 0) return;
        for (long off = 0; off < n;) {
            const char* rec = buf + off;
            unsigned short reclen;
            __builtin_memcpy(&reclen, rec + 16, sizeof reclen);  // linux_dirent64: ino, off, reclen, type, name
            if (reclen == 0) return;
            off += reclen;
            const char* c = rec + 19;
            if (*c < '0' || *c > '9') continue;
            long fd = 0;
            for (; *c >= '0' && *c <= '9' && fd < (1L << 31); ++c) fd = fd * 10 + (*c - '0');
            if (*c == '\0' && fd < (1L << 31)) each(static_cast<int>(fd));
        }
    }
}

inline int getpid() { return static_cast<int>(call(SYS_getpid)); }
inline int gettid() { return static_cast<int>(call(SYS_gettid)); }

}  // namespace fdscope::preload::raw
