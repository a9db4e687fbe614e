// The kernel's internal single-instance mounts (pipefs, sockfs, anon_inodefs,
// pidfs) are not in mountinfo, but every pipe/socket/anon fd on the machine
// carries their mnt_id in fdinfo. Learning those ids from fdscope's own fds
// lets the scan skip readlink and stat for the most common fds: a socket's
// or pipe's name and inode follow from fdinfo alone.
#pragma once
#include <cstdint>

namespace fdscope::collect {

struct PseudoMount {
    std::int32_t mnt_id = -2;  // -2: unknown, never matches fdinfo's mnt_id
    std::uint64_t dev = 0;
};

struct PseudoMounts {
    PseudoMount pipefs, sockfs, anon_inodefs, pidfs;
};

// Opens a pipe, a socket, an eventfd and a pidfd of our own, reads their
// fdinfo, closes them. Fields stay unknown when something fails.
PseudoMounts learn_pseudo_mounts();

}  // namespace fdscope::collect
