// NETLINK_SOCK_DIAG reader (libmnl), one dump per family, and the
// namespace walk around it.
//
// Families and requests (what `ss -a` sends):
//   tcp, udp     inet_diag_req_v2, AF_INET/AF_INET6, every state but
//                TIME-WAIT (timewait and request sockets have no inode).
//   raw          sdiag_protocol = IPPROTO_RAW selects raw_diag, plus the
//                INET_DIAG_REQ_PROTOCOL attribute; raw_diag's dump ignores
//                sdiag_raw_protocol (only its dump_one uses it), so every raw
//                protocol comes back; the protocol of each socket is the
//                INET_DIAG_PROTOCOL reply attribute (or the local "port").
//   mptcp        INET_DIAG_REQ_PROTOCOL = IPPROTO_MPTCP; an extra, quietly
//                skipped on kernels without it (no /proc table to fall back to).
//                Its subflows are TCP sockets grafted onto the MPTCP socket's
//                inode, so the MPTCP entry (kind tcp/tcp6, protocol 262)
//                replaces what the tcp dump said of that inode.
//   unix         unix_diag_req, all states, NAME|VFS|PEER|RQLEN.
//   netlink      netlink_diag_req, NDIAG_PROTO_ALL, MEMINFO.
//   packet       packet_diag_req, INFO|MEMINFO.
// A dump can fail as an NLMSG_ERROR reply (no handler for the family) or as
// an NLMSG_DONE carrying a negative errno (inet_diag without a handler for
// the protocol); libmnl's default DONE handler ignores the latter, so both
// control messages are handled here.
//
// Cost: one 64 KiB receive buffer per namespace (the kernel fills at most
// 32 KiB per datagram), messages parsed in place, the map reserved from
// /proc/thread-self/net/sockstat ("sockets: used N") before the dumps.
// Kernel socket cookies in the replies are never read.
//
// Not in any table, so absent from the map: TCP/UDP sockets never bound nor
// connected, netlink sockets never bound, sockets of other families (vsock,
// AF_ALG, ...). Families without diag support on this kernel are read from
// /proc/thread-self/net/<table> instead, with a note.
#include "netlink/sock_diag.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/netlink_diag.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <string_view>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <thread>
#include <unistd.h>
#include <unordered_set>

#include "netlink/proc_net.hpp"
#include "netlink/sock_format.hpp"
#include "sys/errno_text.hpp"
#include "sys/proc_io.hpp"
#include "sys/unique_fd.hpp"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

