// Which -e class each op is printed under.
#include "report/trace_classes.hpp"

#include <gtest/gtest.h>

namespace fdscope::report {
namespace {

TEST(TraceClasses, NamesRoundTrip) {
    for (const char* name : {"open", "socket", "pipe", "dup", "close", "exec", "pass", "all"}) {
        auto c = event_class_from_name(name);
        ASSERT_TRUE(c) << name;
        EXPECT_EQ(event_class_name(*c), name);
    }
    EXPECT_FALSE(event_class_from_name("file"));
    EXPECT_FALSE(event_class_from_name(""));
    EXPECT_FALSE(event_class_from_name("Open"));
}

TEST(TraceClasses, OpsBelongWhereTheirClassSays) {
    struct Case {
        Op op;
        EventClass c;
    } cases[] = {
        {Op::Openat, EventClass::Open},        {Op::Creat, EventClass::Open},
        {Op::MemfdCreate, EventClass::Open},   {Op::Bpf, EventClass::Open},
        {Op::FdCreatingIoctl, EventClass::Open}, {Op::ClonePidfd, EventClass::Open},
        {Op::Socket, EventClass::Socket},      {Op::Accept4, EventClass::Socket},
        {Op::Socketpair, EventClass::Socket},  {Op::Pipe, EventClass::Pipe},
        {Op::Pipe2, EventClass::Pipe},         {Op::Dup2, EventClass::Dup},
        {Op::FcntlDupfdCloexec, EventClass::Dup}, {Op::Close, EventClass::Close},
        {Op::CloseRange, EventClass::Close},   {Op::FcntlSetfd, EventClass::Close},
        {Op::IoctlCloexec, EventClass::Close}, {Op::Execve, EventClass::Exec},
        {Op::Fork, EventClass::Exec},          {Op::Clone, EventClass::Exec},
        {Op::Exit, EventClass::Exec},          {Op::RecvmsgRights, EventClass::Pass},
        {Op::PidfdGetfd, EventClass::Pass},
    };
    for (const auto& k : cases) {
        for (int c = 0; c <= static_cast<int>(EventClass::All); ++c) {
            const auto cls = static_cast<EventClass>(c);
            const bool want = cls == k.c || cls == EventClass::All;
            EXPECT_EQ(in_class(k.op, cls), want) << op_name(k.op) << " in " << event_class_name(cls);
        }
    }
}

TEST(TraceClasses, EveryOpIsInAllAndAtMostOneOther) {
    for (int i = 0; i < kOpCount; ++i) {
        const auto op = static_cast<Op>(i);
        EXPECT_TRUE(in_class(op, EventClass::All)) << op_name(op);
        int others = 0;
        for (int c = 0; c < static_cast<int>(EventClass::All); ++c) others += in_class(op, static_cast<EventClass>(c));
        if (op == Op::Lost) EXPECT_EQ(others, 7) << "lost events show whatever the filter";
        else if (op == Op::Present || op == Op::Reconcile) EXPECT_EQ(others, 0) << op_name(op);
        else EXPECT_EQ(others, 1) << op_name(op);
    }
}

}  // namespace
}  // namespace fdscope::report
