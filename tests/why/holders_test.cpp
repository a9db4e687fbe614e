// ETXTBSY's and ENOSPC's other processes, found in the real inventory: who
// runs a binary, who holds a file open for write, which deleted files
// still fill a filesystem.
#include "why/holders.hpp"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>

#include "support/support.hpp"
#include "why/forked_child.hpp"

namespace fdscope::why {
namespace {

using test::Fixture;
using testing::failed;
using testing::ForkedChild;

FileId id_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return {st.st_dev, st.st_ino};
}

const Holder* find(const std::vector<Holder>& hs, pid_t pid) {
    auto it = std::find_if(hs.begin(), hs.end(), [pid](const Holder& h) { return h.pid == pid; });
    return it == hs.end() ? nullptr : &*it;
}

TEST(WhyHolders, ARunningBinaryNamesItsProcess) {
    Fixture fx("flat");
    const pid_t pid = fx.facts()["pid"];
    const auto holders = executing_holders(file_inventory(), id_of(test::fixture_path("flat")));
    const Holder* h = find(holders, pid);
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(h->note, "executing");
    EXPECT_EQ(h->fd, -1);
    EXPECT_EQ(h->command, "flat");
}

TEST(WhyHolders, ASharedLibraryIsMappedNotExecuted) {
    Fixture fx("flat");
    const pid_t pid = fx.facts()["pid"];
    // libc: every process maps it executable; none executes it.
    std::string libc;
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    for (std::string line; std::getline(maps, line);)
        if (line.find("libc.so") != std::string::npos || line.find("libc-") != std::string::npos) {
            libc = line.substr(line.find('/'));
            break;
        }
    ASSERT_FALSE(libc.empty());
    const auto holders = executing_holders(file_inventory(), id_of(libc));
    const Holder* h = find(holders, pid);
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(h->note, "maps it executable");
}

TEST(WhyHolders, AWriterIsNamedForExec) {
    Fixture fx("write_holder");
    const pid_t pid = fx.facts()["pid"];
    const std::string path = fx.facts()["path"];
    const auto holders = write_holders(file_inventory(), id_of(path));
    ASSERT_EQ(holders.size(), 1u);
    EXPECT_EQ(holders[0].pid, pid);
    EXPECT_EQ(holders[0].fd, fx.facts()["fd"]);
    EXPECT_EQ(holders[0].note, "open for write (O_WRONLY)");
    // Readers are not writers.
    EXPECT_TRUE(write_holders(file_inventory(), id_of(test::fixture_path("flat"))).empty());
}

TEST(WhyHolders, ADeletedOpenFileOnASmallTmpfs) {
    if (!test::is_root()) GTEST_SKIP() << "needs root for a private mount namespace";
    // In a private mount namespace: a 256 KiB tmpfs, a 100000-byte file
    // written, unlinked and kept open, and a smaller one kept only mapped.
    ForkedChild child([]() -> std::string {
        if (::unshare(CLONE_NEWNS) != 0) return failed("unshare");
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return failed("make-rprivate");
        char dir[] = "/tmp/fdscope-why-XXXXXX";
        if (!::mkdtemp(dir)) return failed("mkdtemp");
        if (::mount("fdscope-test", dir, "tmpfs", 0, "size=256k") != 0) return failed("mount tmpfs");
        const std::string big = std::string(dir) + "/big.log";
        int fd = ::open(big.c_str(), O_RDWR | O_CREAT, 0600);
        if (fd < 0) return failed("open");
        std::string data(100000, 'x');
        if (::write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size())) return failed("write");
        struct stat st {};
        ::fstat(fd, &st);
        ::unlink(big.c_str());
        // The directory stays in the host's /tmp (the tmpfs is only ours):
        // the mount dies with this namespace, the directory goes now.
        ::umount2(dir, MNT_DETACH);
        ::rmdir(dir);
        return std::to_string(st.st_dev) + " " + std::to_string(fd);
    });
    ASSERT_TRUE(child.ok()) << child.line();
    const std::uint64_t dev = std::stoull(child.line());
    const int fd = std::stoi(child.line().substr(child.line().find(' ') + 1));
    const auto deleted = deleted_open_on(file_inventory(), dev);
    ASSERT_EQ(deleted.size(), 1u);
    EXPECT_EQ(deleted[0].size, 100000u);
    EXPECT_NE(deleted[0].path.find("big.log"), std::string::npos);
    ASSERT_EQ(deleted[0].holders.size(), 1u);
    EXPECT_EQ(deleted[0].holders[0].pid, child.pid());
    EXPECT_EQ(deleted[0].holders[0].fd, fd);
}

TEST(WhyHolders, DeletedFilesLargestFirst) {
    Snapshot snap;
    Process p;
    p.pid = 7;
    p.comm = "app";
    FdTable t;
    auto add = [&](std::uint64_t ino, std::uint64_t size, std::int32_t fd) {
        OpenFile f;
        f.fd = fd;
        f.inode = ino;
        f.dev = 99;
        f.size = size;
        f.deleted = true;
        f.name = p.names.add("/var/log/x");
        t.fds.push_back(std::move(f));
    };
    add(1, 10, 3);
    add(2, 5000, 4);
    add(2, 5000, 5);
    add(3, 700, 6);
    p.tables.push_back(std::move(t));
    snap.processes.push_back(std::move(p));
    const auto d = deleted_open_on(snap, 99);
    ASSERT_EQ(d.size(), 3u);
    EXPECT_EQ(d[0].size, 5000u);
    EXPECT_EQ(d[0].holders.size(), 2u);
    EXPECT_EQ(d[1].size, 700u);
    EXPECT_TRUE(deleted_open_on(snap, 98).empty());
}

}  // namespace
}  // namespace fdscope::why
