#include "report/read_gaps.hpp"

#include <gtest/gtest.h>

#include "report/model_builders.hpp"

using namespace fdscope;
using namespace fdscope::report;
using namespace fdscope::report::testing;

namespace {

// A process whose fdinfo was refused, with `fds` fds of which `by_number`
// had their link refused too.
Process refused_process(pid_t pid, const char* comm, int fds, std::uint32_t by_number) {
    Process p = make_process(pid, comm);
    FdTable& t = add_table(p, pid, true);
    for (int i = 0; i < fds; ++i) t.fds.push_back(make_file(p, i, Kind::Unknown));
    p.refused.fdinfo = true;
    p.refused.links = by_number;
    return p;
}

}  // namespace

TEST(SkippedSentence, NamesTheRefusedPidsAndCountsInWords) {
    Snapshot snap;
    EXPECT_EQ(skipped_sentence(snap), "");
    snap.skipped_processes.vanished = 1;
    EXPECT_EQ(skipped_sentence(snap), "1 process skipped (0 permission denied; 1 vanished)");
    for (pid_t pid : {12, 40, 41}) {
        Process p = make_process(pid, "x");
        p.refused.fds = true;
        snap.processes.push_back(std::move(p));
    }
    Process partial = make_process(50, "endpoint search");
    partial.partial = true;
    partial.refused.fds = true;
    snap.processes.push_back(std::move(partial));
    snap.skipped_processes.permission = 3;
    EXPECT_EQ(skipped_sentence(snap), "4 processes skipped (3 permission denied: pids 12, 40, 41; 1 vanished)");
    EXPECT_EQ(skipped_sentence(snap, 2), "4 processes skipped (3 permission denied: pids 12, 40, …; 1 vanished)");
}

TEST(PartialSentences, SayWhatIsMissingPerProcess) {
    Snapshot snap;
    EXPECT_TRUE(partial_sentences(snap).empty());
    snap.processes.push_back(refused_process(1, "init", 288, 288));
    snap.processes.back().refused.assocs = true;
    snap.processes.push_back(refused_process(7, "agent", 5, 0));
    snap.processes.push_back(refused_process(9, "one", 1, 1));
    snap.processes.push_back(make_process(10, "fine"));
    EXPECT_EQ(partial_sentences(snap),
              (std::vector<std::string>{
                  "pid 1 (init): fdinfo not readable (permission denied): 288 fds listed by number only (their links are refused "
                  "too); cwd, root and exe refused too",
                  "pid 7 (agent): fdinfo not readable (permission denied): 5 fds listed without mode, flags, position or close-on-exec",
                  "pid 9 (one): fdinfo not readable (permission denied): 1 fd listed by number only (their links are refused too)",
              }));
}

TEST(PartialSentences, ManyProcessesMakeOneSentence) {
    Snapshot snap;
    for (pid_t pid = 1; pid <= 6; ++pid) snap.processes.push_back(refused_process(pid, "x", 2, 1));
    EXPECT_EQ(partial_sentences(snap, 4),
              (std::vector<std::string>{
                  "pids 1, 2, 3, 4, … listed with part of their fds' facts: fdinfo not readable (permission denied)"}));
    snap.processes.resize(1);
    EXPECT_EQ(partial_sentences(snap)[0],
              "pid 1 (x): fdinfo not readable (permission denied): 2 fds listed without mode, flags, position or "
              "close-on-exec, 1 of them by number only");
}
