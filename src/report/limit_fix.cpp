#include "report/limit_fix.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace fdscope::report {
namespace {

std::string limit_text(std::uint64_t n) { return n == kUnlimited ? std::string("unlimited") : std::to_string(n); }

}  // namespace

std::string raise_nofile_fix(pid_t pid, const Limit& limit, std::uint64_t nr_open) {
    // Twice the soft limit, at least 1024; setrlimit refuses a hard limit
    // above fs.nr_open (EPERM even for root).
    std::uint64_t want = std::max<std::uint64_t>(limit.soft * 2, 1024);
    if (nr_open) want = std::min(want, nr_open);
    if (want <= limit.soft) {
        const std::uint64_t more = limit.soft * 2;
        return fmt::format("find what grows (fdscope ls -p {}); its limit {} is already fs.nr_open: raising it means, as "
                           "root, sysctl -w fs.nr_open={} then prlimit --pid {} --nofile={}:{} (and LimitNOFILE={} in "
                           "its unit).",
                           pid, limit.soft, more, pid, more, more, more);
    }
    if (limit.hard == kUnlimited || want <= limit.hard) {
        // Within the hard limit: any process of the same user may raise it.
        return fmt::format("find what grows (fdscope ls -p {}), or raise the soft limit within the hard one {} (its own "
                           "user may, no privilege needed): prlimit --pid {} --nofile={}:{} (and LimitNOFILE={}:{} in "
                           "its unit).",
                           pid, limit_text(limit.hard), pid, want, limit_text(limit.hard), want,
                           limit_text(limit.hard));
    }
    // The soft limit cannot pass the hard one: raise both, which needs
    // CAP_SYS_RESOURCE; without it, only up to the hard limit.
    std::string unprivileged;
    if (limit.soft < limit.hard)
        unprivileged = fmt::format("; without privilege only up to the hard limit: prlimit --pid {} --nofile={}:{}",
                                   pid, limit.hard, limit.hard);
    return fmt::format("find what grows (fdscope ls -p {}), or raise both limits, as root (raising the hard limit {} "
                       "needs CAP_SYS_RESOURCE): prlimit --pid {} --nofile={}:{}{} (and LimitNOFILE={} in its unit).",
                       pid, limit.hard, pid, want, want, unprivileged, want);
}

}  // namespace fdscope::report