namespace fdscope::netlink {
namespace {

enum class Fam { Tcp4, Tcp6, Udp4, Udp6, Raw4, Raw6, Mptcp4, Mptcp6, Unix, Netlink, Packet };

struct FamSpec {
    Fam fam;
    const char* name;   // for notes
    const char* table;  // /proc/net file to fall back to, nullptr if none
    Kind kind;
    int family;         // AF_*
    int protocol;       // inet: IPPROTO_*
};

constexpr FamSpec kFams[] = {
    {Fam::Tcp4, "tcp", "tcp", Kind::Tcp, AF_INET, IPPROTO_TCP},
    {Fam::Tcp6, "tcp6", "tcp6", Kind::Tcp6, AF_INET6, IPPROTO_TCP},
    {Fam::Udp4, "udp", "udp", Kind::Udp, AF_INET, IPPROTO_UDP},
    {Fam::Udp6, "udp6", "udp6", Kind::Udp6, AF_INET6, IPPROTO_UDP},
    {Fam::Raw4, "raw", "raw", Kind::Raw, AF_INET, IPPROTO_RAW},
    {Fam::Raw6, "raw6", "raw6", Kind::Raw6, AF_INET6, IPPROTO_RAW},
    {Fam::Mptcp4, "mptcp", nullptr, Kind::Tcp, AF_INET, IPPROTO_MPTCP},
    {Fam::Mptcp6, "mptcp6", nullptr, Kind::Tcp6, AF_INET6, IPPROTO_MPTCP},
    {Fam::Unix, "unix", "unix", Kind::Unix, AF_UNIX, 0},
    {Fam::Netlink, "netlink", "netlink", Kind::Netlink, AF_NETLINK, 0},
    {Fam::Packet, "packet", "packet", Kind::Packet, AF_PACKET, 0},
};

// What the data callbacks need; one per dump.
struct Ctx {
    const FamSpec* spec;
    std::uint64_t netns;
    SocketMap* out;
    // Packet sockets: ifindex → name, resolved once per dump.
    std::vector<std::pair<std::uint32_t, std::string>> ifnames;
};

// Collects attributes of types 0..max into tb (the last one of a type wins).
template <int Max>
int attr_cb(const nlattr* a, void* data) {
    auto* tb = static_cast<const nlattr**>(data);
    int type = mnl_attr_get_type(a);
    if (type >= 0 && type <= Max) tb[type] = a;
    return MNL_CB_OK;
}

template <class T>
bool payload(const nlmsghdr* nlh, T& out) {
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(T)) return false;
    std::memcpy(&out, mnl_nlmsg_get_payload(nlh), sizeof(T));
    return true;
}

std::uint32_t meminfo(const nlattr* a, std::size_t index) {
    if (!a || mnl_attr_get_payload_len(a) < (index + 1) * sizeof(std::uint32_t)) return 0;
    std::uint32_t v;
    std::memcpy(&v, static_cast<const char*>(mnl_attr_get_payload(a)) + index * sizeof(v), sizeof v);
    return v;
}

int inet_cb(const nlmsghdr* nlh, void* data) {
    auto& ctx = *static_cast<Ctx*>(data);
    inet_diag_msg m;
    if (!payload(nlh, m) || m.idiag_inode == 0) return MNL_CB_OK;
    if (m.idiag_family != AF_INET && m.idiag_family != AF_INET6) return MNL_CB_OK;
    const int proto = ctx.spec->protocol;
    auto [it, fresh] = ctx.out->try_emplace(m.idiag_inode);
    // MPTCP grafts its TCP subflows onto the MPTCP socket's inode, so the
    // tcp dump has already listed that inode as plain TCP: the MPTCP
    // socket's own entry replaces it.
    if (!fresh && proto != IPPROTO_MPTCP) return MNL_CB_OK;
    const nlattr* tb[INET_DIAG_MAX + 1] = {};
    mnl_attr_parse(nlh, sizeof m, attr_cb<INET_DIAG_MAX>, tb);

    const bool v6 = m.idiag_family == AF_INET6;
    SocketInfo& s = it->second;
    s = SocketInfo{};
    switch (ctx.spec->fam) {
        case Fam::Udp4: case Fam::Udp6: s.kind = v6 ? Kind::Udp6 : Kind::Udp; break;
        case Fam::Raw4: case Fam::Raw6: s.kind = v6 ? Kind::Raw6 : Kind::Raw; break;
        default: s.kind = v6 ? Kind::Tcp6 : Kind::Tcp; break;
    }
    const bool stream = proto == IPPROTO_TCP || proto == IPPROTO_MPTCP;
    s.state = stream ? fmt::tcp_state_name(m.idiag_state) : fmt::dgram_state_name(m.idiag_state);
    const std::uint16_t sport = ntohs(m.id.idiag_sport), dport = ntohs(m.id.idiag_dport);
    s.local = fmt::format_inet(m.idiag_family, m.id.idiag_src, sport);
    s.remote = fmt::format_inet_remote(m.idiag_family, m.id.idiag_dst, dport);
    s.family = m.idiag_family;
    s.local_port = sport;
    s.remote_port = dport;
    s.netns = ctx.netns;
    s.rqueue = m.idiag_rqueue;  // LISTEN: accept queue now
    s.wqueue = m.idiag_wqueue;  // LISTEN: backlog limit
    s.listening = stream && m.idiag_state == fmt::kListen;
    s.uid = m.idiag_uid;
    if (proto == IPPROTO_RAW) {
        s.type = SOCK_RAW;
        s.protocol = sport;  // inet_num, which for raw sockets is the protocol
        if (tb[INET_DIAG_PROTOCOL] && mnl_attr_get_payload_len(tb[INET_DIAG_PROTOCOL]) >= 1)
            s.protocol = mnl_attr_get_u8(tb[INET_DIAG_PROTOCOL]);
    } else {
        s.type = stream ? SOCK_STREAM : SOCK_DGRAM;
        s.protocol = static_cast<std::uint32_t>(proto);
    }
    return MNL_CB_OK;
}

int unix_cb(const nlmsghdr* nlh, void* data) {
    auto& ctx = *static_cast<Ctx*>(data);
    unix_diag_msg m;
    if (!payload(nlh, m) || m.udiag_ino == 0) return MNL_CB_OK;
    auto [it, fresh] = ctx.out->try_emplace(m.udiag_ino);
    if (!fresh) return MNL_CB_OK;
    const nlattr* tb[UNIX_DIAG_MAX + 1] = {};
    mnl_attr_parse(nlh, sizeof m, attr_cb<UNIX_DIAG_MAX>, tb);

    SocketInfo& s = it->second;
    s.kind = Kind::Unix;
    s.state = fmt::dgram_state_name(m.udiag_state);
    s.listening = m.udiag_state == fmt::kListen;
    s.type = m.udiag_type;
    s.netns = ctx.netns;
    if (const nlattr* a = tb[UNIX_DIAG_NAME])
        s.local = fmt::format_unix_name(static_cast<const char*>(mnl_attr_get_payload(a)), mnl_attr_get_payload_len(a));
    if (const nlattr* a = tb[UNIX_DIAG_PEER]; a && mnl_attr_get_payload_len(a) >= 4) s.peer_inode = mnl_attr_get_u32(a);
    if (const nlattr* a = tb[UNIX_DIAG_VFS]; a && mnl_attr_get_payload_len(a) >= sizeof(unix_diag_vfs)) {
        unix_diag_vfs v;
        std::memcpy(&v, mnl_attr_get_payload(a), sizeof v);
        // The kernel's own dev_t (20 minor bits), not the one stat gives.
        s.vfs_dev = makedev(v.udiag_vfs_dev >> 20, v.udiag_vfs_dev & 0xfffffu);
        s.vfs_ino = v.udiag_vfs_ino;
    }
    if (const nlattr* a = tb[UNIX_DIAG_RQLEN]; a && mnl_attr_get_payload_len(a) >= sizeof(unix_diag_rqlen)) {
        unix_diag_rqlen q;
        std::memcpy(&q, mnl_attr_get_payload(a), sizeof q);
        s.rqueue = q.udiag_rqueue;  // LISTEN: accept queue now; else bytes queued
        s.wqueue = q.udiag_wqueue;  // LISTEN: backlog limit
    }
    return MNL_CB_OK;
}

int netlink_cb(const nlmsghdr* nlh, void* data) {
    auto& ctx = *static_cast<Ctx*>(data);
    netlink_diag_msg m;
    if (!payload(nlh, m) || m.ndiag_ino == 0) return MNL_CB_OK;
    auto [it, fresh] = ctx.out->try_emplace(m.ndiag_ino);
    if (!fresh) return MNL_CB_OK;
    const nlattr* tb[NETLINK_DIAG_MAX + 1] = {};
    mnl_attr_parse(nlh, sizeof m, attr_cb<NETLINK_DIAG_MAX>, tb);

    SocketInfo& s = it->second;
    s.kind = Kind::Netlink;
    s.state = "UNCONN";  // as ss prints every netlink socket
    s.local = std::to_string(m.ndiag_portid);
    if (m.ndiag_state == 1 /* NETLINK_CONNECTED */) s.remote = std::to_string(m.ndiag_dst_portid);
    s.netns = ctx.netns;
    s.protocol = m.ndiag_protocol;
    s.type = m.ndiag_type;
    s.rqueue = meminfo(tb[NETLINK_DIAG_MEMINFO], SK_MEMINFO_RMEM_ALLOC);
    s.wqueue = meminfo(tb[NETLINK_DIAG_MEMINFO], SK_MEMINFO_WMEM_ALLOC);
    return MNL_CB_OK;
}

const std::string& ifname(Ctx& ctx, std::uint32_t index) {
    for (const auto& [i, name] : ctx.ifnames)
        if (i == index) return name;
    char buf[IF_NAMESIZE] = {};
    // Resolved in the calling thread's namespace, which is the dumped one.
    std::string name = if_indextoname(index, buf) ? std::string(buf) : std::to_string(index);
    ctx.ifnames.emplace_back(index, std::move(name));
    return ctx.ifnames.back().second;
}

int packet_cb(const nlmsghdr* nlh, void* data) {
    auto& ctx = *static_cast<Ctx*>(data);
    packet_diag_msg m;
    if (!payload(nlh, m) || m.pdiag_ino == 0) return MNL_CB_OK;
    auto [it, fresh] = ctx.out->try_emplace(m.pdiag_ino);
    if (!fresh) return MNL_CB_OK;
    const nlattr* tb[PACKET_DIAG_MAX + 1] = {};
    mnl_attr_parse(nlh, sizeof m, attr_cb<PACKET_DIAG_MAX>, tb);

    std::uint32_t index = 0;
    if (const nlattr* a = tb[PACKET_DIAG_INFO]; a && mnl_attr_get_payload_len(a) >= sizeof(packet_diag_info)) {
        packet_diag_info info;
        std::memcpy(&info, mnl_attr_get_payload(a), sizeof info);
        index = info.pdi_index;
    }
    SocketInfo& s = it->second;
    s.kind = Kind::Packet;
    s.state = "UNCONN";
    // pdiag_num is already host order (the kernel applies ntohs).
    s.local = fmt::format_packet_local(index ? std::string_view(ifname(ctx, index)) : std::string_view(), m.pdiag_num);
    s.netns = ctx.netns;
    s.protocol = m.pdiag_num;
    s.type = m.pdiag_type;
    s.rqueue = meminfo(tb[PACKET_DIAG_MEMINFO], SK_MEMINFO_RMEM_ALLOC);
    s.wqueue = meminfo(tb[PACKET_DIAG_MEMINFO], SK_MEMINFO_WMEM_ALLOC);
    return MNL_CB_OK;
}

int ctl_ok(const nlmsghdr*, void*) { return MNL_CB_OK; }

int ctl_error(const nlmsghdr* nlh, void*) {
    nlmsgerr e;
    if (!payload(nlh, e)) {
        errno = EBADMSG;
        return MNL_CB_ERROR;
    }
    if (e.error == 0) return MNL_CB_STOP;  // an ACK
    errno = e.error < 0 ? -e.error : e.error;
    return MNL_CB_ERROR;
}

int ctl_done(const nlmsghdr* nlh, void*) {
    int err = 0;
    if (payload(nlh, err) && err < 0) {
        errno = -err;
        return MNL_CB_ERROR;
    }
    return MNL_CB_STOP;
}

// Not const: libmnl 1.0.4 declares the parameter as mnl_cb_t*.
mnl_cb_t kCtl[NLMSG_MIN_TYPE] = {
    nullptr, ctl_ok /* NOOP */, ctl_error /* ERROR */, ctl_done /* DONE */, ctl_ok /* OVERRUN */,
};

// One NETLINK_SOCK_DIAG socket. After a failed dump the socket is reopened:
// unread replies of the failed request would otherwise confuse the next one.
class DiagSocket {
public:
    DiagSocket() : buf_(64 * 1024) {}
    ~DiagSocket() { close(); }
    DiagSocket(const DiagSocket&) = delete;
    DiagSocket& operator=(const DiagSocket&) = delete;

