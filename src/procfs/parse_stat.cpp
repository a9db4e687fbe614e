#include "procfs/parse_stat.hpp"

#include "procfs/text.hpp"

namespace fdscope::procfs {

std::optional<StatInfo> parse_stat(std::string_view text) {
    // comm is whatever the task named itself (prctl PR_SET_NAME), so it may
    // hold ") (", blanks and newlines; only the last ')' is the real end.
    std::size_t open = text.find('(');
    std::size_t close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open)
        return std::nullopt;

    StatInfo st;
    auto pid = text::to_num<std::int32_t>(text::trim(text.substr(0, open)));
    if (!pid) return std::nullopt;
    st.pid = *pid;

    // Fields after comm, numbered as in proc(5): 3 is state.
    std::string_view rest = text.substr(close + 1);
    std::string_view state = text::next_token(rest);
    if (state.size() != 1) return std::nullopt;
    st.state = state[0];

    auto ppid = text::to_num<std::int32_t>(text::next_token(rest));  // field 4
    if (!ppid) return std::nullopt;
    st.ppid = *ppid;

    // Fields 5..19 are not needed, but must be there: a truncated line is
    // not a stat line.
    for (int field = 5; field <= 19; ++field) {
        std::string_view tok = text::next_token(rest);
        if (tok.empty()) return std::nullopt;
        if (field == 9)
            if (auto f = text::to_num<std::uint32_t>(tok)) st.flags = *f;
        if (field == 14)
            if (auto t = text::to_num<std::uint64_t>(tok)) st.utime = *t;
        if (field == 15)
            if (auto t = text::to_num<std::uint64_t>(tok)) st.stime = *t;
    }

    auto threads = text::to_num<std::uint32_t>(text::next_token(rest));  // field 20
    if (!threads) return std::nullopt;
    if (text::next_token(rest).empty()) return std::nullopt;               // field 21
    auto start = text::to_num<std::uint64_t>(text::trim(text::next_token(rest)));  // field 22
    if (!start) return std::nullopt;
    st.num_threads = *threads;
    st.start_time = *start;
    text::next_token(rest);                                                  // field 23, vsize
    if (auto rss = text::to_num<std::uint64_t>(text::trim(text::next_token(rest)))) st.rss_pages = *rss;

    st.comm.assign(text.substr(open + 1, close - open - 1));
    return st;
}

}  // namespace fdscope::procfs
