#include "collect/pseudo_mounts.hpp"

#include <fcntl.h>
#include <string>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys/proc_io.hpp"
#include "procfs/parse_fdinfo.hpp"

namespace fdscope::collect {
namespace {

PseudoMount learn(int fd) {
    PseudoMount m;
    if (fd < 0) return m;
    sys::UniqueFd owned(fd);
    std::string text;
    if (sys::read_file_at(AT_FDCWD, ("/proc/self/fdinfo/" + std::to_string(fd)).c_str(), text,
                     sys::ReadMode::SingleRecord) != 0)
        return m;
    auto info = procfs::parse_fdinfo(text);
    struct stat st {};
    if (!info || ::fstat(fd, &st) != 0) return m;
    m.mnt_id = info->mnt_id;
    m.dev = st.st_dev;
    return m;
}

}  // namespace

PseudoMounts learn_pseudo_mounts() {
    PseudoMounts pm;
    int p[2];
    if (::pipe2(p, O_CLOEXEC) == 0) {
        ::close(p[1]);
        pm.pipefs = learn(p[0]);
    }
    pm.sockfs = learn(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    pm.anon_inodefs = learn(::eventfd(0, EFD_CLOEXEC));
    pm.pidfs = learn(static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0)));
    // Before pidfs (Linux 6.9) pidfds were anon inodes: one mount, not two.
    if (pm.pidfs.mnt_id == pm.anon_inodefs.mnt_id) pm.pidfs = PseudoMount{};
    return pm;
}

}  // namespace fdscope::collect
