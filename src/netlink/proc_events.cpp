#include "netlink/proc_events.hpp"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <libmnl/libmnl.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace fdscope::netlink {
namespace {

// struct proc_input of <linux/cn_proc.h> since Linux 6.6: a subscription
// with an event filter. The uapi headers this builds against may predate
// it; the layout is the kernel's ABI.
struct ProcInput {
    std::uint32_t mcast_op;    // PROC_CN_MCAST_LISTEN
    std::uint32_t event_type;  // a mask of PROC_EVENT_*
};
// Values of proc_event's `what` (the ABI; older headers scope the enum
// inside the struct, newer ones name it proc_cn_event).
constexpr std::uint32_t kEventExec = 0x00000002, kEventComm = 0x00000200;
constexpr std::uint32_t kWanted = kEventExec | kEventComm;

// Enough for a queue of events between two ticks on a machine that execs
// a lot; the kernel caps it (SO_RCVBUFFORCE needs CAP_NET_ADMIN).
constexpr int kReceiveBuffer = 4 << 20;

}  // namespace

std::optional<ProcEvent> parse_proc_event(const void* payload, std::size_t len) {
    if (len < sizeof(cn_msg)) return std::nullopt;
    cn_msg msg;
    std::memcpy(&msg, payload, sizeof msg);
    if (msg.id.idx != CN_IDX_PROC || msg.id.val != CN_VAL_PROC) return std::nullopt;
    // The event up to the union and the two pids every kind starts with.
    constexpr std::size_t kHead = offsetof(proc_event, event_data) + 2 * sizeof(__kernel_pid_t);
    if (msg.len < kHead || len < sizeof(cn_msg) + kHead) return std::nullopt;
    proc_event ev;
    std::memset(&ev, 0, sizeof ev);
    std::memcpy(&ev, static_cast<const char*>(payload) + sizeof(cn_msg), std::min<std::size_t>(msg.len, sizeof ev));
    ProcEvent out;
    switch (static_cast<std::uint32_t>(ev.what)) {
        case kEventExec:
            out.what = ProcEvent::What::Exec;
            out.tgid = ev.event_data.exec.process_tgid;
            break;
        case kEventComm:
            out.what = ProcEvent::What::Comm;
            out.tgid = ev.event_data.comm.process_tgid;
            break;
        default:
            break;
    }
    return out;
}

ProcEvents::~ProcEvents() { close(); }

void ProcEvents::close() {
    if (nl_) mnl_socket_close(nl_);
    nl_ = nullptr;
}

bool ProcEvents::open() {
    close();
    nl_ = mnl_socket_open2(NETLINK_CONNECTOR, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (!nl_) return false;
    if (mnl_socket_bind(nl_, CN_IDX_PROC, MNL_SOCKET_AUTOPID) < 0) {
        close();
        return false;
    }
    const int fd = mnl_socket_get_fd(nl_);
    int size = kReceiveBuffer;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    buf_.assign(static_cast<std::size_t>(MNL_SOCKET_BUFFER_SIZE), 0);

    char req[static_cast<std::size_t>(MNL_SOCKET_BUFFER_SIZE)];
    nlmsghdr* nlh = mnl_nlmsg_put_header(req);
    nlh->nlmsg_type = NLMSG_DONE;
    nlh->nlmsg_pid = mnl_socket_get_portid(nl_);
    auto* msg = static_cast<cn_msg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(cn_msg) + sizeof(ProcInput)));
    msg->id.idx = CN_IDX_PROC;
    msg->id.val = CN_VAL_PROC;
    msg->len = sizeof(ProcInput);
    const ProcInput in{PROC_CN_MCAST_LISTEN, kWanted};
    std::memcpy(msg->data, &in, sizeof in);
    if (mnl_socket_sendto(nl_, nlh, nlh->nlmsg_len) < 0) {
        close();
        return false;
    }
    // The proof: rename this thread to its own name. The kernel queues the
    // comm event before prctl returns, if it sends us events at all.
    char name[17] = {};
    if (prctl(PR_GET_NAME, name) != 0 || prctl(PR_SET_NAME, name) != 0) {
        close();
        return false;
    }
    std::vector<pid_t> seen;
    const pid_t self = getpid();
    drain(seen);
    for (pid_t pid : seen)
        if (pid == self) return true;
    close();
    return false;
}

bool ProcEvents::drain(std::vector<pid_t>& pids) {
    if (!nl_) return true;
    bool complete = true;
    for (;;) {
        const ssize_t n = mnl_socket_recvfrom(nl_, buf_.data(), buf_.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ENOBUFS) {  // overflowed: some events are gone, later ones follow
                complete = false;
                continue;
            }
            return complete;  // EAGAIN: nothing more queued
        }
        int left = static_cast<int>(n);
        for (auto* nlh = reinterpret_cast<const nlmsghdr*>(buf_.data()); mnl_nlmsg_ok(nlh, left);
             nlh = mnl_nlmsg_next(nlh, &left)) {
            const auto ev = parse_proc_event(mnl_nlmsg_get_payload(nlh), mnl_nlmsg_get_payload_len(nlh));
            if (ev && ev->what != ProcEvent::What::Other) pids.push_back(ev->tgid);
        }
    }
}

}  // namespace fdscope::netlink
