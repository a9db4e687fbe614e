#include "procfs/parse_trace_status.hpp"

#include "procfs/text.hpp"

namespace fdscope::procfs {

std::optional<TraceStatus> parse_trace_status(std::string_view text) {
    TraceStatus st;
    bool has_tracer = false;
    std::string_view rest = text;
    std::string_view key, value;
    while (text::next_field(rest, key, value)) {
        value = text::trim(value);
        if (key == "State") {
            if (!value.empty()) st.state = value.front();
        } else if (key == "TracerPid") {
            if (auto v = text::to_num<std::int32_t>(value)) {
                st.tracer_pid = *v;
                has_tracer = true;
            }
        } else if (key == "Seccomp") {
            if (auto v = text::to_num<int>(value)) {
                st.seccomp = *v;
                st.has_seccomp = true;
            }
        } else if (key == "Seccomp_filters") {
            if (auto v = text::to_num<std::uint32_t>(value)) st.seccomp_filters = *v;
        }
    }
    if (!has_tracer) return std::nullopt;
    return st;
}

}  // namespace fdscope::procfs
