#include "model/origin.hpp"

#include <algorithm>

namespace fdscope {

const char* fd_owner_name(FdOwner o) {
    switch (o) {
        case FdOwner::File: return "FILE";
        case FdOwner::Dir: return "DIR";
        case FdOwner::None: break;
    }
    return nullptr;
}

const Origin* ProcessOrigins::find(std::int32_t fd) const {
    auto it = std::lower_bound(fds.begin(), fds.end(), fd, [](const Origin& o, std::int32_t n) { return o.fd < n; });
    return it != fds.end() && it->fd == fd ? &*it : nullptr;
}

}  // namespace fdscope
