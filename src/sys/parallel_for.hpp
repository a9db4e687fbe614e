// Runs a loop's iterations on several threads, and on fewer (down to the
// calling thread alone) when the system will not start more: a pids cgroup
// at its limit makes std::thread throw, and a scan must still finish.
#pragma once
#include <cstddef>
#include <functional>
#include <thread>

namespace fdscope::sys {

// `requested` threads, or one per core for 0 (2 when the core count is unknown).
unsigned worker_count(unsigned requested);

// Starts a thread running `work`; throws std::system_error when none can
// be started. The default is std::thread's constructor; tests pass one that
// refuses, to run the fallback.
using ThreadStart = std::function<std::thread(std::function<void()> work)>;

// Calls fn(i, worker) once for every i in [0, n), on up to `threads` threads
// (0: one per core; never more than n), and returns when all calls are
// done. `worker` (< the threads that ran) tells calls apart that may run at
// the same time: calls with the same worker run one after the other, so
// per-worker scratch space needs no lock. The calling thread is worker 0;
// when a thread cannot be started, the started ones share its iterations.
void parallel_for(std::size_t n, unsigned threads, const std::function<void(std::size_t i, unsigned worker)>& fn,
                  const ThreadStart& start = {});

}  // namespace fdscope::sys
