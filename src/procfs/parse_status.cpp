#include "procfs/parse_status.hpp"

#include "procfs/text.hpp"

namespace fdscope::procfs {

std::optional<StatusInfo> parse_status(std::string_view text) {
    StatusInfo st;
    bool has_tgid = false, has_pid = false;
    std::string_view rest = text;
    std::string_view key, value;
    while (text::next_field(rest, key, value)) {
        // Keys are matched whole: "Pid" must not catch "PPid", "TracerPid" or "NSpid".
        switch (key.size()) {
            case 3:
                if (key == "Pid") {
                    auto v = text::to_num<std::int32_t>(text::trim(value));
                    if (!v) return std::nullopt;
                    st.pid = *v;
                    has_pid = true;
                } else if (key == "Uid") {
                    // "Uid:\treal\teffective\tsaved\tfs"
                    auto r = text::to_num<std::uint32_t>(text::next_token(value));
                    auto e = text::to_num<std::uint32_t>(text::next_token(value));
                    if (r && e) {
                        st.uid_real = *r;
                        st.uid_effective = *e;
                        st.has_uid = true;
                    }
                }
                break;
            case 4:
                if (key == "Tgid") {
                    auto v = text::to_num<std::int32_t>(text::trim(value));
                    if (!v) return std::nullopt;
                    st.tgid = *v;
                    has_tgid = true;
                } else if (key == "PPid") {
                    if (auto v = text::to_num<std::int32_t>(text::trim(value))) st.ppid = *v;
                }
                break;
            case 7:
                if (key == "Threads") {
                    if (auto v = text::to_num<std::uint32_t>(text::trim(value))) st.threads = *v;
                }
                break;
            default:
                break;
        }
    }
    if (!has_tgid || !has_pid) return std::nullopt;
    return st;
}

}  // namespace fdscope::procfs
