// The subject on the real kernel: a process whose credentials a child set
// itself, a login of nobody, fdscope itself, threads that differ, a leader
// that exited, pids that are not processes.
#include "why/subject_facts.hpp"

#include <algorithm>
#include <cstring>
#include <sched.h>
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <pthread.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.hpp"
#include "procfs/parse_creds.hpp"
#include "support/support.hpp"
#include "sys/files.hpp"

namespace fdscope::why {
namespace {

std::uint64_t our_bounding() {
    std::string text;
    EXPECT_EQ(sys::read_all("/proc/self/status", text), 0);
    auto c = procfs::parse_creds(text);
    return c ? c->cap_bounding : 0;
}

TEST(ProcessSubject, CredentialsGroupsCapsAndLimitsAsTheChildSetThem) {
    if (!test::is_root()) GTEST_SKIP() << "needs root to set ids";
    test::Child child([] {
        gid_t groups[] = {100, 200, 300};
        if (::setgroups(3, groups) != 0) return errno;
        if (::setresgid(1234, 1235, 1236) != 0) return errno;
        if (::prctl(PR_SET_KEEPCAPS, 1) != 0) return errno;
        if (::setresuid(4321, 4322, 4323) != 0) return errno;
        __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
        __user_cap_data_struct data[2]{};
        data[0].effective = data[0].permitted = 1u << CAP_DAC_READ_SEARCH;
        if (::syscall(SYS_capset, &hdr, data) != 0) return errno;
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno;
        struct rlimit rl{33, 44};
        if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) return errno;
        return 0;
    });
    ASSERT_EQ(child.error(), 0);
    SubjectGather g = process_subject(child.pid());
    ASSERT_TRUE(g.subject) << g.error;
    const Subject& s = *g.subject;
    EXPECT_EQ(s.kind, SubjectKind::Process);
    EXPECT_EQ(s.pid, child.pid());
    EXPECT_EQ(s.tid, child.pid());
    EXPECT_EQ(s.ruid, 4321u);
    EXPECT_EQ(s.euid, 4322u);
    EXPECT_EQ(s.suid, 4323u);
    EXPECT_EQ(s.fsuid, 4322u);
    EXPECT_EQ(s.rgid, 1234u);
    EXPECT_EQ(s.egid, 1235u);
    EXPECT_EQ(s.sgid, 1236u);
    EXPECT_EQ(s.fsgid, 1235u);
    EXPECT_EQ(s.groups, (std::vector<gid_t>{100, 200, 300}));
    EXPECT_EQ(s.cap_effective, std::uint64_t{1} << CAP_DAC_READ_SEARCH);
    EXPECT_EQ(s.cap_permitted, std::uint64_t{1} << CAP_DAC_READ_SEARCH);
    EXPECT_EQ(s.cap_bounding, our_bounding());
    EXPECT_TRUE(s.no_new_privs);
    EXPECT_EQ(s.seccomp_mode, 0);
    ASSERT_TRUE(s.limits.known);
    EXPECT_EQ(s.limits.nofile_soft, 33u);
    EXPECT_EQ(s.limits.nofile_hard, 44u);
    EXPECT_FALSE(s.limits.from_caller);
    EXPECT_TRUE(s.same_mnt_ns);
    EXPECT_TRUE(s.same_net_ns);
    EXPECT_TRUE(s.init_user_ns);
    EXPECT_TRUE(s.uid_map.empty());
    EXPECT_FALSE(s.threads_differ);
    EXPECT_EQ(s.root, "/");
    ASSERT_TRUE(s.fd_count);
    EXPECT_GE(*s.fd_count, 1u);
    EXPECT_FALSE(s.command.empty());
}

TEST(ProcessSubject, AThreadWithOtherCredentialsIsNoticedAndCanBeChosen) {
    if (!test::is_root()) GTEST_SKIP() << "needs root to set ids";
    static pid_t worker_tid;
    int tid_pipe[2];
    ASSERT_EQ(::pipe(tid_pipe), 0);
    test::Child child([&] {
        pthread_t t;
        static int fd;
        fd = tid_pipe[1];
        auto body = [](void*) -> void* {
            // The raw syscall changes this thread only (glibc's wrapper would sync all).
            if (::syscall(SYS_setresuid, 0, 777, 0) != 0) return nullptr;
            pid_t me = ::gettid();
            (void)!::write(fd, &me, sizeof me);
            for (;;) ::pause();
        };
        if (pthread_create(&t, nullptr, body, nullptr) != 0) return EAGAIN;
        return 0;
    });
    ASSERT_EQ(child.error(), 0);
    ::close(tid_pipe[1]);
    ASSERT_EQ(::read(tid_pipe[0], &worker_tid, sizeof worker_tid), static_cast<ssize_t>(sizeof worker_tid));
    ::close(tid_pipe[0]);

    SubjectGather leader = process_subject(child.pid());
    ASSERT_TRUE(leader.subject) << leader.error;
    EXPECT_EQ(leader.subject->euid, 0u);
    EXPECT_TRUE(leader.subject->threads_differ);
    SubjectGather worker = process_subject(child.pid(), worker_tid);
    ASSERT_TRUE(worker.subject) << worker.error;
    EXPECT_EQ(worker.subject->tid, worker_tid);
    EXPECT_EQ(worker.subject->euid, 777u);
    EXPECT_TRUE(worker.subject->threads_differ);

    SubjectGather no_thread = process_subject(child.pid(), 1);
    EXPECT_FALSE(no_thread.subject);
    EXPECT_NE(no_thread.error.find("has no thread 1"), std::string::npos) << no_thread.error;
    SubjectGather by_tid = process_subject(worker_tid);
    EXPECT_FALSE(by_tid.subject);
    EXPECT_NE(by_tid.error.find("is a thread of process"), std::string::npos) << by_tid.error;
}

TEST(ProcessSubject, ALeaderThatExitedLeavesALiveThread) {
    test::Fixture fx("exited_leader", {"10"});
    const pid_t pid = fx.facts()["pid"].get<pid_t>();
    const pid_t worker = fx.facts()["worker_tid"].get<pid_t>();
    SubjectGather g = process_subject(pid);
    ASSERT_TRUE(g.subject) << g.error;
    EXPECT_EQ(g.subject->tid, worker);
    EXPECT_FALSE(g.subject->root.empty());
    EXPECT_NE(g.subject->mnt_ns, 0u);
    ASSERT_TRUE(g.subject->fd_count);
    EXPECT_GE(*g.subject->fd_count, 10u);  // the worker's fds, under its task only
    EXPECT_TRUE(g.subject->limits.known);
}

TEST(ProcessSubject, AUserNamespaceAndItsMaps) {
    if (!test::is_root()) GTEST_SKIP() << "needs root to write another process's id maps";
    test::Child child([] { return ::unshare(CLONE_NEWUSER) == 0 ? 0 : errno; });
    if (child.error() == EPERM || child.error() == ENOSPC || child.error() == EINVAL)
        GTEST_SKIP() << "user namespaces refused here: " << std::strerror(child.error());
    ASSERT_EQ(child.error(), 0);
    const std::string proc = "/proc/" + std::to_string(child.pid());
    for (const char* map : {"/uid_map", "/gid_map"}) {
        int fd = ::open((proc + map).c_str(), O_WRONLY | O_CLOEXEC);
        ASSERT_GE(fd, 0) << map;
        const std::string text = "0 100000 1000\n1000 5000 1\n";
        ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size())) << std::strerror(errno);
        ::close(fd);
    }
    SubjectGather g = process_subject(child.pid());
    ASSERT_TRUE(g.subject) << g.error;
    const Subject& s = *g.subject;
    EXPECT_FALSE(s.init_user_ns);
    EXPECT_NE(s.user_ns, kInitUserNsInode);
    ASSERT_EQ(s.uid_map.size(), 2u);
    EXPECT_EQ(s.uid_map[0].inside, 0u);
    EXPECT_EQ(s.uid_map[0].outside, 100000u);
    EXPECT_EQ(s.uid_map[0].count, 1000u);
    EXPECT_EQ(s.uid_map[1].outside, 5000u);
    ASSERT_EQ(s.gid_map.size(), 2u);
    EXPECT_TRUE(s.same_mnt_ns);  // CLONE_NEWUSER alone keeps the mount namespace
}

