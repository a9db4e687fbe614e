#include "report/describe.hpp"

#include <csignal>
#include <cstring>
#include <ctime>
#include <fmt/format.h>
#include <sys/sysmacros.h>

namespace fdscope::report {

bool is_connected(const SocketInfo& sock) {
    return !sock.remote.empty() && sock.remote != "*:*" && !sock.remote.ends_with(":0");
}

std::string display_name(const OpenFile& f, const SocketInfo* sock) {
    std::string buf;
    std::string_view name = name_of(f, buf);
    if (sock) {
        std::string s;
        if (f.kind == Kind::Unix) {
            s = sock->local.empty() ? std::string(name) : sock->local;
        } else if (f.kind == Kind::Netlink || f.kind == Kind::Packet) {
            s = name;
        } else {
            s = sock->local;
            if (is_connected(*sock)) s += " -> " + sock->remote;
        }
        if (!sock->state.empty()) {
            s += " (";
            s += sock->state;
            s += ')';
        }
        return s;
    }
    std::string s(name);
    if (f.deleted) s += " (deleted)";
    return s;
}

std::string clock_name(int clockid) {
    switch (clockid) {
        case CLOCK_REALTIME: return "realtime";
        case CLOCK_MONOTONIC: return "monotonic";
        case CLOCK_BOOTTIME: return "boottime";
        case CLOCK_REALTIME_ALARM: return "realtime-alarm";
        case CLOCK_BOOTTIME_ALARM: return "boottime-alarm";
    }
    return std::to_string(clockid);
}

std::string signal_names(std::uint64_t mask) {
    std::string out;
    for (int sig = 1; sig <= 64; ++sig) {
        if (!(mask & (1ULL << (sig - 1)))) continue;
        if (!out.empty()) out += ',';
        // glibc reserves 32 and 33 below SIGRTMIN: they have no name.
        const char* abbrev = sig < SIGRTMIN ? sigabbrev_np(sig) : nullptr;
        if (abbrev) out += std::string("SIG") + abbrev;
        else if (sig < SIGRTMIN) out += fmt::format("SIG{}", sig);
        else if (sig == SIGRTMIN) out += "SIGRTMIN";
        else out += fmt::format("SIGRTMIN+{}", sig - SIGRTMIN);
    }
    return out;
}

std::string detail_text(const FdDetail& d) {
    std::string s;
    auto add = [&](const std::string& part) {
        if (!s.empty()) s += ' ';
        s += part;
    };
    if (d.eventfd_count >= 0) add(fmt::format("count={}", d.eventfd_count));
    if (d.eventfd_id >= 0) add(fmt::format("id={}", d.eventfd_id));
    if (!d.epoll_targets.empty()) {
        std::string t = "tfd=";
        for (std::size_t i = 0; i < d.epoll_targets.size(); ++i)
            t += (i ? "," : "") + std::to_string(d.epoll_targets[i].tfd);
        add(t);
    }
    if (!d.inotify_watches.empty()) {
        std::string t = "watch-inodes=";
        for (std::size_t i = 0; i < d.inotify_watches.size(); ++i)
            t += (i ? "," : "") + std::to_string(d.inotify_watches[i].inode);
        add(t);
    }
    if (d.signalfd_mask != -1) add("mask=" + signal_names(static_cast<std::uint64_t>(d.signalfd_mask)));
    if (d.timerfd_clockid >= 0) add("clock=" + clock_name(d.timerfd_clockid));
    if (d.pidfd_pid >= -1) add(d.pidfd_pid == -1 ? std::string("pid=exited") : fmt::format("pid={}", d.pidfd_pid));
    if (d.scm_fds > 0) add(fmt::format("queued-fds={}", d.scm_fds));
    if (d.io_uring_files > 0) add(fmt::format("registered-files={}", d.io_uring_files));
    return s;
}

std::string dev_text(std::uint64_t dev) { return fmt::format("{}:{}", major(dev), minor(dev)); }

std::string user_name(const Snapshot& snap, uid_t uid) {
    auto it = snap.users.find(uid);
    return it == snap.users.end() ? std::to_string(uid) : it->second;
}

}  // namespace fdscope::report
