#include "sys/capability_sets.hpp"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace fdscope::sys {

int get_own_capabilities(CapabilitySets& out) {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
    if (::syscall(SYS_capget, &header, data) < 0) return errno;
    auto join = [](std::uint32_t low, std::uint32_t high) { return std::uint64_t{low} | (std::uint64_t{high} << 32); };
    out.effective = join(data[0].effective, data[1].effective);
    out.permitted = join(data[0].permitted, data[1].permitted);
    out.inheritable = join(data[0].inheritable, data[1].inheritable);
    return 0;
}

int set_own_capabilities(const CapabilitySets& sets) {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    auto low = [](std::uint64_t m) { return static_cast<std::uint32_t>(m & 0xffffffffu); };
    auto high = [](std::uint64_t m) { return static_cast<std::uint32_t>(m >> 32); };
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{
        {low(sets.effective), low(sets.permitted), low(sets.inheritable)},
        {high(sets.effective), high(sets.permitted), high(sets.inheritable)},
    };
    if (::syscall(SYS_capset, &header, data) < 0) return errno;
    return 0;
}

}  // namespace fdscope::sys
