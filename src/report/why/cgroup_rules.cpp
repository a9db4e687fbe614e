#include "report/why/cgroup_rules.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <charconv>
#include <fmt/format.h>

#include "report/why/layers.hpp"
#include "report/why/process_text.hpp"

namespace fdscope::report::why {
namespace {

using fdscope::why::Op;

// A major or minor field: a number, or '*' (out stays empty). False: neither.
bool device_number(std::string_view s, std::optional<std::uint32_t>& out) {
    out.reset();
    if (s == "*") return true;
    std::uint32_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return false;
    out = v;
    return true;
}

Check cgroup_check(const Facts& facts, Result result) {
    Check c;
    c.layer = Layer::Cgroup;
    c.path = facts.cgroup.path;
    c.result = result;
    return c;
}

// The device node an open reaches: the walk's last step.
const fdscope::why::Inode* opened_device(const Facts& facts) {
    if (facts.operation.op != Op::Open || facts.walk.steps.empty()) return nullptr;
    const auto& last = facts.walk.steps.back();
    if (!last.last || !last.inode) return nullptr;
    const std::uint32_t type = last.inode->mode & S_IFMT;
    return type == S_IFCHR || type == S_IFBLK ? &*last.inode : nullptr;
}

std::string unit_fix(const Facts& facts, char type, std::uint32_t major, std::uint32_t minor, const std::string& access) {
    const std::string unit = unit_of(facts.cgroup.path);
    const std::string v1 = fmt::format("echo '{} {}:{} {}' > {}/devices.allow", type, major, minor, access,
                                       facts.cgroup.devices_dir);
    if (unit.empty()) return "as root: " + v1;
    return fmt::format("DeviceAllow={} {} in {} (or as root: {})", facts.walk.path, access, unit, v1);
}

}  // namespace

std::optional<DeviceRule> parse_device_rule(std::string_view line) {
    while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.remove_suffix(1);
    const std::size_t sp1 = line.find(' ');
    if (sp1 != 1) return std::nullopt;
    DeviceRule r;
    r.type = line[0];
    if (r.type != 'a' && r.type != 'b' && r.type != 'c') return std::nullopt;
    const std::size_t sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) return std::nullopt;
    const std::string_view numbers = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::size_t colon = numbers.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    if (!device_number(numbers.substr(0, colon), r.major) || !device_number(numbers.substr(colon + 1), r.minor))
        return std::nullopt;
    const std::string_view access = line.substr(sp2 + 1);
    if (access.empty()) return std::nullopt;
    for (const char ch : access) {
        if (ch == 'r') r.read = true;
        else if (ch == 'w') r.write = true;
        else if (ch == 'm') r.mknod = true;
        else return std::nullopt;
    }
    return r;
}

bool device_rule_grants(const DeviceRule& rule, char type, std::uint32_t major, std::uint32_t minor, bool read,
                        bool write) {
    if (rule.type != 'a' && rule.type != type) return false;
    if (rule.type != 'a') {
        if (rule.major && *rule.major != major) return false;
        if (rule.minor && *rule.minor != minor) return false;
    }
    return (!read || rule.read) && (!write || rule.write);
}

