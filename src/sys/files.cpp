#include "sys/files.hpp"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/proc_io.hpp"

namespace fdscope::sys {

int read_all(const char* path, std::string& out) { return read_file_at(AT_FDCWD, path, out, ReadMode::Stream); }

int write_all(int fd, std::string_view text) {
    for (std::size_t done = 0; done < text.size();) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        done += static_cast<std::size_t>(n);
    }
    return 0;
}

int replace_file(const std::string& path, std::string_view text) {
    std::string tmp = path + ".XXXXXX";
    const int fd = ::mkstemp(tmp.data());
    if (fd < 0) return errno;
    const mode_t mask = ::umask(0);
    ::umask(mask);
    // mkstemp makes the file 0600; the new contents are as readable as any new file.
    int err = ::fchmod(fd, 0666 & ~mask) == 0 ? write_all(fd, text) : errno;
    if (::close(fd) != 0 && !err) err = errno;
    if (!err && ::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
    if (err) ::unlink(tmp.c_str());
    return err;
}

}  // namespace fdscope::sys
