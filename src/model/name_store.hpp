// Bytes of the names one process's files carry (paths, "pipe:[N]", ...),
// kept in a few large blocks instead of one heap string per fd: 200,000
// fds would otherwise pay a 32-byte std::string plus an allocation each.
// Blocks never move, so the string_views handed out stay valid when the
// owning Process is moved.
#pragma once
#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace fdscope {

class NameStore {
public:
    NameStore() = default;
    NameStore(NameStore&&) noexcept = default;
    NameStore& operator=(NameStore&&) noexcept = default;
    NameStore(const NameStore&) = delete;
    NameStore& operator=(const NameStore&) = delete;

    std::string_view add(std::string_view s);

private:
    std::vector<std::unique_ptr<char[]>> blocks_;
    std::size_t used_ = 0, capacity_ = 0;
};

}  // namespace fdscope
