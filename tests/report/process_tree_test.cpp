// The lineage walk on hand-made process trees: ancestors for audit's
// source search, descendants and the ancestors to read for its scope.
#include "report/process_tree.hpp"

#include <gtest/gtest.h>

#include "report/model_builders.hpp"

namespace fdscope::report {
namespace {

// 1 ─ 10 ─ 20 ─ 30
//        └ 21
// 1 ─ 11
// 2 ─ 40 (a kernel thread's child)
const ParentMap kTree = {{1, 0}, {10, 1}, {20, 10}, {30, 20}, {21, 10}, {11, 1}, {2, 0}, {40, 2}};

TEST(ProcessTree, AncestorsNearestFirstWithoutInit) {
    EXPECT_EQ(ancestors(30, kTree), (std::vector<pid_t>{20, 10}));
    EXPECT_EQ(ancestors(10, kTree), (std::vector<pid_t>{}));
    EXPECT_EQ(ancestors(40, kTree), (std::vector<pid_t>{2}));
    EXPECT_EQ(ancestors(30, kTree, 1), (std::vector<pid_t>{20}));
    EXPECT_EQ(ancestors(99, kTree), (std::vector<pid_t>{})) << "unknown process";
}

TEST(ProcessTree, AncestorsStopAtAParentNotInTheTree) {
    const ParentMap gone = {{30, 20}, {20, 15}};  // 15 exited
    EXPECT_EQ(ancestors(30, gone), (std::vector<pid_t>{20}));
}

TEST(ProcessTree, ACycleEnds) {
    const ParentMap loop = {{5, 6}, {6, 5}};
    EXPECT_EQ(ancestors(5, loop).size(), 64u);
    EXPECT_FALSE(descends_from(5, {7}, loop));
}

TEST(ProcessTree, DescendsFromItselfOrAnAncestor) {
    EXPECT_TRUE(descends_from(10, {10}, kTree));
    EXPECT_TRUE(descends_from(30, {10}, kTree));
    EXPECT_TRUE(descends_from(30, {1}, kTree)) << "init is a root like any";
    EXPECT_FALSE(descends_from(11, {10}, kTree));
    EXPECT_FALSE(descends_from(40, {1}, kTree));
}

TEST(ProcessTree, SubtreeScopeAndWhatToRead) {
    const TreeScope s = subtree_scope({20, 11}, kTree);
    EXPECT_EQ(s.scope, (std::vector<pid_t>{11, 20, 30}));
    EXPECT_EQ(s.read, (std::vector<pid_t>{10, 11, 20, 30})) << "ancestors up to, not including, init";
}

TEST(ProcessTree, NoRootsIsEveryProcess) {
    const TreeScope s = subtree_scope({}, kTree);
    EXPECT_EQ(s.scope, (std::vector<pid_t>{1, 2, 10, 11, 20, 21, 30, 40}));
    EXPECT_EQ(s.read, s.scope);
}

TEST(ProcessTree, ParentMapOfASnapshot) {
    Snapshot snap;
    snap.processes.push_back(testing::make_process(5, "a"));
    snap.processes.push_back(testing::make_process(6, "b"));
    snap.processes.back().ppid = 5;
    const ParentMap m = parent_map(snap);
    EXPECT_EQ(m, (ParentMap{{5, 1}, {6, 5}}));
    EXPECT_EQ(ancestors(6, m), (std::vector<pid_t>{5}));
}

}  // namespace
}  // namespace fdscope::report
