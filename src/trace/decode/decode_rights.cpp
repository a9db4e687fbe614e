// The control data is the tracee's: msg_controllen and every cmsg_len may
// lie. Reads stop at the plan's size, the walk at the bytes read, and each
// step moves forward, so a hostile msghdr costs at most a few KiB of
// copying and a few hundred steps.
#include "trace/decode/decode_rights.hpp"

#include <algorithm>
#include <asm/unistd_64.h>
#include <cstring>
#include <sys/socket.h>

namespace fdscope::trace {
namespace {

// The x86_64 layouts the tracee's memory has (this build's own).
static_assert(sizeof(msghdr) == 56 && sizeof(mmsghdr) == 64 && sizeof(cmsghdr) == 16);

std::int32_t as_fd(std::uint64_t v) { return static_cast<std::int32_t>(static_cast<std::uint32_t>(v)); }

struct Message {
    std::int32_t socket = -1;
    std::uint64_t flags = 0;  // the call's flags argument
    std::int64_t ret = 0;
};

void rights_of(const msghdr& h, const Message& m, std::size_t cap, PlannedMemory& memory,
               std::vector<FdEvent>& out) {
    const auto control = reinterpret_cast<std::uintptr_t>(h.msg_control);
    if (control == 0 || h.msg_controllen < sizeof(cmsghdr)) return;
    const std::size_t len = std::min<std::size_t>(h.msg_controllen, cap);
    memory.allow(control, len);
    std::vector<std::byte> buf(len);
    if (!memory.read(control, buf)) return;
    const std::uint64_t flags = m.flags | (static_cast<unsigned>(h.msg_flags) & MSG_CTRUNC);
    for (std::size_t off = 0; off + sizeof(cmsghdr) <= len;) {
        cmsghdr c;
        std::memcpy(&c, buf.data() + off, sizeof c);
        if (c.cmsg_len < sizeof(cmsghdr)) break;
        const std::size_t avail = std::min<std::size_t>(c.cmsg_len, len - off);
        if (c.cmsg_level == SOL_SOCKET && c.cmsg_type == SCM_RIGHTS && avail >= CMSG_LEN(0)) {
            const std::size_t n = (avail - CMSG_LEN(0)) / sizeof(std::int32_t);
            for (std::size_t i = 0; i < n; ++i) {
                std::int32_t fd;
                std::memcpy(&fd, buf.data() + off + CMSG_LEN(0) + i * sizeof fd, sizeof fd);
                FdEvent& e = out.emplace_back();
                e.op = Op::RecvmsgRights;
                e.fd = fd;
                e.fd2 = m.socket;
                e.flags = flags;
                e.cloexec = m.flags & MSG_CMSG_CLOEXEC;
                e.result = m.ret;
            }
        }
        if (c.cmsg_len > len - off) break;  // ran past what was read
        off += CMSG_ALIGN(c.cmsg_len);
    }
}

}  // namespace

void decode_rights(const SyscallCall& call, std::int64_t ret, PlannedMemory& memory, std::vector<FdEvent>& out) {
    const auto& a = call.args;
    if (call.nr == __NR_recvmsg) {
        const Capture* plan = memory.entry(CaptureKind::MsgControl, 1);
        if (!plan) return;
        if (auto h = memory.at<msghdr>(a[1])) rights_of(*h, {as_fd(a[0]), a[2], ret}, plan->size, memory, out);
        return;
    }
    const Capture* plan = memory.entry(CaptureKind::MmsgControl, 1);
    if (!plan || ret <= 0) return;
    // recvmmsg returns how many messages it filled, the first ones.
    const std::uint64_t count = std::min<std::uint64_t>({static_cast<std::uint64_t>(ret), a[2], kMaxMmsgMessages});
    for (std::uint64_t i = 0; i < count; ++i) {
        auto h = memory.at<mmsghdr>(a[1] + i * sizeof(mmsghdr));
        if (!h) break;
        rights_of(h->msg_hdr, {as_fd(a[0]), a[3], ret}, plan->size, memory, out);
    }
}

}  // namespace fdscope::trace