    // Returns 0 or an errno.
    int open() {
        close();
        nl_ = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
        if (!nl_) return errno ? errno : EIO;
        if (mnl_socket_bind(nl_, 0, MNL_SOCKET_AUTOPID) < 0) {
            int err = errno;
            close();
            return err ? err : EIO;
        }
        // A namespace whose kernel never answers must not hang the scan.
        timeval tv{10, 0};
        setsockopt(mnl_socket_get_fd(nl_), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        portid_ = mnl_socket_get_portid(nl_);
        return 0;
    }
    void close() {
        if (nl_) mnl_socket_close(nl_);
        nl_ = nullptr;
    }
    bool is_open() const { return nl_ != nullptr; }

    // Sends the request (seq is filled in) and feeds every reply to cb.
    // Returns 0 or an errno (EINTR: the kernel flagged the dump inconsistent).
    int dump(nlmsghdr* req, mnl_cb_t cb, Ctx& ctx) {
        if (!nl_) return EBADF;
        req->nlmsg_seq = ++seq_;
        if (mnl_socket_sendto(nl_, req, req->nlmsg_len) < 0) return errno ? errno : EIO;
        for (;;) {
            ssize_t n = mnl_socket_recvfrom(nl_, buf_.data(), buf_.size());
            if (n < 0) {
                if (errno == EINTR) continue;  // a signal, not NLM_F_DUMP_INTR
                return errno ? errno : EIO;
            }
            errno = 0;
            int r = mnl_cb_run2(buf_.data(), static_cast<std::size_t>(n), seq_, portid_, cb, &ctx, kCtl,
                                NLMSG_MIN_TYPE);
            if (r == MNL_CB_ERROR) return errno ? errno : EIO;
            if (r == MNL_CB_STOP) return 0;
        }
    }

private:
    mnl_socket* nl_ = nullptr;
    unsigned portid_ = 0;
    unsigned seq_ = 0;
    std::vector<char> buf_;
};

// Builds the request of one family into buf; returns the header.
nlmsghdr* build_request(const FamSpec& f, char* buf) {
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    switch (f.fam) {
        case Fam::Unix: {
            auto* r = static_cast<unix_diag_req*>(mnl_nlmsg_put_extra_header(nlh, sizeof(unix_diag_req)));
            r->sdiag_family = AF_UNIX;
            r->udiag_states = ~0u;
            r->udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN;
            break;
        }
        case Fam::Netlink: {
            auto* r = static_cast<netlink_diag_req*>(mnl_nlmsg_put_extra_header(nlh, sizeof(netlink_diag_req)));
            r->sdiag_family = AF_NETLINK;
            r->sdiag_protocol = NDIAG_PROTO_ALL;
            r->ndiag_show = NDIAG_SHOW_MEMINFO;
            break;
        }
        case Fam::Packet: {
            auto* r = static_cast<packet_diag_req*>(mnl_nlmsg_put_extra_header(nlh, sizeof(packet_diag_req)));
            r->sdiag_family = AF_PACKET;
            r->pdiag_show = PACKET_SHOW_INFO | PACKET_SHOW_MEMINFO;
            break;
        }
        default: {
            auto* r = static_cast<inet_diag_req_v2*>(mnl_nlmsg_put_extra_header(nlh, sizeof(inet_diag_req_v2)));
            r->sdiag_family = static_cast<__u8>(f.family);
            // Every state but TIME-WAIT: timewait sockets have no inode.
            r->idiag_states = ~0u & ~(1u << fmt::kTimeWait);
            if (f.protocol == IPPROTO_MPTCP) {
                // Only the attribute can carry 262; a kernel that does not
                // know it finds no handler for protocol 0 and says ENOENT.
                r->sdiag_protocol = 0;
                mnl_attr_put_u32(nlh, INET_DIAG_REQ_PROTOCOL, IPPROTO_MPTCP);
            } else {
                r->sdiag_protocol = static_cast<__u8>(f.protocol);
                if (f.protocol == IPPROTO_RAW) {
                    // sdiag_raw_protocol (the pad byte) only filters dump_one.
                    r->pad = IPPROTO_RAW;
                    mnl_attr_put_u32(nlh, INET_DIAG_REQ_PROTOCOL, IPPROTO_RAW);
                }
            }
            break;
        }
    }
    return nlh;
}

mnl_cb_t callback_for(Fam f) {
    switch (f) {
        case Fam::Unix: return unix_cb;
        case Fam::Netlink: return netlink_cb;
        case Fam::Packet: return packet_cb;
        default: return inet_cb;
    }
}

// Parses one table under dirfd into out; returns 0 or an errno.
int read_table(int dirfd, const char* table, Kind kind, std::uint64_t netns, SocketMap& out, std::string& text) {
    if (int err = sys::read_file_at(dirfd, table, text, sys::ReadMode::Stream)) return err;
    switch (kind) {
        case Kind::Unix: parse_proc_net_unix(text, netns, out); break;
        case Kind::Netlink: parse_proc_net_netlink(text, netns, out); break;
        case Kind::Packet: parse_proc_net_packet(text, netns, out); break;
        default: parse_proc_net_inet(text, kind, netns, out); break;
    }
    return 0;
}

std::string ns_label(std::uint64_t netns) { return "netns " + std::to_string(netns) + ": "; }

// "sockets: used N" of the calling thread's namespace, 0 if unknown.
std::size_t sockets_in_use() {
    std::string text;
    if (sys::read_file_at(AT_FDCWD, "/proc/thread-self/net/sockstat", text, sys::ReadMode::Stream)) return 0;
    constexpr std::string_view key = "sockets: used ";
    auto pos = text.find(key);
    if (pos == std::string::npos) return 0;
    std::size_t n = 0;
    for (pos += key.size(); pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos)
        n = std::min<std::size_t>(n * 10 + static_cast<std::size_t>(text[pos] - '0'), std::size_t{1} << 22);
    return n;
}

std::uint64_t ns_inode_of(const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return 0;
    return st.st_ino;
}

bool dump_impl(std::uint64_t netns, SocketMap& out, DiagReport& report) {
    DiagSocket sock;
    if (int err = sock.open()) {
        report.notes.push_back(ns_label(netns) + "sock_diag socket: " + sys::errno_text(err));
        return false;
    }
    out.reserve(out.size() + sockets_in_use() + 64);
    alignas(nlmsghdr) char req[256];
    std::string text;
    for (const FamSpec& f : kFams) {
        Ctx ctx{&f, netns, &out, {}};
        int err = 0;
        // NLM_F_DUMP_INTR (EINTR) means the table changed under the dump:
        // what arrived is kept (inserts are by inode) and the dump redone.
        for (int attempt = 0; attempt < 3; ++attempt) {
            if (!sock.is_open() && (err = sock.open()) != 0) break;
            err = sock.dump(build_request(f, req), callback_for(f.fam), ctx);
            if (err == 0) break;
            sock.close();
            if (err != EINTR) break;
        }
        if (err == 0) continue;
        if (!f.table) {
            // MPTCP: nothing to fall back to; a kernel without it is normal.
            if (err != ENOENT && err != EOPNOTSUPP && err != EINVAL)
                report.notes.push_back(ns_label(netns) + f.name + " sock_diag: " + sys::errno_text(err));
            continue;
        }
        std::string note = ns_label(netns) + f.name + " sock_diag failed (" + sys::errno_text(err) +
                           "); read /proc/thread-self/net/" + f.table;
        const std::string path = std::string("/proc/thread-self/net/") + f.table;
        if (int perr = read_table(AT_FDCWD, path.c_str(), f.kind, netns, out, text))
            note += " failed too (" + sys::errno_text(perr) + ")";
        report.notes.push_back(std::move(note));
    }
    return true;
}

bool read_tables(int dirfd, const std::string& dir, std::uint64_t netns, SocketMap& out, DiagReport& report) {
    std::string text;
    bool any = false;
    for (const FamSpec& f : kFams) {
        if (!f.table) continue;
        int err = read_table(dirfd, f.table, f.kind, netns, out, text);
        if (err == 0) {
            any = true;
        } else if (err != ENOENT || f.kind == Kind::Unix || f.kind == Kind::Tcp) {
            // A missing tcp6 (no IPv6) is not news; a missing tcp or unix is.
            report.notes.push_back(ns_label(netns) + dir + "/" + f.table + ": " + sys::errno_text(err));
        }
    }
    if (!any) report.notes.push_back(ns_label(netns) + "no socket table readable under " + dir);
    return any;
}

// Reads /proc/PID/net/* of a namespace that could not be entered. The
// tables are opened relative to a descriptor of /proc/PID/net: procfs binds
// it to that process (not to the number), so if the process exits the
// reads fail instead of showing a reused pid's namespace. The namespace is
// checked once the directory is held, when /proc/PID/ns/net is readable to
// us (it needs ptrace access; /proc/PID/net does not).
bool procfs_for_pid(const NetnsRef& ref, std::uint64_t netns, SocketMap& out, DiagReport& report) {
    const std::string base = "/proc/" + std::to_string(ref.pid);
    sys::UniqueFd dir(::open((base + "/net").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0) {
        report.notes.push_back(ns_label(netns) + base + "/net: " + sys::errno_text(errno) + "; skipped");
        return false;
    }
    std::uint64_t now = ns_inode_of(base + "/ns/net");
    if (now != 0 && now != netns) {
        report.notes.push_back(ns_label(netns) + "pid " + std::to_string(ref.pid) + " is no longer in it; skipped");
        return false;
    }
    return read_tables(dir.get(), base + "/net", netns, out, report);
}

void visit(const NetnsRef& ref, std::uint64_t self_ns, std::unordered_set<std::uint64_t>& seen, SocketMap& out,
           DiagReport& report) {
    const std::string pid_text = std::to_string(ref.pid);
    std::uint64_t netns = ref.inode;
    if (netns != 0 && netns == self_ns) {
        if (!seen.insert(netns).second) return;
        ++report.namespaces;
        if (dump_impl(netns, out, report)) {
            ++report.via_netlink;
        } else if (read_proc_net_dir("/proc/thread-self/net", netns, out, report)) {
            report.notes.push_back(ns_label(netns) + "read from /proc/thread-self/net");
            ++report.via_procfs;
        }
        return;
    }
    if (ref.pid <= 0) {
        report.notes.push_back(ns_label(netns) + "no process given; skipped");
        return;
    }
    sys::UniqueFd nsfd(::open(("/proc/" + pid_text + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC));
    if (nsfd.get() < 0) {
        int err = errno;
        if (netns != 0 && !seen.insert(netns).second) return;
        ++report.namespaces;
        if (err == ENOENT || err == ESRCH) {
            report.notes.push_back(ns_label(netns) + "pid " + pid_text + " vanished; skipped");
            return;
        }
        report.notes.push_back(ns_label(netns) + "open /proc/" + pid_text + "/ns/net: " + sys::errno_text(err) +
                               "; reading /proc/" + pid_text + "/net");
        if (netns != 0 && procfs_for_pid(ref, netns, out, report)) ++report.via_procfs;
        return;
    }
    struct stat st;
    std::uint64_t actual = fstat(nsfd.get(), &st) == 0 ? st.st_ino : 0;
    if (netns == 0) netns = actual;
    if (actual != netns) {
        if (seen.insert(netns).second) {
            ++report.namespaces;
            report.notes.push_back(ns_label(netns) + "pid " + pid_text + " is no longer in it; skipped");
        }
        return;
    }
    if (netns == self_ns) {  // the ref had no inode and names our own namespace
        visit(NetnsRef{netns, ref.pid}, self_ns, seen, out, report);
        return;
    }
    if (!seen.insert(netns).second) return;
    ++report.namespaces;

    // setns(CLONE_NEWNET) changes only the calling thread, so a helper
    // thread enters the namespace, dumps, and ends; the caller's namespace
    // never changes. The caller waits, so `out` and `report` are not shared
    // concurrently.
    int setns_err = 0;
    bool dumped = false, procfs = false, failed = false;
    try {
        std::thread helper([&] {
            try {
                if (setns(nsfd.get(), CLONE_NEWNET) != 0) {
                    setns_err = errno;
                    return;
                }
                if (dump_impl(netns, out, report)) {
                    dumped = true;
                } else if (read_proc_net_dir("/proc/thread-self/net", netns, out, report)) {
                    procfs = true;
                }
            } catch (...) {
                failed = true;
            }
        });
        helper.join();
    } catch (const std::exception& e) {  // thread creation: EAGAIN and the like
        report.notes.push_back(ns_label(netns) + "helper thread: " + e.what());
        setns_err = EAGAIN;
    }
    if (failed) report.notes.push_back(ns_label(netns) + "reading stopped: out of memory");
    if (dumped) {
        ++report.via_netlink;
        return;
    }
    if (procfs) {
        report.notes.push_back(ns_label(netns) + "read from /proc/thread-self/net");
        ++report.via_procfs;
        return;
    }
    if (setns_err == 0) return;
    report.notes.push_back(ns_label(netns) + "setns: " + sys::errno_text(setns_err) + "; reading /proc/" + pid_text +
                           "/net");
    if (procfs_for_pid(ref, netns, out, report)) ++report.via_procfs;
}

}  // namespace

std::uint64_t current_netns() {
    std::uint64_t ino = ns_inode_of("/proc/thread-self/ns/net");
    return ino ? ino : ns_inode_of("/proc/self/ns/net");
}

bool read_proc_net_dir(const std::string& dir, std::uint64_t netns, SocketMap& out, DiagReport& report) {
    try {
        sys::UniqueFd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (dirfd.get() < 0) {
            report.notes.push_back(ns_label(netns) + dir + ": " + sys::errno_text(errno));
            return false;
        }
        return read_tables(dirfd.get(), dir, netns, out, report);
    } catch (...) {
        try {
            report.notes.push_back(ns_label(netns) + "reading " + dir + " stopped: out of memory");
        } catch (...) {
        }
        return false;
    }
}

bool dump_current_netns(std::uint64_t netns, SocketMap& out, DiagReport& report) {
    try {
        return dump_impl(netns, out, report);
    } catch (...) {
        report.notes.push_back(ns_label(netns) + "sock_diag stopped: out of memory");
        return true;  // a socket was opened; what was read is kept
    }
}

SocketMap collect_sockets(const std::vector<NetnsRef>& namespaces, DiagReport& report) {
    SocketMap out;
    try {
        const std::uint64_t self_ns = current_netns();
        std::unordered_set<std::uint64_t> seen;
        for (const NetnsRef& ref : namespaces) visit(ref, self_ns, seen, out, report);
    } catch (...) {
        try {
            report.notes.push_back("socket collection stopped: out of memory");
        } catch (...) {
        }
    }
    return out;
}

int read_proc_net_tables(const std::string& dir, const std::vector<Kind>& kinds, std::uint64_t netns, SocketMap& out) {
    sys::UniqueFd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dirfd.get() < 0) return errno;
    std::string text;
    int first_err = 0;
    for (const FamSpec& f : kFams) {
        if (!f.table || std::find(kinds.begin(), kinds.end(), f.kind) == kinds.end()) continue;
        int err = read_table(dirfd.get(), f.table, f.kind, netns, out, text);
        if (err && !first_err) first_err = err;
    }
    return first_err;
}

}  // namespace fdscope::netlink
