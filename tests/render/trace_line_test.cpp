// `fdscope trace`'s live lines and NDJSON events, and the flag texts in them.
#include "render/trace_line.hpp"

#include <cerrno>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/close_range.h>
#include <linux/kvm.h>
#include <linux/sched.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "render/flag_text.hpp"

namespace fdscope::render {
namespace {

FdEvent ev(Op op, std::int32_t fd = -1, std::uint64_t flags = 0, std::int64_t result = 0) {
    FdEvent e;
    e.pid = 1234;
    e.tid = 1234;
    e.op = op;
    e.fd = fd;
    e.flags = flags;
    e.result = result;
    return e;
}

TEST(TraceLine, OpenWithKindAndLocation) {
    FdEvent e = ev(Op::Openat, 7, O_WRONLY | O_APPEND, 7);
    e.kind = Kind::File;
    e.name = "/var/log/app.log";
    EXPECT_EQ(live_line(e, "log_open (log.c:42)"),
              "[1234] openat(\"/var/log/app.log\", O_WRONLY|O_APPEND) = 7 file  at log_open (log.c:42)");
    EXPECT_EQ(live_line(e, ""), "[1234] openat(\"/var/log/app.log\", O_WRONLY|O_APPEND) = 7 file");
}

TEST(TraceLine, FailedCallNamesTheErrno) {
    FdEvent e = ev(Op::Openat, -1, O_RDONLY | O_CLOEXEC);
    e.error = EMFILE;
    e.kind = Kind::File;
    e.name = "x";
    EXPECT_EQ(live_line(e, ""), "[1234] openat(\"x\", O_RDONLY|O_CLOEXEC) = -1 EMFILE (Too many open files)");
    FdEvent c = ev(Op::Close, 9);
    c.error = EBADF;
    EXPECT_EQ(live_line(c, ""), "[1234] close(9) = -1 EBADF (Bad file descriptor)");
}

TEST(TraceLine, ClosesDupsAndArrays) {
    EXPECT_EQ(live_line(ev(Op::Close, 7), ""), "[1234] close(7) = 0");
    FdEvent d = ev(Op::Dup2, 3, 0, 1);
    d.fd2 = 1;
    EXPECT_EQ(live_line(d, ""), "[1234] dup2(3, 1) = 1");
    FdEvent p = ev(Op::Pipe2, 3, O_CLOEXEC);
    p.fd2 = 4;
    p.kind = Kind::Pipe;
    EXPECT_EQ(live_line(p, ""), "[1234] pipe2([3, 4], O_CLOEXEC) = 0 pipe");
    p.fd = p.fd2 = -1;  // the array could not be read
    EXPECT_EQ(live_line(p, ""), "[1234] pipe2([?, ?], O_CLOEXEC) = 0 pipe");
    FdEvent r = ev(Op::CloseRange, 3, CLOSE_RANGE_CLOEXEC);
    EXPECT_EQ(live_line(r, ""), "[1234] close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) = 0");
    FdEvent f = ev(Op::FcntlDupfdCloexec, 3, 10, 10);
    f.fd2 = 10;
    EXPECT_EQ(live_line(f, ""), "[1234] fcntl(3, F_DUPFD_CLOEXEC, 10) = 10");
    EXPECT_EQ(live_line(ev(Op::FcntlSetfd, 3, FD_CLOEXEC), ""), "[1234] fcntl(3, F_SETFD, FD_CLOEXEC) = 0");
    EXPECT_EQ(live_line(ev(Op::IoctlCloexec, 3, FIONCLEX), ""), "[1234] ioctl(3, FIONCLEX) = 0");
}

TEST(TraceLine, SocketsAndPassing) {
    FdEvent s = ev(Op::Socket, 3, SOCK_STREAM | SOCK_CLOEXEC, 3);
    s.kind = Kind::Tcp6;
    EXPECT_EQ(live_line(s, ""), "[1234] socket(SOCK_STREAM|SOCK_CLOEXEC) = 3 tcp6");
    FdEvent a = ev(Op::Accept, 5, 0, 5);
    a.fd2 = 3;
    a.kind = Kind::Socket;
    EXPECT_EQ(live_line(a, ""), "[1234] accept(3) = 5 socket");
    FdEvent m = ev(Op::RecvmsgRights, 8, MSG_CMSG_CLOEXEC | MSG_CTRUNC, 24);
    m.fd2 = 4;
    EXPECT_EQ(live_line(m, ""), "[1234] recvmsg(4, [SCM_RIGHTS 8], MSG_CTRUNC|MSG_CMSG_CLOEXEC) = 24");
    FdEvent k = ev(Op::FdCreatingIoctl, 6, KVM_CREATE_VM, 6);
    k.fd2 = 5;
    k.kind = Kind::Anon;
    EXPECT_EQ(live_line(k, ""), "[1234] ioctl(5, KVM_CREATE_VM) = 6 anon");
}

TEST(TraceLine, ProcessesAndThreads) {
    FdEvent c = ev(Op::Clone, -1, CLONE_VM | CLONE_VFORK | SIGCHLD, 1300);
    c.tid = 1240;
    EXPECT_EQ(live_line(c, ""), "[1234 1240] clone(CLONE_VM|CLONE_VFORK|SIGCHLD) = 1300");
    FdEvent p = ev(Op::ClonePidfd, 9, CLONE_PIDFD | SIGCHLD, 1301);
    p.kind = Kind::Pidfd;
    EXPECT_EQ(live_line(p, ""), "[1234] clone(CLONE_PIDFD|SIGCHLD, pidfd=[9]) = 1301 pidfd");
    FdEvent x = ev(Op::Execve);
    x.name = "/bin/sh";
    EXPECT_EQ(live_line(x, ""), "[1234] execve(\"/bin/sh\") = 0");
    EXPECT_EQ(live_line(ev(Op::Fork, -1, 0, 1302), ""), "[1234] fork() = 1302");
    EXPECT_EQ(live_line(ev(Op::Lost, -1, 0, 17), ""), "[1234] +++ 17 events lost +++");
}

TEST(TraceLine, HostileNamesStayOnOneLine) {
    FdEvent e = ev(Op::Open, 3, O_RDONLY, 3);
    e.kind = Kind::File;
    e.name = std::string("a\nb\tc\"d\xff", 8);
    const std::string line = live_line(e, "f\n(x.c:1)");
    EXPECT_EQ(line, "[1234] open(\"a\\nb\\tc\\\"d\\xff\", O_RDONLY) = 3 file  at f\\n(x.c:1)");
    EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(TraceLine, MemfdShowsItsOwnName) {
    FdEvent e = ev(Op::MemfdCreate, 4, 0x0001u /* MFD_CLOEXEC */, 4);
    e.kind = Kind::Memfd;
    e.name = "memfd:cache";
    EXPECT_EQ(live_line(e, ""), "[1234] memfd_create(\"cache\", MFD_CLOEXEC) = 4 memfd");
}

TEST(FlagText, OpenFlags) {
    EXPECT_EQ(flags_text(Op::Openat, O_RDONLY), "O_RDONLY");
    EXPECT_EQ(flags_text(Op::Openat, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC), "O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC");
    EXPECT_EQ(flags_text(Op::Openat, O_WRONLY | O_SYNC), "O_WRONLY|O_SYNC");  // not O_DSYNC too
    EXPECT_EQ(flags_text(Op::Openat, O_RDWR | O_TMPFILE), "O_RDWR|O_TMPFILE");
    EXPECT_EQ(flags_text(Op::Openat, O_PATH | O_CLOEXEC), "O_CLOEXEC|O_PATH");
    EXPECT_EQ(flags_text(Op::Openat, O_RDONLY | 0x40000000), "O_RDONLY|0x40000000");
}

TEST(FlagText, PerOp) {
    EXPECT_EQ(flags_text(Op::Socket, SOCK_DGRAM | SOCK_NONBLOCK), "SOCK_DGRAM|SOCK_NONBLOCK");
    EXPECT_EQ(flags_text(Op::Accept4, 0), "0");
    EXPECT_EQ(flags_text(Op::Eventfd, EFD_CLOEXEC | EFD_SEMAPHORE), "EFD_SEMAPHORE|EFD_CLOEXEC");
    EXPECT_EQ(flags_text(Op::Clone, CLONE_FILES | SIGCHLD), "CLONE_FILES|SIGCHLD");
    EXPECT_EQ(flags_text(Op::Unshare, CLONE_FILES | CLONE_NEWNS), "CLONE_FILES|CLONE_NEWNS");
    EXPECT_EQ(flags_text(Op::IoctlCloexec, FIOCLEX), "FIOCLEX");
    EXPECT_EQ(flags_text(Op::FdCreatingIoctl, 0x1234), "0x1234");
    EXPECT_EQ(flags_text(Op::Bpf, 0), "BPF_MAP_CREATE");
    EXPECT_EQ(flags_text(Op::Close, 0), "");
    EXPECT_EQ(flags_text(Op::Dup2, 0), "");
    EXPECT_EQ(flags_text(Op::Pipe2, 0), "0");
}

TEST(EventJson, OneObjectWithEveryKey) {
    FdEvent e = ev(Op::Accept4, 5, SOCK_CLOEXEC, 5);
    e.fd2 = 3;
    e.cloexec = true;
    e.kind = Kind::Socket;
    e.time_ns = 123456789;
    e.tid = 1240;
    e.table = 2;
    e.new_table = 2;
    e.stack = 17;
    Output out(Output::kMemory);
    write_event_line(out, e);
    const std::string text = out.buffer();
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    auto j = nlohmann::json::parse(text);
    EXPECT_EQ(j["type"], "event");
    EXPECT_EQ(j["op"], "accept4");
    EXPECT_EQ(j["pid"], 1234);
    EXPECT_EQ(j["tid"], 1240);
    EXPECT_EQ(j["fd"], 5);
    EXPECT_EQ(j["fd2"], 3);
    EXPECT_EQ(j["flags"], "SOCK_CLOEXEC");
    EXPECT_EQ(j["cloexec"], true);
    EXPECT_EQ(j["result"], 5);
    EXPECT_TRUE(j["errno"].is_null());
    EXPECT_EQ(j["kind"], "socket");
    EXPECT_EQ(j["name"], "");
    EXPECT_EQ(j["time_ns"], 123456789);
    EXPECT_EQ(j["stack"], 17);
    EXPECT_EQ(j["table"], 2);
    EXPECT_FALSE(j.contains("name_escaped"));
}

TEST(EventJson, FailureAndHostileName) {
    FdEvent e = ev(Op::Open, -1, O_RDONLY);
    e.error = ENOENT;
    e.name = std::string("bad\xfe", 4);
    Output out(Output::kMemory);
    write_event_line(out, e);
    write_event_line(out, ev(Op::Close, 3));
    const std::string text = out.buffer();
    const auto nl = text.find('\n');
    ASSERT_NE(nl, std::string::npos);
    auto j = nlohmann::json::parse(text.substr(0, nl));
    EXPECT_EQ(j["errno"], "ENOENT");
    EXPECT_EQ(j["name"], "bad\\xfe");
    EXPECT_EQ(j["name_escaped"], true);
    EXPECT_TRUE(j["stack"].is_null());
    auto k = nlohmann::json::parse(text.substr(nl + 1));
    EXPECT_EQ(k["op"], "close");
    EXPECT_EQ(k["fd"], 3);
}

TEST(EventJson, ErrnoNames) {
    EXPECT_EQ(errno_name(EMFILE), "EMFILE");
    EXPECT_EQ(errno_name(4000), "E4000");
}

}  // namespace
}  // namespace fdscope::render
