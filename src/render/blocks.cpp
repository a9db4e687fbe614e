#include "render/blocks.hpp"

#include <algorithm>
#include <thread>
#include <vector>

#include "sys/parallel_for.hpp"

namespace fdscope::render {
namespace {

// Below this many rows a thread costs more than it saves.
constexpr std::size_t kMinRowsPerThread = 4096;

}  // namespace

std::size_t render_workers(std::size_t rows) {
    const std::size_t cores = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 16);
    return std::clamp<std::size_t>(rows / kMinRowsPerThread, 1, cores);
}

void render_blocks(Output& out, std::size_t rows, std::size_t block,
                   const std::function<void(std::size_t, std::size_t, std::string&)>& render) {
    if (block == 0) block = 1;
    const std::size_t blocks = (rows + block - 1) / block;
    const std::size_t threads = std::min(render_workers(rows), std::max<std::size_t>(blocks, 1));
    std::vector<std::string> text(threads);
    for (std::size_t first = 0; first < blocks; first += threads) {
        const std::size_t n = std::min(threads, blocks - first);
        auto one = [&](std::size_t k) {
            const std::size_t b = first + k;
            text[k].clear();  // keeps its capacity for the next round
            render(b * block, std::min(rows, (b + 1) * block), text[k]);
        };
        sys::parallel_for(n, static_cast<unsigned>(n), [&](std::size_t k, unsigned) { one(k); });
        for (std::size_t k = 0; k < n; ++k) out.write_through(text[k]);
    }
}

void for_row_ranges(std::size_t rows, std::size_t n, const std::function<void(std::size_t, std::size_t, std::size_t)>& fn) {
    n = std::max<std::size_t>(n, 1);
    const std::size_t per = (rows + n - 1) / n;
    sys::parallel_for(n, static_cast<unsigned>(n),
                      [&](std::size_t k, unsigned) { fn(std::min(rows, k * per), std::min(rows, (k + 1) * per), k); });
}

}  // namespace fdscope::render
