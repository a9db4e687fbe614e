// An fd of another process as `why read|write --fd` sees it: a pipe whose
// reader is gone, one whose reader is alive, a file opened read-only, a
// UNIX socket whose peer closed, an unconnected socket.
#include "why/fd_facts.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <fstream>

#include "why/forked_child.hpp"

namespace fdscope::why {
namespace {

using testing::failed;
using testing::ForkedChild;

Subject process(pid_t pid) {
    Subject s;
    s.kind = SubjectKind::Process;
    s.pid = pid;
    return s;
}

// The child's fds, as "A B C ...".
std::vector<int> fds_of(const ForkedChild& c) {
    std::vector<int> out;
    std::size_t pos = 0;
    const std::string& l = c.line();
    while (pos < l.size()) {
        std::size_t next = l.find(' ', pos);
        out.push_back(std::stoi(l.substr(pos, next - pos)));
        if (next == std::string::npos) break;
        pos = next + 1;
    }
    return out;
}

TEST(WhyFdFacts, APipeWhoseReaderClosed) {
    ForkedChild child([]() -> std::string {
        int gone[2], alive[2];
        if (::pipe(gone) != 0 || ::pipe(alive) != 0) return failed("pipe");
        ::close(gone[0]);
        return std::to_string(gone[1]) + " " + std::to_string(alive[1]) + " " + std::to_string(alive[0]);
    });
    ASSERT_TRUE(child.ok()) << child.line();
    const auto fds = fds_of(child);
    std::vector<std::string> unreadable;
    FdFacts f = read_fd_facts(process(child.pid()), fds[0], unreadable);
    ASSERT_TRUE(f.exists);
    EXPECT_EQ(f.flags & O_ACCMODE, static_cast<std::uint32_t>(O_WRONLY));
    EXPECT_EQ(f.target.rfind("pipe:[", 0), 0u) << f.target;
    ASSERT_TRUE(f.inode);
    EXPECT_TRUE(S_ISFIFO(f.inode->mode));
    EXPECT_EQ(f.peer, FdFacts::PeerState::Closed);
    // Its twin still has its reader.
    EXPECT_EQ(read_fd_facts(process(child.pid()), fds[1], unreadable).peer, FdFacts::PeerState::Open);
    // And the read end has its writer.
    EXPECT_EQ(read_fd_facts(process(child.pid()), fds[2], unreadable).peer, FdFacts::PeerState::Open);
    EXPECT_TRUE(unreadable.empty()) << unreadable.front();
}

TEST(WhyFdFacts, AFileOpenedReadOnly) {
    ForkedChild child([]() -> std::string {
        int fd = ::open("/etc/passwd", O_RDONLY);
        if (fd < 0) return failed("open");
        if (::lseek(fd, 5, SEEK_SET) != 5) return failed("lseek");
        return std::to_string(fd);
    });
    ASSERT_TRUE(child.ok()) << child.line();
    const int fd = std::stoi(child.line());
    std::vector<std::string> unreadable;
    FdFacts f = read_fd_facts(process(child.pid()), fd, unreadable);
    ASSERT_TRUE(f.exists);
    EXPECT_EQ(f.flags & O_ACCMODE, static_cast<std::uint32_t>(O_RDONLY));
    EXPECT_EQ(f.target, "/etc/passwd");
    ASSERT_TRUE(f.inode);
    struct stat st {};
    ASSERT_EQ(::stat("/etc/passwd", &st), 0);
    EXPECT_EQ(f.inode->ino, st.st_ino);
    EXPECT_EQ(f.inode->dev, st.st_dev);
    EXPECT_GT(f.mount_id, 0);
    EXPECT_EQ(f.peer, FdFacts::PeerState::NotApplicable);
    // The copy shared the offset and was never used to move it.
    const std::string pos_path = "/proc/" + std::to_string(child.pid()) + "/fdinfo/" + std::to_string(fd);
    std::ifstream in(pos_path);
    std::string key;
    long long pos = -1;
    in >> key >> pos;
    EXPECT_EQ(pos, 5);
}

TEST(WhyFdFacts, SocketPeers) {
    ForkedChild child([]() -> std::string {
        int pair[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) return failed("socketpair");
        ::close(pair[1]);
        int unconnected = ::socket(AF_UNIX, SOCK_STREAM, 0);
        int live[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM, 0, live) != 0) return failed("socketpair");
        return std::to_string(pair[0]) + " " + std::to_string(unconnected) + " " + std::to_string(live[0]);
    });
    ASSERT_TRUE(child.ok()) << child.line();
    const auto fds = fds_of(child);
    std::vector<std::string> unreadable;
    FdFacts closed = read_fd_facts(process(child.pid()), fds[0], unreadable);
    EXPECT_TRUE(closed.socket_connected);
    EXPECT_EQ(closed.peer, FdFacts::PeerState::Closed);
    FdFacts lone = read_fd_facts(process(child.pid()), fds[1], unreadable);
    EXPECT_FALSE(lone.socket_connected);
    FdFacts live = read_fd_facts(process(child.pid()), fds[2], unreadable);
    EXPECT_TRUE(live.socket_connected);
    EXPECT_EQ(live.peer, FdFacts::PeerState::Open);
}

TEST(WhyFdFacts, NoSuchFd) {
    ForkedChild child([] { return std::string("ok"); });
    std::vector<std::string> unreadable;
    EXPECT_FALSE(read_fd_facts(process(child.pid()), 977, unreadable).exists);
}

}  // namespace
}  // namespace fdscope::why
