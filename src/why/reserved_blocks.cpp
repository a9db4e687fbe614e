#include "why/reserved_blocks.hpp"

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "sys/errno_text.hpp"
#include "sys/unique_fd.hpp"

namespace fdscope::why {

std::optional<procfs::Ext4Reserved> read_ext4_reserved(const std::string& device_path, std::string& error) {
    sys::UniqueFd fd(::open(device_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd) {
        error = device_path + ": " + sys::errno_text(errno);
        return std::nullopt;
    }
    std::array<unsigned char, procfs::kExt4SuperSize> buf{};
    ssize_t n;
    while ((n = ::pread(fd.get(), buf.data(), buf.size(), procfs::kExt4SuperOffset)) < 0 && errno == EINTR) {}
    if (n != static_cast<ssize_t>(buf.size())) {
        error = device_path + ": superblock: " + (n < 0 ? sys::errno_text(errno) : std::string("short read"));
        return std::nullopt;
    }
    auto r = procfs::parse_ext4_reserved(buf);
    if (!r) error = device_path + ": no ext2/3/4 superblock";
    return r;
}

void gather_reserved_blocks(MountFacts& mount, std::uint64_t dev, std::vector<std::string>& unreadable) {
    if (mount.fstype != "ext4" && mount.fstype != "ext3" && mount.fstype != "ext2") return;
    const std::string by_number = "/dev/block/" + std::to_string(major(dev)) + ":" + std::to_string(minor(dev));
    std::string error;
    auto r = read_ext4_reserved(by_number, error);
    if (!r && !mount.source.empty() && mount.source.front() == '/') {
        std::string second;
        r = read_ext4_reserved(mount.source, second);
        if (!r) error += "; " + second;
    }
    if (!r) {
        unreadable.push_back("reserved blocks of " + mount.mount_point + ": " + error);
        return;
    }
    mount.reserved_uid = r->resuid;
    mount.reserved_gid = r->resgid;
}

}  // namespace fdscope::why
