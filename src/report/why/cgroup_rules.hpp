// The cgroup layer: the v1 device controller's list (devcgroup_inode_permission,
// after DAC: EPERM), a v2 device program (not evaluable), and for reads and
// writes what makes I/O slow or block rather than fail: memory.high/max
// breaches, io.max, pressure.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/why/check.hpp"

namespace fdscope::report::why {

// One devices.list line: "c 1:3 rwm", "a *:* rwm", "b 8:* r".
struct DeviceRule {
    char type = 'a';             // 'a' all, 'b' block, 'c' char
    std::optional<std::uint32_t> major, minor;  // none: '*'
    bool read = false, write = false, mknod = false;
};
std::optional<DeviceRule> parse_device_rule(std::string_view line);

// Whether `rule` grants `type` (b or c) major:minor the access asked for.
bool device_rule_grants(const DeviceRule& rule, char type, std::uint32_t major, std::uint32_t minor, bool read,
                        bool write);

// The I/O notes of the subject's cgroup (Result::Note), for reads and writes.
std::vector<Check> cgroup_io_notes(const Facts& facts);

}  // namespace fdscope::report::why
