#include "sys/parallel_for.hpp"

#include <atomic>
#include <cerrno>
#include <gtest/gtest.h>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <system_error>
#include <vector>

namespace fdscope::sys {
namespace {

struct Visits {
    std::vector<std::atomic<int>> count;
    std::mutex mutex;
    std::set<unsigned> workers;
    explicit Visits(std::size_t n) : count(n) {}
    void operator()(std::size_t i, unsigned worker) {
        count[i].fetch_add(1);
        std::lock_guard lock(mutex);
        workers.insert(worker);
    }
    bool each_once() const {
        for (const auto& c : count)
            if (c.load() != 1) return false;
        return true;
    }
};

// A thread starter that starts `allowed` threads, then fails as
// std::thread does when a pids cgroup is at its limit.
ThreadStart limited_to(unsigned allowed) {
    auto started = std::make_shared<std::atomic<unsigned>>(0);
    return [started, allowed](std::function<void()> work) {
        if (started->fetch_add(1) >= allowed)
            throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again));
        return std::thread(std::move(work));
    };
}

TEST(ParallelFor, CallsEveryIndexExactlyOnce) {
    Visits v(10000);
    parallel_for(v.count.size(), 4, std::ref(v));
    EXPECT_TRUE(v.each_once());
    for (unsigned w : v.workers) EXPECT_LT(w, 4u);
}

TEST(ParallelFor, NeverMoreWorkersThanIndices) {
    Visits v(3);
    parallel_for(v.count.size(), 16, std::ref(v));
    EXPECT_TRUE(v.each_once());
    for (unsigned w : v.workers) EXPECT_LT(w, 3u);
}

TEST(ParallelFor, NothingToDoCallsNothing) {
    Visits v(0);
    parallel_for(0, 4, std::ref(v));
    EXPECT_TRUE(v.workers.empty());
}

TEST(ParallelFor, NoThreadAtAllLeavesEverythingToTheCallingThread) {
    Visits v(5000);
    parallel_for(v.count.size(), 8, std::ref(v), limited_to(0));
    EXPECT_TRUE(v.each_once());
    EXPECT_EQ(v.workers, std::set<unsigned>{0});
}

TEST(ParallelFor, TheStartedThreadsShareTheWorkOfThoseThatCouldNotStart) {
    Visits v(5000);
    parallel_for(v.count.size(), 8, std::ref(v), limited_to(2));
    EXPECT_TRUE(v.each_once());
    for (unsigned w : v.workers) EXPECT_LT(w, 3u);  // the caller and the two started
}

TEST(ParallelFor, SameWorkerCallsNeverOverlap) {
    constexpr unsigned kThreads = 4;
    std::vector<std::atomic<int>> busy(kThreads);
    std::atomic<bool> overlap{false};
    parallel_for(2000, kThreads, [&](std::size_t, unsigned w) {
        if (busy[w].fetch_add(1) != 0) overlap = true;
        busy[w].fetch_sub(1);
    });
    EXPECT_FALSE(overlap.load());
}

TEST(WorkerCount, ZeroMeansOnePerCore) {
    EXPECT_EQ(worker_count(3), 3u);
    EXPECT_GE(worker_count(0), 1u);
}

}  // namespace
}  // namespace fdscope::sys
