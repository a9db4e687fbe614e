#include "model/fd_requests.hpp"

#include <array>
#include <cstddef>
#include <linux/bpf.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <linux/nsfs.h>
#include <linux/sockios.h>
#include <linux/udmabuf.h>
#include <linux/userfaultfd.h>
#include <linux/vfio.h>
#include <sys/ioctl.h>

namespace fdscope {
namespace {

#define FD_IOCTL(req, kind) FdIoctl{static_cast<std::uint32_t>(req), #req, kind}
#define FD_IOCTL_ARG(req, kind) FdIoctl{static_cast<std::uint32_t>(req), #req, kind, IoctlCloexec::ArgOpenFlags}
#define FD_IOCTL_STRUCT(req, kind, type, field, bit)                                                          \
    FdIoctl {                                                                                                 \
        static_cast<std::uint32_t>(req), #req, kind, IoctlCloexec::ArgStructU32,                              \
            static_cast<std::uint8_t>(offsetof(type, field)), bit                                             \
    }

// Each driver's own install call decides "Always": kvm_dev_ioctl_create_vm,
// kvm_vm_ioctl_create_vcpu and the stats fd, open_related_ns (nsfs, SIOCGSKNS,
// TUNGETDEVNETNS) and vfio all pass O_CLOEXEC.
constexpr std::array kFdIoctls = {
    FD_IOCTL(KVM_CREATE_VM, Kind::Anon),
    FD_IOCTL(KVM_CREATE_VCPU, Kind::Anon),
    FD_IOCTL(KVM_GET_STATS_FD, Kind::Anon),
    FD_IOCTL(NS_GET_USERNS, Kind::Unknown),
    FD_IOCTL(NS_GET_PARENT, Kind::Unknown),
    FD_IOCTL(SIOCGSKNS, Kind::Unknown),
    FD_IOCTL(TUNGETDEVNETNS, Kind::Unknown),
    FD_IOCTL(VFIO_GROUP_GET_DEVICE_FD, Kind::Anon),
    FD_IOCTL_ARG(TIOCGPTPEER, Kind::Chr),
    FD_IOCTL_ARG(USERFAULTFD_IOC_NEW, Kind::Userfaultfd),
    FD_IOCTL_STRUCT(UDMABUF_CREATE, Kind::Anon, udmabuf_create, flags, UDMABUF_FLAGS_CLOEXEC),
    FD_IOCTL_STRUCT(UDMABUF_CREATE_LIST, Kind::Anon, udmabuf_create_list, flags, UDMABUF_FLAGS_CLOEXEC),
};

#define FD_BPF(cmd, kind) FdBpfCmd{static_cast<std::uint32_t>(cmd), #cmd, kind}
// BPF_TOKEN_CREATE (6.9) follows BPF_PROG_BIND_MAP in enum bpf_cmd; the
// installed uapi headers may predate it.
constexpr std::uint32_t kBpfTokenCreate = BPF_PROG_BIND_MAP + 1;

constexpr std::array kFdBpfCmds = {
    FD_BPF(BPF_MAP_CREATE, Kind::BpfMap),
    FD_BPF(BPF_PROG_LOAD, Kind::BpfProg),
    FD_BPF(BPF_OBJ_GET, Kind::Unknown),  // a pinned map, program or link
    FD_BPF(BPF_PROG_GET_FD_BY_ID, Kind::BpfProg),
    FD_BPF(BPF_MAP_GET_FD_BY_ID, Kind::BpfMap),
    FD_BPF(BPF_RAW_TRACEPOINT_OPEN, Kind::BpfLink),
    FD_BPF(BPF_BTF_LOAD, Kind::Anon),
    FD_BPF(BPF_BTF_GET_FD_BY_ID, Kind::Anon),
    FD_BPF(BPF_LINK_CREATE, Kind::BpfLink),
    FD_BPF(BPF_LINK_GET_FD_BY_ID, Kind::BpfLink),
    FD_BPF(BPF_ENABLE_STATS, Kind::Anon),
    FD_BPF(BPF_ITER_CREATE, Kind::Anon),
    FdBpfCmd{kBpfTokenCreate, "BPF_TOKEN_CREATE", Kind::Anon},
};

}  // namespace

const FdBpfCmd* fd_bpf_cmd(std::uint64_t cmd) {
    for (const auto& b : kFdBpfCmds)
        if (b.cmd == cmd) return &b;
    return nullptr;
}

const FdIoctl* fd_ioctl(std::uint64_t request) {
    const auto cmd = static_cast<std::uint32_t>(request);
    for (const auto& f : kFdIoctls)
        if (f.request == cmd) return &f;
    return nullptr;
}

std::span<const FdIoctl> fd_ioctls() { return kFdIoctls; }

}  // namespace fdscope
