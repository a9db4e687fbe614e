// Description identity where the kernel moves under the scan: a
// representative whose fd closed, eventfd ids that start at 0.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect/identity.hpp"

namespace fdscope::test {
namespace {

OpenFile file_fd(int fd, const struct stat& st) {
    OpenFile f;
    f.fd = fd;
    f.kind = Kind::File;
    f.mode = Mode::Read;
    f.dev = st.st_dev;
    f.inode = st.st_ino;
    return f;
}

Process process(pid_t pid, std::vector<OpenFile> fds) {
    Process p;
    p.pid = pid;
    FdTable t;
    t.tid = pid;
    t.fds = std::move(fds);
    p.tables.push_back(std::move(t));
    return p;
}

TEST(IdentityEdges, AVanishedRepresentativeDoesNotSplitLaterFds) {
    int fd = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    struct stat st {};
    ASSERT_EQ(::fstat(fd, &st), 0);
    // A process that held the same file and is gone by the time of kcmp.
    pid_t dead = ::fork();
    if (dead == 0) _exit(0);
    ::waitpid(dead, nullptr, 0);
    // A live child sharing our description (fork), until we close `hold`.
    int hold[2];
    ASSERT_EQ(::pipe(hold), 0);
    pid_t child = ::fork();
    if (child == 0) {
        ::close(hold[1]);
        char c;
        while (::read(hold[0], &c, 1) > 0) {}
        _exit(0);
    }
    ::close(hold[0]);
    // ppid 0 everywhere: no parent/child hint, so the search must get past
    // the dead representative to find that the two live fds are one.
    Snapshot snap;
    std::vector<OpenFile> gone, mine, theirs;
    gone.push_back(file_fd(fd, st));
    mine.push_back(file_fd(fd, st));
    theirs.push_back(file_fd(fd, st));
    snap.processes.push_back(process(dead, std::move(gone)));  // first: the first representative
    snap.processes.push_back(process(::getpid(), std::move(mine)));
    snap.processes.push_back(process(child, std::move(theirs)));
    collect::assign_descriptions(snap, 1);
    std::uint32_t a = snap.processes[1].tables[0].fds[0].description;
    std::uint32_t b = snap.processes[2].tables[0].fds[0].description;
    ::close(hold[1]);
    ::waitpid(child, nullptr, 0);
    ::close(fd);
    EXPECT_EQ(a, b);
    EXPECT_NE(snap.processes[0].tables[0].fds[0].description, a);
    EXPECT_TRUE(snap.ids_exact);
}

TEST(IdentityEdges, EventfdIdZeroIsAnIdentityNotUnknown) {
    int e = ::eventfd(0, EFD_CLOEXEC);
    int d = ::dup(e);
    auto efd = [](int fd, std::int64_t id) {
        OpenFile f;
        f.fd = fd;
        f.kind = Kind::Eventfd;
        f.mode = Mode::ReadWrite;
        f.inode = 1038;
        f.detail = std::make_unique<FdDetail>();
        f.detail->eventfd_id = id;
        return f;
    };
    std::vector<OpenFile> fds;
    fds.push_back(efd(e, 0));
    fds.push_back(efd(d, 0));
    fds.push_back(efd(d + 100, 1));  // another eventfd: never looked up
    Snapshot snap;
    snap.processes.push_back(process(::getpid(), std::move(fds)));
    collect::assign_descriptions(snap, 1);
    const auto& out = snap.processes[0].tables[0].fds;
    EXPECT_EQ(out[0].description, out[1].description);
    EXPECT_NE(out[0].description, out[2].description);
    ::close(e);
    ::close(d);
}

}  // namespace
}  // namespace fdscope::test
