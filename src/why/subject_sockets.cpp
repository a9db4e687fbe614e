#include "why/subject_sockets.hpp"

#include <unistd.h>

namespace fdscope::why {

netlink::SocketMap subject_sockets(const Subject& subject, std::vector<std::string>& unreadable) {
    netlink::NetnsRef ref;
    if (subject.kind == SubjectKind::Process && subject.pid > 0) {
        ref.pid = subject.pid;
        ref.inode = subject.net_ns;
    } else {
        ref.pid = ::getpid();
        ref.inode = netlink::current_netns();
    }
    netlink::DiagReport report;
    netlink::SocketMap map = netlink::collect_sockets({ref}, report);
    // report.notes say how a table was read when sock_diag could not (the
    // /proc/net fallback): the sockets are there, nothing is missing.
    if (report.via_netlink == 0 && report.via_procfs == 0)
        unreadable.push_back("sockets: the network namespace of pid " + std::to_string(ref.pid) + " could not be read");
    return map;
}

}  // namespace fdscope::why
