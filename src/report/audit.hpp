// `fdscope audit`: descriptor hazards that cause outages, each explained in a
// sentence with its fix. Pure: findings from a Snapshot.
#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <sys/types.h>
#include <vector>

#include "model/snapshot.hpp"

namespace fdscope::report {

enum class Severity : std::uint8_t { Low, Medium, High };
std::string_view severity_name(Severity s);  // "low", "medium", "high"
std::optional<Severity> severity_from_name(std::string_view s);

// inherited, no-cloexec, stdio, deleted, near-limit
inline constexpr std::string_view kFindingKinds[] = {"inherited", "no-cloexec", "stdio", "deleted", "near-limit"};

struct Holder {
    pid_t pid = 0;
    std::string command;
    std::int32_t fd = -1;  // -1: the process it came from, which has closed its copy since
};

struct Finding {
    std::string kind;
    Severity severity = Severity::Low;
    pid_t pid = 0;                 // 0: the machine (near-limit on file-max)
    std::string command;
    std::int32_t fd = -1;          // -1: not about one fd
    std::uint32_t description = kNoDescription;
    std::string name;              // the object: path, "tcp 127.0.0.1:8080 LISTEN", ...
    std::uint64_t port = 0;        // sockets: local port (suppression rules match it)
    std::vector<Holder> holders;   // inherited: where it came from first, then the other holders
    std::string explain, fix;
};

// Deleted-but-open bytes per filesystem ("disk full but du disagrees").
struct DeletedSpace {
    std::uint64_t dev = 0;
    std::string mount_point;       // "" when not in fdscope's mount namespace
    std::uint64_t bytes = 0, files = 0;
};

struct AuditOptions {
    bool strict = false;                        // no-cloexec findings
    std::uint64_t deleted_medium = 1ULL << 20;  // deleted files above this size are medium
    double near_percent = 80, high_percent = 95;
    // Only findings about these processes (nullopt: all); other processes
    // are still read to name where an inherited description came from.
    std::optional<std::vector<pid_t>> scope;
    // Files with a lock held on them ((st_dev, inode), from /proc/locks): an
    // inherited regular file that is locked is high.
    std::set<std::pair<std::uint64_t, std::uint64_t>> locked;
};

struct Audit {
    std::vector<Finding> findings;  // by severity (high first), then pid, fd
    std::vector<DeletedSpace> deleted;
};

Audit audit(const Snapshot& snap, const AuditOptions& opts);

}  // namespace fdscope::report
