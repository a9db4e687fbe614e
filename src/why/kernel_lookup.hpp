// The walk's lookup on the real kernel, in the subject's view: an O_PATH
// fd of its root and of its cwd (/proc/PID/task/TID/root and cwd reach its
// mount namespace), then one name at a time with openat2(O_PATH |
// O_NOFOLLOW, RESOLVE_NO_SYMLINKS): the kernel never follows a link nor
// resolves an absolute one against fdscope's own root (the walker expands
// links itself), and every name gets statx and its ACL.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sys/unique_fd.hpp"
#include "why/walker.hpp"

namespace fdscope::why {

class KernelLookup : public Lookup {
public:
    // root_path / cwd_path: "/proc/PID/task/TID/root" and ".../cwd", or
    // "/" and "." for fdscope itself.
    KernelLookup(std::string root_path, std::string cwd_path);

    LookupAnswer root() override;
    LookupAnswer cwd() override;
    LookupAnswer child(std::size_t dir, const std::string& name) override;
    int readlink(std::size_t link, std::string& target) override;

    // An O_PATH fd on the mount `id` (the first name the walks found
    // there), -1 when the walks did not touch it. Owned by the lookup.
    int fd_on_mount(std::int32_t id) const;
    // Every mount id the walks touched, in the order first seen.
    const std::vector<std::int32_t>& mounts_touched() const { return mount_order_; }

private:
    std::string root_path_, cwd_path_;
    std::vector<sys::UniqueFd> fds_;  // handles index this
    std::map<std::int32_t, std::size_t> by_mount_;
    std::vector<std::int32_t> mount_order_;
    bool root_opened_ = false, cwd_opened_ = false;
    LookupAnswer root_, cwd_;

    LookupAnswer adopt(sys::UniqueFd fd, int err);
    LookupAnswer open_start(const std::string& path);
};

}  // namespace fdscope::why
