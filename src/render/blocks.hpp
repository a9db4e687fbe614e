// Rendering large outputs on every core: rows are cut into blocks, blocks
// are rendered into memory by worker threads, and written in order. Only a
// window of blocks (one per thread) is held at a time.
#pragma once
#include <cstddef>
#include <functional>
#include <string>

#include "render/output.hpp"

namespace fdscope::render {

// Calls render(begin, end, text) for consecutive row ranges of `block` rows
// covering [0, rows), each on some thread, and writes the texts to `out` in
// row order. `render` must be safe to call concurrently (it only reads).
// Small inputs (one block) run on the calling thread alone; blocks whose
// thread cannot be started (a pids cgroup at its limit) are rendered by the
// threads that did start (sys::parallel_for).
void render_blocks(Output& out, std::size_t rows, std::size_t block,
                   const std::function<void(std::size_t begin, std::size_t end, std::string& text)>& render);

// How many threads render `rows` rows (1 for small inputs).
std::size_t render_workers(std::size_t rows);

// Calls fn(begin, end, worker) for `workers` about equal row ranges, each on
// its own thread (worker < workers), and returns when all are done.
void for_row_ranges(std::size_t rows, std::size_t workers,
                    const std::function<void(std::size_t begin, std::size_t end, std::size_t worker)>& fn);

}  // namespace fdscope::render
