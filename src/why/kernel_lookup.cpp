#include "why/kernel_lookup.hpp"

#include <cerrno>
#include <fcntl.h>
#include <linux/openat2.h>

#include "sys/openat2.hpp"
#include "sys/proc_io.hpp"
#include "why/inode_facts.hpp"

namespace fdscope::why {

KernelLookup::KernelLookup(std::string root_path, std::string cwd_path)
    : root_path_(std::move(root_path)), cwd_path_(std::move(cwd_path)) {}

LookupAnswer KernelLookup::adopt(sys::UniqueFd fd, int err) {
    LookupAnswer a;
    if (!fd) {
        a.error = err ? err : EBADF;
        return a;
    }
    if (int e = inode_facts(fd.get(), a.inode)) {
        a.error = e;
        return a;
    }
    a.handle = fds_.size();
    if (a.inode.mount_id && by_mount_.emplace(a.inode.mount_id, a.handle).second)
        mount_order_.push_back(a.inode.mount_id);
    fds_.push_back(std::move(fd));
    return a;
}

LookupAnswer KernelLookup::open_start(const std::string& path) {
    // The magic links /proc/PID/root and cwd are followed on purpose: they
    // are the way into the subject's mount namespace.
    int err = 0;
    sys::UniqueFd fd = sys::openat2(AT_FDCWD, path.c_str(), O_PATH | O_DIRECTORY, 0, err);
    return adopt(std::move(fd), err);
}

LookupAnswer KernelLookup::root() {
    if (!root_opened_) {
        root_ = open_start(root_path_);
        root_opened_ = true;
    }
    return root_;
}

LookupAnswer KernelLookup::cwd() {
    if (!cwd_opened_) {
        cwd_ = open_start(cwd_path_);
        cwd_opened_ = true;
    }
    return cwd_;
}

LookupAnswer KernelLookup::child(std::size_t dir, const std::string& name) {
    if (dir >= fds_.size()) return {EBADF, 0, {}};
    if (name.find('/') != std::string::npos) return {EINVAL, 0, {}};
    int err = 0;
    sys::UniqueFd fd = sys::openat2(fds_[dir].get(), name.c_str(), O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS, err);
    return adopt(std::move(fd), err);
}

int KernelLookup::readlink(std::size_t link, std::string& target) {
    if (link >= fds_.size()) return EBADF;
    return sys::readlink_at(fds_[link].get(), "", target);
}

int KernelLookup::fd_on_mount(std::int32_t id) const {
    auto it = by_mount_.find(id);
    return it == by_mount_.end() ? -1 : fds_[it->second].get();
}

}  // namespace fdscope::why
