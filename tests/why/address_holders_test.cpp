// Who holds an address: a real listener and the child that inherited it,
// a live UNIX socket against a stale socket file.
#include "why/address_holders.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <algorithm>
#include <cstdlib>

#include "support/support.hpp"
#include "why/forked_child.hpp"

namespace fdscope::why {
namespace {

using test::Fixture;
using testing::failed;
using testing::ForkedChild;

const Holder* find(const std::vector<Holder>& hs, pid_t pid) {
    auto it = std::find_if(hs.begin(), hs.end(), [pid](const Holder& h) { return h.pid == pid; });
    return it == hs.end() ? nullptr : &*it;
}

TEST(WhyAddressHolders, AListenerAndTheChildThatInheritedIt) {
    Fixture fx("inherited_listener");
    const pid_t parent = fx.facts()["pid"], child = fx.facts()["child_pid"];
    Operation op;
    op.op = Op::BindInet;
    op.protocol = IPPROTO_TCP;
    op.port = fx.facts()["port"];
    Subject caller;
    std::vector<std::string> unreadable;
    const auto held = inet_address_holders(caller, op, unreadable);
    ASSERT_EQ(held.size(), 1u);
    EXPECT_EQ(held[0].local, "127.0.0.1:" + std::to_string(op.port));
    EXPECT_EQ(held[0].state, "LISTEN");
    EXPECT_EQ(held[0].uid, ::geteuid());
    const Holder* p = find(held[0].holders, parent);
    const Holder* c = find(held[0].holders, child);
    ASSERT_NE(p, nullptr);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(p->fd, fx.facts()["fd"]);
    EXPECT_EQ(c->fd, fx.facts()["fd"]);
    EXPECT_EQ(c->command, "sleep");
    EXPECT_EQ(c->note, "inherited from " + std::to_string(parent));
    EXPECT_EQ(p->note, "");
    // UDP on the same port is another address.
    op.protocol = IPPROTO_UDP;
    EXPECT_TRUE(inet_address_holders(caller, op, unreadable).empty());
}

TEST(WhyAddressHolders, ATimeWaitConnectionHoldsThePort) {
    // The server side closes first: its end of the connection waits in
    // TIME-WAIT on the listener's port after everything is closed.
    int port = 0;
    int lst = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(lst, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(lst, reinterpret_cast<sockaddr*>(&sin), sizeof sin), 0);
    ASSERT_EQ(::listen(lst, 1), 0);
    socklen_t len = sizeof sin;
    ASSERT_EQ(::getsockname(lst, reinterpret_cast<sockaddr*>(&sin), &len), 0);
    port = ntohs(sin.sin_port);
    int cli = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_EQ(::connect(cli, reinterpret_cast<sockaddr*>(&sin), sizeof sin), 0);
    int srv = ::accept4(lst, nullptr, nullptr, SOCK_CLOEXEC);
    ASSERT_GE(srv, 0);
    ::close(srv);
    char c;
    ASSERT_EQ(::read(cli, &c, 1), 0);  // the server's FIN arrived
    ::close(cli);
    ::close(lst);
    Operation op;
    op.op = Op::BindInet;
    op.protocol = IPPROTO_TCP;
    op.port = static_cast<std::uint16_t>(port);
    Subject caller;
    std::vector<std::string> unreadable;
    // The last ACK crosses loopback on its own time: a bounded poll.
    std::vector<SocketHolder> held;
    for (int i = 0; i < 2000; ++i) {
        held = inet_address_holders(caller, op, unreadable);
        if (held.size() == 1 && held[0].state == "TIME-WAIT") break;
        ::usleep(1000);
    }
    ASSERT_EQ(held.size(), 1u);
    EXPECT_EQ(held[0].state, "TIME-WAIT");
    EXPECT_EQ(held[0].local, "127.0.0.1:" + std::to_string(port));
    EXPECT_TRUE(held[0].holders.empty());
}

std::string bind_unix(const std::string& path, bool keep) {
    int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return failed("socket");
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path.c_str());
    if (::bind(s, reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0) return failed("bind");
    if (::listen(s, 4) != 0) return failed("listen");
    if (!keep) ::close(s);
    return std::to_string(s);
}

FileId id_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return {st.st_dev, st.st_ino};
}

TEST(WhyAddressHolders, ALiveUnixSocketAgainstAStaleFile) {
    char dir[] = "/tmp/fdscope-why-XXXXXX";
    ASSERT_TRUE(::mkdtemp(dir));
    const std::string live = std::string(dir) + "/live.sock", stale = std::string(dir) + "/stale.sock";
    {
        ForkedChild child([&] { return bind_unix(live, true); });
        ASSERT_TRUE(child.ok()) << child.line();
        ASSERT_TRUE(ForkedChild([&] { return bind_unix(stale, false); }).ok());
        Subject caller;
        std::vector<std::string> unreadable;
        const auto held = unix_address_holders(caller, id_of(live), unreadable);
        ASSERT_EQ(held.size(), 1u) << "unreadable: " << (unreadable.empty() ? "" : unreadable[0]);
        EXPECT_EQ(held[0].local, live);
        EXPECT_EQ(held[0].state, "LISTEN");
        ASSERT_EQ(held[0].holders.size(), 1u);
        EXPECT_EQ(held[0].holders[0].pid, child.pid());
        EXPECT_EQ(held[0].holders[0].fd, std::stoi(child.line()));
        // The stale file: nobody bound there any more.
        EXPECT_TRUE(unix_address_holders(caller, id_of(stale), unreadable).empty());
    }
    ::unlink(live.c_str());
    ::unlink(stale.c_str());
    ::rmdir(dir);
}

}  // namespace
}  // namespace fdscope::why
