#include "report/describe.hpp"

#include <csignal>
#include <ctime>
#include <gtest/gtest.h>
#include <sys/sysmacros.h>

#include "report/model_builders.hpp"

using namespace fdscope;
using namespace fdscope::report;
using namespace fdscope::report::testing;

namespace {
std::uint64_t bit(int sig) { return 1ULL << (sig - 1); }
}  // namespace

// ---------------------------------------------------------------- display_name

TEST(DisplayName, TcpListening) {
    Process p = make_process(1, "nginx");
    auto f = make_file(p, 6, Kind::Tcp, {}, 1234, Mode::ReadWrite);
    auto s = make_socket(Kind::Tcp, "LISTEN", "127.0.0.1:80", "");
    EXPECT_EQ(display_name(f, &s), "127.0.0.1:80 (LISTEN)");
}

TEST(DisplayName, TcpConnected) {
    Process p = make_process(1, "psql");
    auto f = make_file(p, 3, Kind::Tcp, {}, 1235, Mode::ReadWrite);
    auto s = make_socket(Kind::Tcp, "ESTAB", "10.0.0.1:5000", "10.0.0.5:5432");
    EXPECT_EQ(display_name(f, &s), "10.0.0.1:5000 -> 10.0.0.5:5432 (ESTAB)");
    auto s6 = make_socket(Kind::Tcp6, "ESTAB", "[::1]:40000", "[::1]:22");
    auto f6 = make_file(p, 4, Kind::Tcp6, {}, 1236, Mode::ReadWrite);
    EXPECT_EQ(display_name(f6, &s6), "[::1]:40000 -> [::1]:22 (ESTAB)");
    // Remote ports ending in 0 are connected too.
    auto s10 = make_socket(Kind::Tcp, "ESTAB", "10.0.0.1:5000", "10.0.0.5:10");
    EXPECT_EQ(display_name(f, &s10), "10.0.0.1:5000 -> 10.0.0.5:10 (ESTAB)");
}

TEST(DisplayName, UnconnectedRemotesAreNotShown) {
    Process p = make_process(1, "dns");
    auto f = make_file(p, 3, Kind::Udp, {}, 77, Mode::ReadWrite);
    auto any = make_socket(Kind::Udp, "UNCONN", "0.0.0.0:53", "*:*");
    EXPECT_EQ(display_name(f, &any), "0.0.0.0:53 (UNCONN)");
    auto zero = make_socket(Kind::Udp, "UNCONN", "0.0.0.0:53", "0.0.0.0:0");
    EXPECT_EQ(display_name(f, &zero), "0.0.0.0:53 (UNCONN)");
}

TEST(DisplayName, SocketWithoutState) {
    Process p = make_process(1, "x");
    auto f = make_file(p, 3, Kind::Udp, {}, 77, Mode::ReadWrite);
    auto s = make_socket(Kind::Udp, "", "0.0.0.0:53", "");
    EXPECT_EQ(display_name(f, &s), "0.0.0.0:53");
}

TEST(DisplayName, UnixWithPath) {
    Process p = make_process(1, "sshd");
    auto f = make_file(p, 3, Kind::Unix, {}, 5555, Mode::ReadWrite);
    auto s = make_socket(Kind::Unix, "LISTEN", "/run/sshd.sock", "");
    EXPECT_EQ(display_name(f, &s), "/run/sshd.sock (LISTEN)");
    auto abstract = make_socket(Kind::Unix, "ESTAB", "@/tmp/.X11-unix/X0", "");
    EXPECT_EQ(display_name(f, &abstract), "@/tmp/.X11-unix/X0 (ESTAB)");
}

TEST(DisplayName, UnixWithoutPath) {
    Process p = make_process(1, "x");
    auto f = make_file(p, 4, Kind::Unix, {}, 5556, Mode::ReadWrite);
    auto s = make_socket(Kind::Unix, "ESTAB", "", "");
    EXPECT_EQ(display_name(f, &s), "socket:[5556] (ESTAB)");
    // No socket information at all: the readlink-style name.
    EXPECT_EQ(display_name(f, nullptr), "socket:[5556]");
}