std::vector<Check> cgroup_io_notes(const Facts& facts) {
    const auto& cg = facts.cgroup;
    std::vector<Check> notes;
    if (!cg.known) return notes;
    auto note = [&](std::string detail, std::string explain) {
        Check c = cgroup_check(facts, Result::Note);
        c.detail = std::move(detail);
        c.explain = std::move(explain);
        notes.push_back(std::move(c));
    };
    if (cg.memory_high && cg.memory_high_events > 0)
        note(fmt::format("memory.high {}, memory.events high {}", size_text(*cg.memory_high), grouped(cg.memory_high_events)),
             fmt::format("writes block in reclaim: memory.high {} reached {} times (page cache counts against it)",
                         size_text(*cg.memory_high), grouped(cg.memory_high_events)));
    if (cg.memory_max && cg.memory_max_events > 0)
        note(fmt::format("memory.max {}, memory.events max {}", size_text(*cg.memory_max), grouped(cg.memory_max_events)),
             fmt::format("I/O stalls in direct reclaim and the OOM killer may end the process: memory.max {} reached "
                         "{} times",
                         size_text(*cg.memory_max), grouped(cg.memory_max_events)));
    if (!cg.io_max.empty())
        note("io.max " + cg.io_max, "reads and writes to those devices are throttled to the io.max limits");
    if (cg.memory_pressure_avg10 && *cg.memory_pressure_avg10 > 0)
        note(fmt::format("memory.pressure some avg10={:.2f}", *cg.memory_pressure_avg10),
             fmt::format("tasks of the cgroup waited for memory {:.2f}% of the last 10 s", *cg.memory_pressure_avg10));
    if (cg.io_pressure_avg10 && *cg.io_pressure_avg10 > 0)
        note(fmt::format("io.pressure some avg10={:.2f}", *cg.io_pressure_avg10),
             fmt::format("tasks of the cgroup waited for I/O {:.2f}% of the last 10 s", *cg.io_pressure_avg10));
    return notes;
}

std::vector<Check> cgroup_checks(const Facts& facts) {
    const fdscope::why::Inode* dev = opened_device(facts);
    if (!dev) return {};
    const auto& cg = facts.cgroup;
    const char type = (dev->mode & S_IFMT) == S_IFBLK ? 'b' : 'c';
    const std::uint32_t major = ::major(dev->rdev), minor = ::minor(dev->rdev);
    const auto& f = facts.operation.open;
    const bool write = f.write || f.trunc;
    const bool read = f.read || !f.write;
    const std::string access = std::string(read ? "r" : "") + (write ? "w" : "");
    const std::string device = fmt::format("{} {}:{}", type, major, minor);
    if (!cg.known) {
        Check c = cgroup_check(facts, Result::Unknown);
        c.detail = "the subject's cgroup was not read";
        c.explain = "whether a device controller allows " + device + " is not known";
        return {c};
    }
    std::vector<Check> checks;
    if (cg.device_bpf) {
        Check c = cgroup_check(facts, Result::Unknown);
        c.detail = "a BPF device program is attached to " + cg.path;
        c.explain = fmt::format("a BPF device program is attached; cannot be evaluated (it decides {} {})", access, device);
        checks.push_back(c);
    }
    if (cg.devices_v1) {
        Check c = cgroup_check(facts, Result::Fail);
        c.path = cg.devices_path;
        for (const auto& line : cg.devices_list) {
            const auto rule = parse_device_rule(line);
            if (rule && device_rule_grants(*rule, type, major, minor, read, write)) {
                c.result = Result::Pass;
                c.detail = fmt::format("devices.list \"{}\" grants {} {}", line, access, device);
                // With "a *:* rwm" the list shows only that: the default allows
                // and devices.deny entries are not listed.
                if (rule->type == 'a') c.detail += " (default allow; denied devices are not listed)";
                break;
            }
        }
        if (c.result == Result::Fail) {
            c.error = EPERM;
            c.detail = fmt::format("devices.list ({} entries) has no entry granting {} {}", cg.devices_list.size(), access,
                                   device);
            c.explain = fmt::format("the devices cgroup {} does not allow {} on {} ({}): EPERM after the permission "
                                    "bits passed",
                                    cg.devices_path, access, facts.walk.path, device);
            c.fix = unit_fix(facts, type, major, minor, access);
        }
        checks.push_back(c);
    }
    if (checks.empty()) {
        Check c = cgroup_check(facts, Result::Pass);
        c.detail = "no device controller applies to " + cg.path;
        checks.push_back(c);
    }
    return checks;
}

}  // namespace fdscope::report::why
