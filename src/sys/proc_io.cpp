#include "sys/proc_io.hpp"

#include <cerrno>
#include <charconv>
#include <dirent.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace fdscope::sys {

UniqueFd open_dir(int dirfd, const char* name, int& err) {
    int fd = ::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    err = fd < 0 ? errno : 0;
    return UniqueFd(fd);
}

int read_file_at(int dirfd, const char* name, std::string& buf, ReadMode mode) {
    int fd = ::openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    buf.resize(buf.capacity() < 4096 ? 4096 : buf.capacity());
    std::size_t used = 0;
    int err = 0;
    for (;;) {
        ssize_t n = ::read(fd, buf.data() + used, buf.size() - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            err = errno;
            break;
        }
        if (n == 0) break;
        used += static_cast<std::size_t>(n);
        if (used == buf.size()) buf.resize(buf.size() * 2);
        else if (mode == ReadMode::SingleRecord) break;
    }
    ::close(fd);
    buf.resize(used);
    return err;
}

int readlink_at(int dirfd, const char* name, std::string& buf) {
    std::size_t cap = buf.capacity() < 256 ? 256 : buf.capacity();
    for (;;) {
        buf.resize(cap);
        ssize_t n = ::readlinkat(dirfd, name, buf.data(), buf.size());
        if (n < 0) {
            buf.clear();
            return errno;
        }
        if (static_cast<std::size_t>(n) < buf.size()) {
            buf.resize(static_cast<std::size_t>(n));
            return 0;
        }
        cap *= 2;  // possibly truncated: retry with room to spare
        if (cap > (1u << 20)) {
            buf.resize(static_cast<std::size_t>(n));
            return 0;
        }
    }
}

int list_numeric(int dirfd, std::vector<std::int32_t>& out) {
    // getdents64 directly: opendir/readdir would dup the fd and allocate.
    alignas(8) char chunk[32768];
    if (::lseek(dirfd, 0, SEEK_SET) < 0) return errno;
    for (;;) {
        long n = ::syscall(SYS_getdents64, dirfd, chunk, sizeof chunk);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        if (n == 0) return 0;
        for (long off = 0; off < n;) {
            auto* d = reinterpret_cast<struct dirent64*>(chunk + off);
            off += d->d_reclen;
            const char* s = d->d_name;
            if (*s < '0' || *s > '9') continue;
            std::int32_t v = 0;
            auto end = s + std::char_traits<char>::length(s);
            auto [p, ec] = std::from_chars(s, end, v);
            if (ec == std::errc() && p == end) out.push_back(v);
        }
    }
}

}  // namespace fdscope::sys