TEST(DisplayName, NetlinkUsesTheName) {
    Process p = make_process(1, "systemd");
    auto f = make_file(p, 5, Kind::Netlink, {}, 999, Mode::ReadWrite);
    auto s = make_socket(Kind::Netlink, "UNCONN", "ignored-local", "");
    EXPECT_EQ(display_name(f, &s), "socket:[999] (UNCONN)");
}

TEST(DisplayName, Files) {
    Process p = make_process(1, "x");
    auto file = make_file(p, 3, Kind::File, "/var/log/x");
    EXPECT_EQ(display_name(file, nullptr), "/var/log/x");
    auto gone = make_file(p, 4, Kind::File, "/var/log/old");
    gone.deleted = true;
    EXPECT_EQ(display_name(gone, nullptr), "/var/log/old (deleted)");
    auto weird = make_file(p, 5, Kind::File, "/tmp/a\nb\xff");
    EXPECT_EQ(display_name(weird, nullptr), "/tmp/a\nb\xff");  // raw bytes: the caller escapes
}

TEST(DisplayName, PipeWithEmptyStoredName) {
    Process p = make_process(1, "x");
    auto pipe = make_file(p, 1, Kind::Pipe, {}, 424242, Mode::Write);
    ASSERT_TRUE(pipe.name.empty());
    EXPECT_EQ(display_name(pipe, nullptr), "pipe:[424242]");
    auto named = make_file(p, 2, Kind::Pipe, "pipe:[7]", 7);
    EXPECT_EQ(display_name(named, nullptr), "pipe:[7]");
    // Associations never get a made-up name.
    auto mem = make_assoc(p, Assoc::Mem, {}, Kind::Pipe);
    EXPECT_EQ(display_name(mem, nullptr), "");
}

// ---------------------------------------------------------------- signal_names

TEST(SignalNames, Standard) {
    EXPECT_EQ(signal_names(0), "");
    EXPECT_EQ(signal_names(1ULL << 9), "SIGUSR1");
    EXPECT_EQ(signal_names(bit(SIGUSR1)), "SIGUSR1");
    EXPECT_EQ(signal_names(bit(SIGINT) | bit(SIGTERM)), "SIGINT,SIGTERM");
    EXPECT_EQ(signal_names(bit(SIGHUP)), "SIGHUP");
    EXPECT_EQ(signal_names(bit(SIGCHLD) | bit(SIGHUP) | bit(SIGUSR2)), "SIGHUP,SIGUSR2,SIGCHLD");  // by number
    EXPECT_EQ(signal_names(bit(SIGSYS)), "SIGSYS");
}

TEST(SignalNames, Realtime) {
    ASSERT_EQ(SIGRTMIN, 34) << "glibc reserves two real-time signals; the expectations below assume it";
    EXPECT_EQ(signal_names(bit(35)), "SIGRTMIN+1");
    EXPECT_EQ(signal_names(bit(64)), "SIGRTMIN+30");
    EXPECT_EQ(signal_names(bit(SIGINT) | bit(40)), "SIGINT,SIGRTMIN+6");
    // Current spelling of SIGRTMIN itself (kill -l says "SIGRTMIN").
    EXPECT_EQ(signal_names(bit(34)), "SIGRTMIN");  // as kill -l spells it
}

// Regression test for a fixed bug: signals 32 and 33 are real-time signals for the
// kernel but below glibc's SIGRTMIN (34), and sigabbrev_np() has no name for
// them, so signal_names prints a negative offset: mask 1<<31 gives
// "SIGRTMIN+-2", mask 1<<32 gives "SIGRTMIN+-1". Any sane spelling (e.g.
// "SIG32") is accepted; a "+-" is not.
TEST(SignalNames, SignalsBelowGlibcRtminHaveNoNegativeOffset) {
    for (int sig : {32, 33}) {
        std::string name = signal_names(bit(sig));
        EXPECT_TRUE(name.starts_with("SIG")) << sig << ": " << name;
        EXPECT_EQ(name.find("+-"), std::string::npos) << sig << ": " << name;
        EXPECT_EQ(name.find(','), std::string::npos) << sig << ": " << name;
    }
}

