// The frame both scans share: which pids, stamped how, and what a process
// read counts as.
#include <gtest/gtest.h>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unistd.h>

#include "collect/scan_frame.hpp"
#include "sys/clock.hpp"

namespace fdscope::collect {
namespace {

TEST(BeginScan, ThreadIdsAreTheirProcessAndEachPidIsListedOnce) {
    pid_t tid = 0;
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    std::thread t([&] {
        std::unique_lock lock(m);
        tid = ::gettid();
        cv.notify_all();
        cv.wait(lock, [&] { return done; });
    });
    {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return tid != 0; });
    }
    ScanOptions opts;
    opts.pids = std::vector<pid_t>{tid, ::getpid(), 1, tid};
    Snapshot snap;
    const ScanFrame frame = begin_scan(opts, snap);
    {
        std::lock_guard lock(m);
        done = true;
    }
    cv.notify_all();
    t.join();
    EXPECT_EQ(frame.pids, (std::vector<pid_t>{1, ::getpid()}));
    EXPECT_TRUE(frame.proc);
}

TEST(BeginScan, StampsTheTimeAndTheKernelCounters) {
    Snapshot snap;
    const double before = sys::unix_now();
    begin_scan(ScanOptions{}, snap);
    EXPECT_GE(snap.time, before);
    EXPECT_LE(snap.time, sys::unix_now());
    EXPECT_GT(snap.file_nr.allocated, 0u);
    EXPECT_FALSE(snap.mounts.empty());
}

TEST(KeepProcess, CountsWhatWasSkipped) {
    Snapshot snap;
    EXPECT_TRUE(keep_process(ReadResult::Ok, snap));
    EXPECT_TRUE(keep_process(ReadResult::Permission, snap));  // listed with what was readable
    EXPECT_FALSE(keep_process(ReadResult::Vanished, snap));
    EXPECT_FALSE(keep_process(ReadResult::Vanished, snap));
    EXPECT_FALSE(keep_process(ReadResult::Filtered, snap));
    EXPECT_EQ(snap.skipped_processes.permission, 1u);
    EXPECT_EQ(snap.skipped_processes.vanished, 2u);
}

}  // namespace
}  // namespace fdscope::collect
