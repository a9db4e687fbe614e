// The process events connector: its messages parsed from bytes laid out as
// the kernel sends them, and, live, the exec of a real process reported.
#include <algorithm>
#include <csignal>
#include <cstring>
#include <gtest/gtest.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <vector>

#include "netlink/proc_events.hpp"
#include "support/support.hpp"

namespace fdscope::netlink {
namespace {

// A connector message's payload: cn_msg, then a proc_event of `what`
// (0x1 fork, 0x2 exec, 0x200 comm, 0 an ack: the kernel's values) whose
// first two pids are pid and tgid.
std::vector<char> message(std::uint32_t what, pid_t pid, pid_t tgid, std::uint32_t idx = CN_IDX_PROC) {
    std::vector<char> out(sizeof(cn_msg) + sizeof(proc_event), 0);
    cn_msg msg{};
    msg.id.idx = idx;
    msg.id.val = CN_VAL_PROC;
    msg.len = sizeof(proc_event);
    std::memcpy(out.data(), &msg, sizeof msg);
    proc_event ev{};
    ev.what = static_cast<decltype(ev.what)>(what);
    ev.event_data.exec.process_pid = pid;  // every kind starts with these two
    ev.event_data.exec.process_tgid = tgid;
    std::memcpy(out.data() + sizeof msg, &ev, sizeof ev);
    return out;
}

TEST(ProcEventParse, ExecAndCommNameTheirProcess) {
    auto exec = message(0x2u, 4243, 4242);
    auto ev = parse_proc_event(exec.data(), exec.size());
    ASSERT_TRUE(ev);
    EXPECT_EQ(ev->what, ProcEvent::What::Exec);
    EXPECT_EQ(ev->tgid, 4242) << "the process, not the thread";
    auto comm = message(0x200u, 7, 7);
    ev = parse_proc_event(comm.data(), comm.size());
    ASSERT_TRUE(ev);
    EXPECT_EQ(ev->what, ProcEvent::What::Comm);
    EXPECT_EQ(ev->tgid, 7);
}

TEST(ProcEventParse, OthersAcksShortAndForeignMessages) {
    auto fork = message(0x1u, 1, 1);
    auto ev = parse_proc_event(fork.data(), fork.size());
    ASSERT_TRUE(ev);
    EXPECT_EQ(ev->what, ProcEvent::What::Other);
    auto ack = message(0x0u, 0, 0);
    ASSERT_TRUE(parse_proc_event(ack.data(), ack.size()));
    EXPECT_EQ(parse_proc_event(ack.data(), ack.size())->what, ProcEvent::What::Other);
    auto exec = message(0x2u, 5, 5);
    for (std::size_t cut : {std::size_t{0}, sizeof(cn_msg) - 1, sizeof(cn_msg) + 8})
        EXPECT_FALSE(parse_proc_event(exec.data(), cut)) << "cut at " << cut;
    auto foreign = message(0x2u, 5, 5, CN_IDX_PROC + 1);
    EXPECT_FALSE(parse_proc_event(foreign.data(), foreign.size()));
}

// Live: a process that execs is named by the next drain, once.
TEST(ProcEvents, AnExecIsReported) {
    // Started first: its own start is an exec too.
    test::Fixture fx("exec_later", {"1024", test::fixture_path("flat"), "3"});
    const pid_t pid = fx.facts()["pid"];
    ProcEvents events;
    if (!events.open()) GTEST_SKIP() << "no process events from the kernel here (initial namespaces, Linux 6.6+, privilege)";
    std::vector<pid_t> before;
    ASSERT_TRUE(events.drain(before));
    EXPECT_EQ(std::count(before.begin(), before.end(), pid), 0) << "it has not exec'd yet";
    ASSERT_EQ(kill(pid, SIGUSR1), 0);
    fx.next_line();  // flat's facts: the exec is done
    std::vector<pid_t> after;
    ASSERT_TRUE(events.drain(after));
    EXPECT_GE(std::count(after.begin(), after.end(), pid), 1);
    std::vector<pid_t> again;
    events.drain(again);
    EXPECT_EQ(std::count(again.begin(), again.end(), pid), 0) << "drained";
}

}  // namespace
}  // namespace fdscope::netlink