// ---------------------------------------------------------------- clock_name

TEST(ClockName, KnownAndUnknown) {
    EXPECT_EQ(clock_name(CLOCK_REALTIME), "realtime");
    EXPECT_EQ(clock_name(CLOCK_MONOTONIC), "monotonic");
    EXPECT_EQ(clock_name(CLOCK_BOOTTIME), "boottime");
    EXPECT_EQ(clock_name(CLOCK_REALTIME_ALARM), "realtime-alarm");
    EXPECT_EQ(clock_name(CLOCK_BOOTTIME_ALARM), "boottime-alarm");
    EXPECT_EQ(clock_name(0), "realtime");
    EXPECT_EQ(clock_name(1), "monotonic");
    EXPECT_EQ(clock_name(7), "boottime");
    EXPECT_EQ(clock_name(42), "42");
    EXPECT_EQ(clock_name(CLOCK_PROCESS_CPUTIME_ID), "2");
}

// ---------------------------------------------------------------- detail_text

TEST(DetailText, EmptyDetail) { EXPECT_EQ(detail_text(FdDetail{}), ""); }

TEST(DetailText, Eventfd) {
    FdDetail d;
    d.eventfd_count = 7;
    d.eventfd_id = 3;
    EXPECT_EQ(detail_text(d), "count=7 id=3");
    FdDetail zero;
    zero.eventfd_count = 0;
    EXPECT_EQ(detail_text(zero), "count=0");
}

TEST(DetailText, Epoll) {
    FdDetail d;
    d.epoll_targets = {EpollTarget{3, 1, 100}, EpollTarget{5, 4, 101}, EpollTarget{12, 1, 102}};
    EXPECT_EQ(detail_text(d), "tfd=3,5,12");
}

TEST(DetailText, Inotify) {
    FdDetail d;
    d.inotify_watches = {InotifyWatch{1, 1234, 0, 0}, InotifyWatch{2, 98765, 0, 0}};
    EXPECT_EQ(detail_text(d), "watch-inodes=1234,98765");
}

TEST(DetailText, Signalfd) {
    FdDetail d;
    d.signalfd_mask = static_cast<std::int64_t>(bit(SIGINT) | bit(SIGTERM));
    EXPECT_EQ(detail_text(d), "mask=SIGINT,SIGTERM");
    FdDetail empty_mask;
    empty_mask.signalfd_mask = 0;
    EXPECT_EQ(detail_text(empty_mask), "mask=");
}

TEST(DetailText, TimerfdAndPidfd) {
    FdDetail t;
    t.timerfd_clockid = CLOCK_MONOTONIC;
    EXPECT_EQ(detail_text(t), "clock=monotonic");
    FdDetail live;
    live.pidfd_pid = 1234;
    EXPECT_EQ(detail_text(live), "pid=1234");
    FdDetail exited;
    exited.pidfd_pid = -1;
    EXPECT_EQ(detail_text(exited), "pid=exited");
    FdDetail zero;
    zero.pidfd_pid = 0;
    EXPECT_EQ(detail_text(zero), "pid=0");
}

TEST(DetailText, SeveralPartsInFixedOrder) {
    FdDetail d;
    d.pidfd_pid = 9;
    d.timerfd_clockid = CLOCK_REALTIME;
    d.eventfd_count = 1;
    EXPECT_EQ(detail_text(d), "count=1 clock=realtime pid=9");
}

// ---------------------------------------------------------------- dev_text

TEST(DevText, MajorMinor) {
    EXPECT_EQ(dev_text(makedev(8, 1)), "8:1");
    EXPECT_EQ(dev_text(makedev(0, 0)), "0:0");
    EXPECT_EQ(dev_text(makedev(136, 3)), "136:3");
    EXPECT_EQ(dev_text(makedev(259, 65536)), "259:65536");   // minor above 255
    EXPECT_EQ(dev_text(makedev(4095, 1048575)), "4095:1048575");
}
