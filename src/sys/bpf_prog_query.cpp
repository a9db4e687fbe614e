#include "sys/bpf_prog_query.hpp"

#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fdscope::sys {

int cgroup_prog_count(int cgroup_fd, std::uint32_t attach_type, bool effective, std::uint32_t& count) {
    union bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.query.target_fd = static_cast<std::uint32_t>(cgroup_fd);
    attr.query.attach_type = attach_type;
    attr.query.query_flags = effective ? BPF_F_QUERY_EFFECTIVE : 0;
    attr.query.prog_ids = 0;  // no ids wanted: prog_cnt alone
    attr.query.prog_cnt = 0;
    if (::syscall(SYS_bpf, BPF_PROG_QUERY, &attr, sizeof attr) != 0) return errno;
    count = attr.query.prog_cnt;
    return 0;
}

}  // namespace fdscope::sys
