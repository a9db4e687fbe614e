// The op table behind event text and JSON: every op has its own name, the
// names read back to the same op, and the classes the ledger relies on.
#include "model/event.hpp"

#include <gtest/gtest.h>
#include <set>
#include <string>

namespace fdscope {
namespace {

TEST(OpName, EveryOpHasADistinctNameThatReadsBack) {
    std::set<std::string> seen;
    for (int i = 0; i < kOpCount; ++i) {
        Op op = static_cast<Op>(i);
        std::string name(op_name(op));
        EXPECT_FALSE(name.empty()) << i;
        EXPECT_TRUE(seen.insert(name).second) << "duplicate name " << name;
        EXPECT_EQ(op_from_name(name), op) << name;
    }
}

TEST(OpName, SyscallSpellings) {
    EXPECT_EQ(op_name(Op::Openat2), "openat2");
    EXPECT_EQ(op_name(Op::Accept4), "accept4");
    EXPECT_EQ(op_name(Op::FcntlDupfdCloexec), "fcntl_dupfd_cloexec");
    EXPECT_EQ(op_name(Op::CloseRange), "close_range");
    EXPECT_EQ(op_name(Op::Execveat), "execveat");
    EXPECT_EQ(op_name(Op::Lost), "lost");
    EXPECT_EQ(op_from_name("OPEN"), std::nullopt);
    EXPECT_EQ(op_from_name(""), std::nullopt);
}

TEST(OpClass, LifecycleGroups) {
    EXPECT_EQ(op_class(Op::Creat), OpClass::Create);
    EXPECT_EQ(op_class(Op::Socketpair), OpClass::Create);
    EXPECT_EQ(op_class(Op::IoUringSetup), OpClass::Create);
    EXPECT_EQ(op_class(Op::Dup3), OpClass::Duplicate);
    EXPECT_EQ(op_class(Op::FcntlDupfd), OpClass::Duplicate);
    EXPECT_EQ(op_class(Op::Close), OpClass::Close);
    EXPECT_EQ(op_class(Op::CloseRange), OpClass::Close);
    EXPECT_EQ(op_class(Op::FcntlSetfd), OpClass::Reflag);
    EXPECT_EQ(op_class(Op::Clone), OpClass::Process);
    EXPECT_EQ(op_class(Op::Execve), OpClass::Process);
    EXPECT_EQ(op_class(Op::Present), OpClass::Meta);
}

TEST(OpClass, OnlyPipesAndSocketpairsCreateTwo) {
    for (int i = 0; i < kOpCount; ++i) {
        Op op = static_cast<Op>(i);
        bool two = op == Op::Pipe || op == Op::Pipe2 || op == Op::Socketpair;
        EXPECT_EQ(creates_two(op), two) << op_name(op);
    }
}

}  // namespace
}  // namespace fdscope
