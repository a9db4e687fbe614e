// Which processes exec'd (or were renamed), from the kernel's process
// events connector (NETLINK_CONNECTOR, CN_IDX_PROC). The sampler of watch
// and top needs to notice an exec at the next tick; asking every process
// (a readlink of /proc/PID/exe each) doubles the cost of a tick, while the
// kernel can say which ones did.
//
// Only exec and comm events are asked for, with the per-listener filter of
// Linux 6.6 and later: without it every fork and exit on the machine would
// come too. Whether the subscription works is checked once, by renaming
// ourselves to our own name and waiting for that event (the kernel answers
// requests from outside the initial user and pid namespaces with silence,
// and older kernels ignore a filtered request). When it does not, open()
// says so and the caller looks at every process instead.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <sys/types.h>
#include <vector>

struct mnl_socket;

namespace fdscope::netlink {

struct ProcEvent {
    enum class What { Exec, Comm, Other } what = What::Other;
    pid_t tgid = 0;  // the process (thread group) it is about, in the initial pid namespace
};

// One connector message's payload (a struct cn_msg and its proc_event),
// nullopt when it is not a process event or is cut short. Pure.
std::optional<ProcEvent> parse_proc_event(const void* payload, std::size_t len);

class ProcEvents {
public:
    ProcEvents() = default;
    ~ProcEvents();
    ProcEvents(const ProcEvents&) = delete;
    ProcEvents& operator=(const ProcEvents&) = delete;

    // Subscribes; true when the kernel's events were seen to arrive.
    bool open();
    bool active() const { return nl_ != nullptr; }
    // Appends the processes that exec'd or were renamed since the last
    // call. false when events were lost (the socket's queue overflowed):
    // any process may have.
    bool drain(std::vector<pid_t>& pids);

private:
    void close();
    mnl_socket* nl_ = nullptr;
    std::vector<char> buf_;
};

}  // namespace fdscope::netlink
