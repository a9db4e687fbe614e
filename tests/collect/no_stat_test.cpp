// Files on mounts where stat may hang (NFS, FUSE) are read without stat.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <string>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unordered_map>
#include <unistd.h>

#include "collect/classify.hpp"
#include "sys/proc_io.hpp"
#include "collect/read_process.hpp"
#include "procfs/parse_fdinfo.hpp"

namespace fdscope::test {
namespace {

TEST(NoStat, NetworkAndFuseFilesystemsAreRecognised) {
    for (const char* t : {"nfs", "nfs4", "cifs", "smb3", "9p", "ceph", "fuse", "fuseblk", "fuse.sshfs", "virtiofs"})
        EXPECT_TRUE(collect::stat_may_block(t)) << t;
    for (const char* t : {"ext4", "xfs", "btrfs", "tmpfs", "proc", "overlay", "nfsd", "fusectl", ""})
        EXPECT_FALSE(collect::stat_may_block(t)) << t;
}

std::int32_t mnt_id_of(int fd) {
    std::string text;
    EXPECT_EQ(sys::read_file_at(AT_FDCWD, ("/proc/self/fdinfo/" + std::to_string(fd)).c_str(), text,
                                    sys::ReadMode::SingleRecord),
              0);
    auto info = procfs::parse_fdinfo(text);
    return info ? info->mnt_id : -1;
}

TEST(NoStat, FdsOnSuchMountsComeFromFdinfoAndTheMountTable) {
    char dir[] = "/tmp/fdscope-nostat-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    std::string path = std::string(dir) + "/f";
    int file = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    int d = ::open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(file, 0);
    ASSERT_GE(d, 0);
    ASSERT_EQ(::write(file, "12345", 5), 5);
    struct stat st {};
    ASSERT_EQ(::fstat(file, &st), 0);
    // Pretend /tmp's mount is NFS: the reader must not stat, and must say so.
    const std::uint64_t fake_dev = makedev(123, 45);
    std::unordered_map<std::int32_t, std::uint64_t> no_stat{{mnt_id_of(file), fake_dev}};
    collect::ReadOptions opts;
    opts.no_stat = &no_stat;
    opts.maps = opts.assocs = false;
    int err = 0;
    sys::UniqueFd proc = sys::open_dir(AT_FDCWD, "/proc", err);
    collect::Scratch scratch;
    collect::FdSkips skips;
    Process p;
    ASSERT_EQ(collect::read_process(proc.get(), ::getpid(), opts, collect::learn_pseudo_mounts(), scratch, p, skips),
              collect::ReadResult::Ok);
    const OpenFile *f = nullptr, *g = nullptr;
    for (const auto& t : p.tables)
        for (const auto& x : t.fds) {
            if (x.fd == file) f = &x;
            if (x.fd == d) g = &x;
        }
    ASSERT_TRUE(f && g);
    EXPECT_TRUE(f->not_stated);
    EXPECT_EQ(f->kind, Kind::File);
    EXPECT_EQ(f->inode, st.st_ino);      // from fdinfo
    EXPECT_EQ(f->dev, fake_dev);         // from the mount table, not stat
    EXPECT_EQ(f->size, 0u);              // unknown: not stat'ed
    EXPECT_EQ(f->pos, 5u);
    EXPECT_EQ(f->name, path);
    EXPECT_TRUE(g->not_stated);
    EXPECT_EQ(g->kind, Kind::Dir);       // O_DIRECTORY in the open flags
    ::close(file);
    ::close(d);
    ::unlink(path.c_str());
    ::rmdir(dir);
}

}  // namespace
}  // namespace fdscope::test
