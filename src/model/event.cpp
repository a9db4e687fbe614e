#include "model/event.hpp"

#include <array>

namespace fdscope {
namespace {

struct OpInfo {
    std::string_view name;
    OpClass cls;
};

// Indexed by Op; a static_assert below keeps it in step with the enum.
constexpr std::array<OpInfo, kOpCount> kOps = {{
    {"open", OpClass::Create},
    {"openat", OpClass::Create},
    {"openat2", OpClass::Create},
    {"creat", OpClass::Create},
    {"open_by_handle_at", OpClass::Create},
    {"open_tree", OpClass::Create},
    {"mq_open", OpClass::Create},
    {"socket", OpClass::Create},
    {"socketpair", OpClass::Create},
    {"accept", OpClass::Create},
    {"accept4", OpClass::Create},
    {"pipe", OpClass::Create},
    {"pipe2", OpClass::Create},
    {"dup", OpClass::Duplicate},
    {"dup2", OpClass::Duplicate},
    {"dup3", OpClass::Duplicate},
    {"fcntl_dupfd", OpClass::Duplicate},
    {"fcntl_dupfd_cloexec", OpClass::Duplicate},
    {"eventfd", OpClass::Create},
    {"timerfd_create", OpClass::Create},
    {"signalfd", OpClass::Create},
    {"epoll_create", OpClass::Create},
    {"inotify_init", OpClass::Create},
    {"fanotify_init", OpClass::Create},
    {"memfd_create", OpClass::Create},
    {"memfd_secret", OpClass::Create},
    {"pidfd_open", OpClass::Create},
    {"pidfd_getfd", OpClass::Create},
    {"clone_pidfd", OpClass::Create},
    {"userfaultfd", OpClass::Create},
    {"perf_event_open", OpClass::Create},
    {"io_uring_setup", OpClass::Create},
    {"bpf", OpClass::Create},
    {"fsopen", OpClass::Create},
    {"fsmount", OpClass::Create},
    {"fspick", OpClass::Create},
    {"landlock_create_ruleset", OpClass::Create},
    {"seccomp_listener", OpClass::Create},
    {"recvmsg_rights", OpClass::Create},
    {"ioctl", OpClass::Create},
    {"close", OpClass::Close},
    {"close_range", OpClass::Close},
    {"fcntl_setfd", OpClass::Reflag},
    {"ioctl_cloexec", OpClass::Reflag},
    {"fork", OpClass::Process},
    {"vfork", OpClass::Process},
    {"clone", OpClass::Process},
    {"unshare", OpClass::Process},
    {"execve", OpClass::Process},
    {"execveat", OpClass::Process},
    {"exit", OpClass::Process},
    {"present", OpClass::Meta},
    {"reconcile", OpClass::Meta},
    {"lost", OpClass::Meta},
}};
static_assert(kOps.back().name == "lost", "kOps must follow enum Op");

}  // namespace

std::string_view op_name(Op op) { return kOps[static_cast<std::size_t>(op)].name; }

OpClass op_class(Op op) { return kOps[static_cast<std::size_t>(op)].cls; }

std::optional<Op> op_from_name(std::string_view name) {
    for (std::size_t i = 0; i < kOps.size(); ++i)
        if (kOps[i].name == name) return static_cast<Op>(i);
    return std::nullopt;
}

}  // namespace fdscope
