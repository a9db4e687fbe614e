#include "sys/parallel_for.hpp"

#include <algorithm>
#include <atomic>
#include <system_error>
#include <vector>

namespace fdscope::sys {

unsigned worker_count(unsigned requested) {
    if (requested) return requested;
    const unsigned hw = std::thread::hardware_concurrency();
    return hw ? hw : 2;
}

void parallel_for(std::size_t n, unsigned threads, const std::function<void(std::size_t, unsigned)>& fn,
                  const ThreadStart& start) {
    std::atomic<std::size_t> next{0};
    const unsigned count = std::max(1u, std::min<unsigned>(worker_count(threads), static_cast<unsigned>(n ? n : 1)));
    auto work = [&](unsigned worker) {
        for (std::size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;) fn(i, worker);
    };
    std::vector<std::thread> pool;
    for (unsigned w = 1; w < count; ++w) {
        try {
            if (start) pool.push_back(start([&work, w] { work(w); }));
            else pool.emplace_back(work, w);
        } catch (const std::system_error&) {
            break;  // no more threads: the others share the work
        }
    }
    work(0);
    for (auto& t : pool) t.join();
}

}  // namespace fdscope::sys