TEST(ProcessSubject, APidThatIsNoProcess) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) ::_exit(0);
    ASSERT_EQ(::waitpid(pid, nullptr, 0), pid);
    SubjectGather g = process_subject(pid);
    EXPECT_FALSE(g.subject);
    EXPECT_EQ(g.error, "no process " + std::to_string(pid));
    EXPECT_EQ(process_subject(-3).error, "no process -3");
}

TEST(CallerSubject, FdscopeItself) {
    SubjectGather g = caller_subject();
    ASSERT_TRUE(g.subject) << g.error;
    const Subject& s = *g.subject;
    EXPECT_EQ(s.kind, SubjectKind::Caller);
    EXPECT_EQ(s.pid, ::getpid());
    EXPECT_EQ(s.euid, ::geteuid());
    EXPECT_EQ(s.egid, ::getegid());
    EXPECT_TRUE(s.same_mnt_ns);
    EXPECT_TRUE(s.same_net_ns);
    char cwd[4096];
    ASSERT_TRUE(::getcwd(cwd, sizeof cwd));
    EXPECT_EQ(s.cwd, cwd);
    struct rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    EXPECT_EQ(s.limits.nofile_soft, rl.rlim_cur);
    EXPECT_EQ(s.lsm_label.find('\n'), std::string::npos);
}

