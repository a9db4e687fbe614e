// Feeds arbitrary bytes to parse_device_rule (a devices.list line): a rule
// it returns is one the matcher can use.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "report/why/cgroup_rules.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto rule = fdscope::report::why::parse_device_rule(text);
    if (!rule) return 0;
    if (rule->type != 'a' && rule->type != 'b' && rule->type != 'c') std::abort();
    if (!rule->read && !rule->write && !rule->mknod) std::abort();
    // A rule grants what it lists to the devices it names.
    const char type = rule->type == 'a' ? 'c' : rule->type;
    if (!fdscope::report::why::device_rule_grants(*rule, type, rule->major.value_or(1), rule->minor.value_or(3),
                                                  rule->read, rule->write))
        std::abort();
    return 0;
}
