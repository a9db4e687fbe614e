// Read and write on an existing fd: the descriptor, pipes and sockets, and
// the file-level layers of a write.
#include <gtest/gtest.h>

#include <fcntl.h>

#include "process_facts.hpp"
#include "report/why/layers.hpp"

namespace fdscope::report::why {
namespace {

using namespace testing;

Facts on_fd(Op op, std::uint32_t flags, std::uint32_t type = S_IFREG) {
    Facts f = user_process(op);
    f.operation.fd = 5;
    f.fd.exists = true;
    f.fd.flags = flags;
    f.fd.target = "/data/out.log";
    Inode i;
    i.mode = type | 0644;
    i.uid = i.gid = 1001;
    i.size = 4096;
    i.mount_id = 31;
    f.fd.inode = i;
    f.fd.mount_id = 31;
    f.fd.peer = FdFacts::PeerState::NotApplicable;
    f.mounts = {ext4_mount(31, "/data")};
    return f;
}

TEST(FdRules, WriteOnAReadOnlyFd) {
    const Facts f = on_fd(Op::Write, O_RDONLY);
    const auto checks = fd_checks(f);
    ASSERT_EQ(checks.size(), 1u);
    EXPECT_EQ(checks[0].layer, Layer::Fd);
    EXPECT_EQ(checks[0].path, "fd 5");
    EXPECT_EQ(checks[0].result, Result::Fail);
    EXPECT_EQ(checks[0].error, EBADF);
    EXPECT_NE(checks[0].explain.find("opened O_RDONLY"), std::string::npos) << checks[0].explain;
    EXPECT_EQ(fd_checks(on_fd(Op::Read, O_WRONLY)).front().error, EBADF);
    EXPECT_EQ(fd_checks(on_fd(Op::Read, O_RDONLY)).front().result, Result::Pass);
}

TEST(FdRules, NotOpenAndOPathAreEbadf) {
    Facts f = on_fd(Op::Read, O_RDONLY);
    f.fd.exists = false;
    EXPECT_EQ(fd_checks(f).front().error, EBADF);
    const auto path = fd_checks(on_fd(Op::Read, O_PATH));
    EXPECT_EQ(path.front().error, EBADF);
    EXPECT_NE(path.front().detail.find("O_PATH"), std::string::npos);
}

TEST(FdRules, WriteToAPipeWithoutReaderIsEpipe) {
    Facts f = on_fd(Op::Write, O_WRONLY, S_IFIFO);
    f.fd.target = "pipe:[1234]";
    f.fd.peer = FdFacts::PeerState::Closed;
    const auto checks = fd_checks(f);
    ASSERT_EQ(checks.size(), 1u);
    EXPECT_EQ(checks[0].error, EPIPE);
    EXPECT_NE(checks[0].explain.find("SIGPIPE"), std::string::npos);
    f.fd.peer = FdFacts::PeerState::Open;
    EXPECT_EQ(fd_checks(f).front().result, Result::Pass);
    f.fd.peer = FdFacts::PeerState::Unknown;
    EXPECT_EQ(fd_checks(f).front().result, Result::Unknown);
    // Reading: end of file, not an error.
    Facts r = on_fd(Op::Read, O_RDONLY, S_IFIFO);
    r.fd.peer = FdFacts::PeerState::Closed;
    EXPECT_EQ(fd_checks(r).front().result, Result::Note);
}

TEST(FdRules, UnconnectedSocketIsEnotconn) {
    Facts f = on_fd(Op::Write, O_RDWR, S_IFSOCK);
    f.fd.socket_connected = false;
    f.fd.peer = FdFacts::PeerState::Unknown;
    EXPECT_EQ(fd_checks(f).front().error, ENOTCONN);
}

TEST(FdRules, FileSizeLimitIsEfbig) {
    Facts f = on_fd(Op::Write, O_WRONLY | O_APPEND);
    f.subject.limits.fsize_soft = 4096;
    const auto checks = fd_checks(f);
    const auto c = find_layer(checks, Layer::Limit);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->result, Result::Fail);
    EXPECT_EQ(c->error, EFBIG);
    EXPECT_NE(c->explain.find("SIGXFSZ"), std::string::npos);
    EXPECT_NE(c->fix.find("prlimit --pid 4242 --fsize=unlimited"), std::string::npos) << c->fix;
    EXPECT_EQ(verdict_from(checks, f).error, EFBIG);
    // Without O_APPEND the write lands at the offset.
    Facts at = on_fd(Op::Write, O_WRONLY);
    at.subject.limits.fsize_soft = 4096;
    at.fd.pos = 100;
    EXPECT_EQ(find_layer(fd_checks(at), Layer::Limit)->result, Result::Pass);
}

TEST(FdRules, WriteMeetsSpaceQuotaAndAReadOnlySuperblock) {
    Facts full = on_fd(Op::Write, O_WRONLY);
    full.mounts[0].blocks_free = full.mounts[0].blocks_avail = 0;
    EXPECT_EQ(find_layer(fd_checks(full), Layer::Space)->error, ENOSPC);

    Facts quota = on_fd(Op::Write, O_WRONLY);
    quota.quota.known = true;
    quota.quota.mount_id = 31;
    QuotaUsage q;
    q.kind = QuotaUsage::Kind::User;
    q.id = 1001;  // the file's owner pays for its blocks
    q.space_used = q.space_hard = 1u << 20;
    quota.quota.usage = {q};
    EXPECT_EQ(find_layer(fd_checks(quota), Layer::Quota)->error, EDQUOT);

    Facts ro = on_fd(Op::Write, O_WRONLY);
    ro.mounts[0].ro = true;
    EXPECT_EQ(find_layer(fd_checks(ro), Layer::Mount)->result, Result::Pass)
        << "a per-mount ro does not stop an fd opened for write before";
    ro.mounts[0].super_ro = true;
    const auto checks = fd_checks(ro);
    EXPECT_EQ(find_layer(checks, Layer::Mount)->error, EROFS);
    EXPECT_EQ(verdict_from(checks, ro).error, EROFS);
}

TEST(FdRules, ReadingADirectoryIsEisdir) {
    EXPECT_EQ(find_layer(fd_checks(on_fd(Op::Read, O_RDONLY | O_DIRECTORY, S_IFDIR)), Layer::Fd)->result, Result::Pass);
    const auto checks = fd_checks(on_fd(Op::Read, O_RDONLY | O_DIRECTORY, S_IFDIR));
    EXPECT_EQ(checks.back().error, EISDIR);
}

TEST(FdRules, CgroupNotesComeWithFileIo) {
    Facts f = on_fd(Op::Write, O_WRONLY);
    f.cgroup.known = true;
    f.cgroup.memory_high = 512u << 20;
    f.cgroup.memory_high_events = 3;
    const auto checks = fd_checks(f);
    const auto n = find_layer(checks, Layer::Cgroup);
    ASSERT_TRUE(n);
    EXPECT_EQ(n->result, Result::Note);
    EXPECT_EQ(verdict_from(checks, f).outcome, Outcome::Allowed);
}

TEST(FdRules, OtherOperationsHaveNoFdChecks) { EXPECT_TRUE(fd_checks(user_process(Op::Open)).empty()); }

}  // namespace
}  // namespace fdscope::report::why