TEST(UserSubject, NobodyGetsTheDatabaseGroupsAndNoCapabilities) {
    struct passwd* pw = ::getpwnam("nobody");
    if (!pw) GTEST_SKIP() << "no user nobody";
    const gid_t gid = pw->pw_gid;
    int n = 64;
    std::vector<gid_t> expect(64);
    ASSERT_GE(::getgrouplist("nobody", gid, expect.data(), &n), 0);
    expect.resize(static_cast<std::size_t>(n));

    for (const std::string& who : {std::string("nobody"), std::to_string(pw->pw_uid)}) {
        SubjectGather g = user_subject(who);
        ASSERT_TRUE(g.subject) << g.error;
        const Subject& s = *g.subject;
        EXPECT_EQ(s.kind, SubjectKind::User);
        EXPECT_EQ(s.euid, 65534u);
        EXPECT_EQ(s.fsuid, 65534u);
        EXPECT_EQ(s.egid, gid);
        EXPECT_EQ(s.groups, expect);
        EXPECT_EQ(s.cap_effective, 0u);
        EXPECT_EQ(s.cap_permitted, 0u);
        EXPECT_EQ(s.cap_bounding, our_bounding());
        EXPECT_EQ(s.seccomp_mode, 0);
        EXPECT_TRUE(s.init_user_ns);
        EXPECT_EQ(s.user_ns, kInitUserNsInode);
        EXPECT_TRUE(s.same_mnt_ns);
        EXPECT_EQ(s.cwd, "/");
        EXPECT_EQ(s.root, "/");
        EXPECT_EQ(s.user_name, "nobody");
        EXPECT_TRUE(s.limits.from_caller);
        EXPECT_TRUE(s.limits.known);
    }
}

TEST(UserSubject, RootHasTheBoundingSet) {
    SubjectGather g = user_subject("root");
    ASSERT_TRUE(g.subject) << g.error;
    EXPECT_EQ(g.subject->cap_effective, our_bounding());
    EXPECT_EQ(g.subject->cap_permitted, our_bounding());
    EXPECT_EQ(g.subject->cap_inheritable, 0u);
}

TEST(UserSubject, AnUnknownUser) {
    SubjectGather g = user_subject("no-such-user-fdscope");
    EXPECT_FALSE(g.subject);
    EXPECT_EQ(g.error, "no user no-such-user-fdscope in the user database");
}

}  // namespace
}  // namespace fdscope::why
