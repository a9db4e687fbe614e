#include "why/probe_plan.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/seccomp.h>

#include "why/probe_common.hpp"
#include "why/probe_context.hpp"

namespace fdscope::why {
namespace {

TEST(ProbePlan, ParentDirectory) {
    EXPECT_EQ(parent_directory("a/b/c"), "a/b");
    EXPECT_EQ(parent_directory("c"), ".");
    EXPECT_EQ(parent_directory("/c"), "/");
    EXPECT_EQ(parent_directory("/a/b/"), "/a");
    EXPECT_EQ(parent_directory("/a//b"), "/a");
    EXPECT_EQ(parent_directory("/"), "/");
}

TEST(ProbePlan, OpensNeverTruncateNorCreate) {
    Operation op;
    op.path = "/srv/x";
    op.open.write = true;
    op.open.trunc = true;
    op.open.append = true;
    Attempt a = plan_attempt(op, "r");
    EXPECT_EQ(a.kind, AttemptKind::Open);
    EXPECT_EQ(a.open_flags & O_ACCMODE, O_WRONLY);
    EXPECT_EQ(a.open_flags & (O_TRUNC | O_CREAT), 0);
    EXPECT_NE(a.open_flags & O_NONBLOCK, 0);
    EXPECT_NE(a.open_flags & O_APPEND, 0);
    EXPECT_FALSE(a.directories_too);
    EXPECT_NE(a.not_copied.find("O_TRUNC"), std::string::npos);
    EXPECT_EQ(open_flags_text(a.open_flags), "O_WRONLY|O_APPEND|O_NONBLOCK|O_NOCTTY");
}

TEST(ProbePlan, ReadsAreReadOnlyAndMayOpenDirectories) {
    Operation op;
    op.path = "x";
    Attempt a = plan_attempt(op, "r");
    EXPECT_EQ(a.open_flags & O_ACCMODE, O_RDONLY);
    EXPECT_NE(a.open_flags & O_NOCTTY, 0);
    EXPECT_TRUE(a.directories_too);
}

TEST(ProbePlan, CreateBecomesOTmpfileInTheParent) {
    Operation op;
    op.path = "/srv/data/new.db";
    op.open.write = true;
    op.open.create = true;
    op.open.excl = true;
    Attempt a = plan_attempt(op, "r");
    EXPECT_EQ(a.kind, AttemptKind::OpenOrCreate);
    EXPECT_EQ(a.parent, "/srv/data");
    EXPECT_TRUE(a.exclusive);
    EXPECT_EQ(a.tmpfile_flags & O_TMPFILE, O_TMPFILE);
    EXPECT_EQ(a.tmpfile_flags & O_ACCMODE, O_WRONLY);
    EXPECT_NE(attempt_text(a).find("O_TMPFILE"), std::string::npos);
}

TEST(ProbePlan, MkdirMakesARandomNameBeside) {
    Attempt a = plan_attempt(Operation{Op::Mkdir, "/srv/new", {}, {}, 0, {}, 0, 0, -1}, "0a1b2c");
    EXPECT_EQ(a.kind, AttemptKind::Mkdir);
    EXPECT_EQ(a.parent, "/srv");
    EXPECT_EQ(a.name, ".fdscope-probe-0a1b2c");
    EXPECT_EQ(a.path, "/srv/.fdscope-probe-0a1b2c");
    Attempt top = plan_attempt(Operation{Op::Mkdir, "/new", {}, {}, 0, {}, 0, 0, -1}, "z");
    EXPECT_EQ(top.path, "/.fdscope-probe-z");
}

TEST(ProbePlan, RandomLettersDiffer) {
    std::string a = random_letters(), b = random_letters();
    EXPECT_EQ(a.size(), 12u);
    EXPECT_NE(a, b);
}

TEST(ProbePlan, IdsInsideAUserNamespace) {
    std::vector<IdMapExtent> map = {{0, 100000, 65536}, {70000, 1000, 1}};
    std::uint32_t inside = 0;
    EXPECT_TRUE(id_inside(100033, map, inside));
    EXPECT_EQ(inside, 33u);
    EXPECT_TRUE(id_inside(1000, map, inside));
    EXPECT_EQ(inside, 70000u);
    EXPECT_FALSE(id_inside(0, map, inside));
    EXPECT_FALSE(id_inside(165536, map, inside));
}

TEST(ProbePlan, FiltersThatMayDefer) {
    std::vector<sock_filter> allow = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
    std::vector<sock_filter> notify = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF)};
    std::vector<sock_filter> trace = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | 5)};
    std::vector<sock_filter> ret_a = {BPF_STMT(BPF_RET | BPF_A, 0)};
    EXPECT_FALSE(filters_may_defer({allow}));
    EXPECT_TRUE(filters_may_defer({allow, notify}));
    EXPECT_TRUE(filters_may_defer({trace}));
    EXPECT_TRUE(filters_may_defer({ret_a}));
}

TEST(ProbePlan, NotesAreJoined) {
    std::string list;
    add_note(list, "; a");
    add_note(list, "");
    add_note(list, "b");
    EXPECT_EQ(list, "a; b");
}

}  // namespace
}  // namespace fdscope::why
