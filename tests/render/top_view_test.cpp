// `fdscope top`'s screen without a terminal: its exact size whatever the
// names, sorting, filtering, selection and scrolling, suspects, the
// drill-down, and the sparkline.
#include "render/top_view.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

#include "render/escape.hpp"
#include "render/utf8_oracle.hpp"
#include "render/time_text.hpp"

namespace fdscope::render {
namespace {

using report::ProcKey;
using report::TrendOptions;
using report::TrendTracker;

constexpr double kT0 = 1'700'000'000;  // first tick (Unix seconds)
constexpr std::uint64_t kStart = 77;    // start_ticks of every test process

ProcSample ps(pid_t pid, std::string comm, std::uint64_t fds, std::uint64_t limit = 4096) {
    ProcSample s;
    s.pid = pid;
    s.start_ticks = kStart;
    s.start = kT0 - 3600;
    s.comm = std::move(comm);
    s.fds = fds;
    s.limit = limit;
    return s;
}

Tick make_tick(double time, std::vector<ProcSample> procs) {
    Tick t;
    t.time = time;
    t.file_nr = 12'345;
    t.file_max = 1'000'000;
    t.listed = true;
    t.procs = std::move(procs);
    return t;
}

// `n` ticks one second apart; procs(i) are the samples of tick i.
template <class F>
Tick feed(TrendTracker& tr, int n, F procs) {
    Tick last;
    for (int i = 0; i < n; ++i) {
        last = make_tick(kT0 + i, procs(i));
        tr.update(last);
    }
    return last;
}

bool valid_utf8(const std::string& s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 1 : (c >= 0xc2 && c <= 0xdf) ? 2 : (c >= 0xe0 && c <= 0xef) ? 3
                                                                  : (c >= 0xf0 && c <= 0xf4) ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
        i += n;
    }
    return true;
}

// Exactly `height` lines of exactly `width` columns, one terminal line each.
void expect_screen(const std::vector<ScreenLine>& lines, int width, int height) {
    ASSERT_EQ(lines.size(), static_cast<std::size_t>(height));
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& t = lines[i].text;
        EXPECT_EQ(display_width(t), static_cast<std::size_t>(width)) << "line " << i << ": [" << t << "]";
        EXPECT_TRUE(valid_utf8(t)) << "line " << i;
        for (char c : t) {
            const auto u = static_cast<unsigned char>(c);
            EXPECT_FALSE(u < 0x20 || u == 0x7f) << "control byte " << int(u) << " in line " << i;
        }
    }
}

std::string rtrim(std::string s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}

// The line of the process row whose PID column reads `pid_text`; -1 if none.
int row_of(const std::vector<ScreenLine>& lines, const std::string& pid_text) {
    const std::string want = std::string(pid_text.size() < 8 ? 8 - pid_text.size() : 0, ' ') + pid_text + " ";
    for (std::size_t i = 3; i < lines.size(); ++i)
        if (lines[i].text.rfind(want, 0) == 0) return static_cast<int>(i);
    return -1;
}

std::vector<pid_t> pids_of(const std::vector<const report::Trend*>& rows) {
    std::vector<pid_t> out;
    for (const auto* t : rows) out.push_back(t->key.first);
    return out;
}

// ------------------------------------------------------------ the grid

TEST(TopView, EightyByTwentyFourWithHostileNames) {
    TrendTracker tr{TrendOptions{}};
    const std::string long_name(100, 'x');
    const Tick last = feed(tr, 12, [&](int i) {
        return std::vector<ProcSample>{
            ps(101, "evil\nname", 60),
            ps(102, "tab\there", 50),
            ps(103, "bad\xff", 40),
            ps(104, long_name, 30 + 20 * static_cast<std::uint64_t>(i)),
            ps(105, "\x1b[31mred", 20),
            ps(106, "h\xc3\xa9llo\xe2\x9c\x93", 10, 0),
        };
    });
    TopState st;
    const auto lines = top_screen(tr, last, 1.0, st, 80, 24);
    expect_screen(lines, 80, 24);
    EXPECT_EQ(lines.front().style, LineStyle::Suspect) << "pid 104 leaks";
    EXPECT_EQ(lines.back().style, LineStyle::Help);
    EXPECT_NE(lines[1].text.find("6 processes"), std::string::npos) << lines[1].text;
    EXPECT_NE(lines[2].text.find("PID COMMAND"), std::string::npos) << lines[2].text;
    auto row = [&](const char* pid) {
        const int i = row_of(lines, pid);
        EXPECT_GE(i, 3) << "pid " << pid << " not on screen";
        return i >= 0 ? lines[static_cast<std::size_t>(i)].text : std::string();
    };
    EXPECT_NE(row("101").find("evil\\nname"), std::string::npos);
    EXPECT_NE(row("102").find("tab\\there"), std::string::npos);
    EXPECT_NE(row("103").find("bad\\xff"), std::string::npos);
    EXPECT_NE(row("*104").find("xxxxxxx\xe2\x80\xa6xxxxxxx"), std::string::npos) << "the middle of a long name goes";
    EXPECT_NE(row("105").find("\\x1b[31mred"), std::string::npos);
    const std::string utf = row("106");
    EXPECT_NE(utf.find("h\xc3\xa9llo\xe2\x9c\x93"), std::string::npos) << "printable UTF-8 is kept";
    EXPECT_NE(utf.find(" - "), std::string::npos) << "no limit: '-'";

    // And the drill-down of the hostile one.
    st.drill = ProcKey{101, kStart};
    expect_screen(top_screen(tr, last, 1.0, st, 80, 24), 80, 24);
    st.drill = ProcKey{104, kStart};
    const auto drill = top_screen(tr, last, 1.0, st, 80, 24);
    expect_screen(drill, 80, 24);
}

// The screen's own count of columns is not the judge here: a terminal's is
// (testing::terminal_columns). Rows of wide, emoji and combining names are
// as wide as the screen, and their FDS column is where the header's is.
TEST(TopView, WideAndCombiningNamesKeepTheColumnsInLine) {
    TrendTracker tr{TrendOptions{}};
    const Tick last = feed(tr, 3, [&](int) {
        return std::vector<ProcSample>{
            ps(201, "\xf0\x9f\x9a\x80\xf0\x9f\x9a\x80\xf0\x9f\x9a\x80", 60),        // 🚀🚀🚀
            ps(202, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac", 50),  // 日本語日本
            ps(203, "e\xcc\x81" "e\xcc\x81" "e\xcc\x81", 40),
            ps(204, "\xe6\x97\xa5" "abcdefgh\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5", 30),  // wide at the cut
        };
    });
    TopState st;
    const auto lines = top_screen(tr, last, 1.0, st, 80, 24);
    ASSERT_EQ(lines.size(), 24u);
    const std::string& head = lines[2].text;
    using testing::terminal_columns;
    const int fds_end = terminal_columns(head.substr(0, head.find("FDS") + 3));
    for (const char* pid : {"201", "202", "203", "204"}) {
        const int i = row_of(lines, pid);
        ASSERT_GE(i, 3) << pid;
        const std::string& row = lines[static_cast<std::size_t>(i)].text;
        EXPECT_EQ(terminal_columns(row), 80) << "[" << row << "]";
        const std::size_t fds_at = row.find(std::to_string(60 - 10 * (std::stoi(pid) - 201)) + " ");
        ASSERT_NE(fds_at, std::string::npos) << row;
        EXPECT_EQ(terminal_columns(row.substr(0, fds_at + 2)), fds_end) << "[" << row << "]";
    }
    EXPECT_NE(lines[1].text.find("4 processes"), std::string::npos) << lines[1].text;
}

TEST(TopView, OneProcessIsOneProcess) {
    TrendTracker tr{TrendOptions{}};
    const Tick last = feed(tr, 2, [&](int) { return std::vector<ProcSample>{ps(301, "solo", 5)}; });
    TopState st;
    const auto lines = top_screen(tr, last, 1.0, st, 80, 24);
    EXPECT_EQ(lines[1].text.rfind("1 process ", 0), 0u) << lines[1].text;
    EXPECT_NE(lines[0].text.find("0 leak suspects"), std::string::npos) << lines[0].text;
}

TEST(TopView, WiderAndTallerScreensAreFilledExactly) {
    TrendTracker tr{TrendOptions{}};
    const Tick last = feed(tr, 5, [](int) { return std::vector<ProcSample>{ps(1, "init", 80), ps(2, "sh", 3)}; });
    for (auto [w, h] : {std::pair{80, 24}, std::pair{132, 50}, std::pair{20, 6}, std::pair{37, 9}}) {
        TopState st;
        SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
        expect_screen(top_screen(tr, last, 1.0, st, w, h), w, h);
        st.drill = ProcKey{1, kStart};
        expect_screen(top_screen(tr, last, 1.0, st, w, h), w, h);
    }
}

TEST(TopView, TooSmallTerminalDoesNotCrash) {
    TrendTracker tr{TrendOptions{}};
    const Tick last = feed(tr, 3, [](int) { return std::vector<ProcSample>{ps(1, "init", 80)}; });
    for (auto [w, h] : {std::pair{19, 24}, std::pair{80, 5}, std::pair{0, 0}, std::pair{-1, -1}, std::pair{1, 1}}) {
        TopState st;
        auto lines = top_screen(tr, last, 1.0, st, w, h);
        ASSERT_EQ(lines.size(), 1u);
        EXPECT_EQ(lines[0].text, "too small");
        st.drill = ProcKey{1, kStart};
        lines = top_screen(tr, last, 1.0, st, w, h);
        ASSERT_EQ(lines.size(), 1u);
        EXPECT_EQ(lines[0].text, "too small");
    }
}

TEST(TopView, EmptyTrackerStillFillsTheScreen) {
    TrendTracker tr{TrendOptions{}};
    TopState st;
    const auto lines = top_screen(tr, make_tick(kT0, {}), 1.0, st, 80, 24);
    expect_screen(lines, 80, 24);
    EXPECT_NE(lines[1].text.find("0 processes"), std::string::npos);
    EXPECT_FALSE(st.selected.has_value());
}

// ------------------------------------------------------- selection, scroll

TEST(TopView, MoreProcessesThanFitScrollToKeepTheSelectionVisible) {
    TrendTracker tr{TrendOptions{}};
    const Tick last = feed(tr, 3, [](int) {
        std::vector<ProcSample> v;
        for (int k = 0; k < 50; ++k) v.push_back(ps(1000 + k, "worker", 10 + static_cast<std::uint64_t>(k)));
        return v;
    });
    TopState st;
    const auto rows = top_rows(tr, st);
    ASSERT_EQ(rows.size(), 50u);
    EXPECT_EQ(rows.front()->key.first, 1049) << "most fds first";
    EXPECT_EQ(rows.back()->key.first, 1000);

    // Nothing selected: the first row is.
    auto lines = top_screen(tr, last, 1.0, st, 80, 24);
    expect_screen(lines, 80, 24);
    ASSERT_TRUE(st.selected);
    EXPECT_EQ(*st.selected, (ProcKey{1049, kStart}));
    EXPECT_EQ(row_of(lines, "1049"), 3);
    EXPECT_EQ(lines[3].style, LineStyle::Selected);
    EXPECT_EQ(row_of(lines, "1000"), -1) << "20 rows fit, not 50";

    // The last row selected: scrolled down to it, still 24 lines.
    st.selected = rows.back()->key;
    lines = top_screen(tr, last, 1.0, st, 80, 24);
    expect_screen(lines, 80, 24);
    EXPECT_EQ(st.scroll, 30u);
    const int at = row_of(lines, "1000");
    ASSERT_GE(at, 3);
    EXPECT_EQ(at, 22) << "the last visible row";
    EXPECT_EQ(lines[static_cast<std::size_t>(at)].style, LineStyle::Selected);
    EXPECT_EQ(row_of(lines, "1019"), 3) << "rows[30] is the first shown";
    EXPECT_EQ(row_of(lines, "1049"), -1);
    for (std::size_t i = 3; i < 23; ++i)
        if (static_cast<int>(i) != at) {
            EXPECT_EQ(lines[i].style, LineStyle::Row) << "line " << i;
        }

    // Back to the top.
    st.selected = rows.front()->key;
    lines = top_screen(tr, last, 1.0, st, 80, 24);
    EXPECT_EQ(st.scroll, 0u);
    EXPECT_EQ(row_of(lines, "1049"), 3);
}

TEST(TopView, SettleSelection) {
    TrendTracker tr{TrendOptions{}};
    feed(tr, 2, [](int) {
        std::vector<ProcSample> v;
        for (int k = 0; k < 50; ++k) v.push_back(ps(1000 + k, "worker", 10 + static_cast<std::uint64_t>(k)));
        return v;
    });
    TopState st;
    const auto rows = top_rows(tr, st);
    st.selected = rows[45]->key;
    EXPECT_EQ(settle_selection(st, rows, 20), 45u);
    EXPECT_EQ(st.scroll, 26u);
    st.selected = rows[30]->key;
    EXPECT_EQ(settle_selection(st, rows, 20), 30u);
    EXPECT_EQ(st.scroll, 26u) << "already in view: no scroll";
    st.selected = rows[10]->key;
    EXPECT_EQ(settle_selection(st, rows, 20), 10u);
    EXPECT_EQ(st.scroll, 10u);
    // Gone (exited, filtered out): the first row.
    st.selected = ProcKey{9999, 1};
    EXPECT_EQ(settle_selection(st, rows, 20), 0u);
    EXPECT_EQ(st.selected, rows[0]->key);
    EXPECT_EQ(st.scroll, 0u);
    // No rows: nothing selected.
    EXPECT_EQ(settle_selection(st, {}, 20), 0u);
    EXPECT_FALSE(st.selected.has_value());
}

// A selection far down, then a filter that leaves a few rows: they all fit,
// so all must show (a stale scroll offset once hid the rows above the
// selection while the rest of the screen stayed empty).
TEST(TopView, FilteringAfterScrollingShowsEveryRowThatFits) {
    TrendTracker tr{TrendOptions{}};
    const Tick last = feed(tr, 2, [](int) {
        std::vector<ProcSample> v;
        for (int k = 0; k < 50; ++k) v.push_back(ps(1000 + k, "worker", 10 + static_cast<std::uint64_t>(k)));
        return v;
    });
    TopState st;
    st.selected = ProcKey{1000, kStart};  // the last row
    top_screen(tr, last, 1.0, st, 80, 24);
    ASSERT_EQ(st.scroll, 30u);
    st.filter = "100";  // pids 1000..1009: 10 rows, 1000 still the last
    const auto lines = top_screen(tr, last, 1.0, st, 80, 24);
    for (int pid = 1000; pid <= 1009; ++pid)
        EXPECT_GE(row_of(lines, std::to_string(pid)), 3) << "pid " << pid << " hidden; scroll " << st.scroll;
}

// ---------------------------------------------------------------- sorting

TEST(TopView, SortByFdsRateAndPercent) {
    TrendTracker tr{TrendOptions{}};
    const Tick last = feed(tr, 12, [](int i) {
        return std::vector<ProcSample>{
            ps(201, "alpha", 1000, 100000),                                    // 1%, flat
            ps(202, "bravo", 100, 128),                                        // 78%, flat
            ps(203, "charlie", 10 + 20 * static_cast<std::uint64_t>(i), 4096),  // 5.6%, 1200/min
        };
    });
    TopState st;
    EXPECT_EQ(pids_of(top_rows(tr, st)), (std::vector<pid_t>{201, 203, 202}));
    st.sort = TopSort::Rate;
    EXPECT_EQ(pids_of(top_rows(tr, st)), (std::vector<pid_t>{203, 201, 202})) << "ties by pid";
    st.sort = TopSort::Percent;
    EXPECT_EQ(pids_of(top_rows(tr, st)), (std::vector<pid_t>{202, 203, 201}));

    // The screen shows them in that order, and says how they are sorted.
    const auto lines = top_screen(tr, last, 1.0, st, 80, 24);
    expect_screen(lines, 80, 24);
    EXPECT_NE(lines[1].text.find("sort: % of limit"), std::string::npos) << lines[1].text;
    EXPECT_EQ(row_of(lines, "202"), 3);
    EXPECT_EQ(row_of(lines, "*203"), 4);
    EXPECT_EQ(row_of(lines, "201"), 5);
    EXPECT_NE(lines[3].text.find(" 78% "), std::string::npos) << lines[3].text;
    EXPECT_NE(lines[4].text.find("+1200"), std::string::npos) << lines[4].text;
    EXPECT_NE(lines[4].text.find("3m13s"), std::string::npos) << "(4096-230)/20 s: " << lines[4].text;
    st.sort = TopSort::Rate;
    EXPECT_NE(top_screen(tr, last, 1.0, st, 80, 24)[1].text.find("sort: rate"), std::string::npos);
    EXPECT_STREQ(top_sort_name(TopSort::Fds), "fds");
}

// ---------------------------------------------------------------- filter

TEST(TopView, FilterMatchesCommandSubstringsAndPidPrefixes) {
    TrendTracker tr{TrendOptions{}};
    const Tick last = feed(tr, 2, [](int) {
        return std::vector<ProcSample>{ps(120, "nginx", 30), ps(512, "postgres", 20), ps(1234, "nginx-worker", 10)};
    });
    TopState st;
    auto filtered = [&](const std::string& f) {
        st.filter = f;
        return pids_of(top_rows(tr, st));
    };
    EXPECT_EQ(filtered(""), (std::vector<pid_t>{120, 512, 1234}));
    EXPECT_EQ(filtered("nginx"), (std::vector<pid_t>{120, 1234}));
    EXPECT_EQ(filtered("gres"), (std::vector<pid_t>{512}));
    EXPECT_EQ(filtered("-worker"), (std::vector<pid_t>{1234}));
    EXPECT_EQ(filtered("12"), (std::vector<pid_t>{120, 1234})) << "pid prefixes";
    EXPECT_EQ(filtered("51"), (std::vector<pid_t>{512}));
    EXPECT_TRUE(filtered("34").empty()) << "a pid matches by its prefix only";
    EXPECT_TRUE(filtered("NGINX").empty()) << "case matters";
    EXPECT_TRUE(filtered("apache").empty());

    st.filter = "nginx";
    auto lines = top_screen(tr, last, 1.0, st, 80, 24);
    expect_screen(lines, 80, 24);
    EXPECT_NE(lines[1].text.find("2 processes matching \"nginx\""), std::string::npos) << lines[1].text;
    EXPECT_EQ(row_of(lines, "512"), -1);
    EXPECT_GE(row_of(lines, "120"), 3);

    st.filter = "a\tb\n";
    lines = top_screen(tr, last, 1.0, st, 80, 24);
    expect_screen(lines, 80, 24);
    EXPECT_NE(lines[1].text.find("matching \"a\\tb\\n\""), std::string::npos) << lines[1].text;
    EXPECT_FALSE(st.selected.has_value());

    st.filter.clear();
    st.prompt = "ngi\x1b";
    lines = top_screen(tr, last, 1.0, st, 80, 24);
    expect_screen(lines, 80, 24);
    EXPECT_EQ(lines.back().style, LineStyle::Prompt);
    EXPECT_NE(lines.back().text.find("ngi\\x1b"), std::string::npos) << lines.back().text;
}

// ---------------------------------------------------------------- suspects

TEST(TopView, SuspectsAreStarredAndStyled) {
    TrendTracker tr{TrendOptions{}};
    const Tick last = feed(tr, 12, [](int i) {
        return std::vector<ProcSample>{ps(301, "big", 3000), ps(302, "leaker", 100 + 20 * static_cast<std::uint64_t>(i))};
    });
    ASSERT_EQ(tr.suspects(), 1u);
    TopState st;
    auto lines = top_screen(tr, last, 1.0, st, 80, 24);
    expect_screen(lines, 80, 24);
    EXPECT_EQ(lines[0].style, LineStyle::Suspect);
    EXPECT_NE(lines[0].text.find(" 1 leak suspect "), std::string::npos) << lines[0].text;
    ASSERT_EQ(row_of(lines, "301"), 3);
    EXPECT_EQ(lines[3].style, LineStyle::Selected);
    ASSERT_EQ(row_of(lines, "*302"), 4);
    EXPECT_EQ(lines[4].style, LineStyle::Suspect);
    EXPECT_EQ(row_of(lines, "302"), -1) << "a suspect's pid is always starred";
    EXPECT_EQ(row_of(lines, "*301"), -1);

    st.selected = ProcKey{302, kStart};
    lines = top_screen(tr, last, 1.0, st, 80, 24);
    EXPECT_EQ(lines[3].style, LineStyle::Row);
    EXPECT_EQ(lines[4].style, LineStyle::SelectedSuspect);

    // Without suspects: a plain title, plural.
    TrendTracker calm{TrendOptions{}};
    const Tick t = feed(calm, 3, [](int) { return std::vector<ProcSample>{ps(1, "init", 10)}; });
    TopState s2;
    lines = top_screen(calm, t, 1.0, s2, 80, 24);
    EXPECT_EQ(lines[0].style, LineStyle::Title);
    EXPECT_NE(lines[0].text.find(" 0 leak suspects "), std::string::npos) << lines[0].text;
}

// On machines where fs.file-max is LONG_MAX (the systemd default since
// v240) the title once spent 25 columns on it and cut the suspect count.
TEST(TopView, TitleShowsTheSuspectCountAtEightyColumnsWithAHugeFileMax) {
    TrendTracker tr{TrendOptions{}};
    Tick last = feed(tr, 12, [](int i) { return std::vector<ProcSample>{ps(302, "leaker", 100 + 20 * static_cast<std::uint64_t>(i))}; });
    last.file_max = 9'223'372'036'854'775'807ULL;
    TopState st;
    const auto lines = top_screen(tr, last, 1.0, st, 80, 24);
    expect_screen(lines, 80, 24);
    EXPECT_NE(lines[0].text.find("1 leak suspect"), std::string::npos) << lines[0].text;
}

// ---------------------------------------------------------------- drill

TEST(TopView, DrillShowsKindsAndTheDiffSinceTheBaseline) {
    TrendTracker tr{TrendOptions{}};
    const Tick last = feed(tr, 12, [](int i) {
        return std::vector<ProcSample>{ps(301, "big", 3000), ps(302, "leaker", 10 + 20 * static_cast<std::uint64_t>(i))};
    });
    TopState st;
    st.drill = ProcKey{302, kStart};
    st.drill_data.taken = true;
    st.drill_data.time = last.time;
    st.drill_data.baseline_time = kT0 - 60;
    st.drill_data.kinds = {{"file", "", 200}, {"tcp", "", 25}, {"pipe", "", 5}};
    st.drill_data.diff = {{"file", "/var/log/app.log", 200},
                          {"tcp", "-> 10.0.0.5:5432 (CLOSE-WAIT)", 12},
                          {"pipe", "", -2}};
    const auto lines = top_screen(tr, last, 1.0, st, 80, 24);
    expect_screen(lines, 80, 24);
    std::vector<std::string> text;
    for (const auto& l : lines) text.push_back(rtrim(l.text));
    EXPECT_EQ(text[1], "pid 302 leaker  230 fds of 4,096 (5.6%)");
    EXPECT_EQ(lines[1].style, LineStyle::Title);
    EXPECT_EQ(text[2], "rate +1200/min, limit in 3m13s, LEAK: growing since " + format_clock(kT0));
    EXPECT_EQ(lines[2].style, LineStyle::Suspect);
    EXPECT_EQ(text[3], "first seen " + format_clock(kT0) + " with 10 fds: +220 since");
    EXPECT_EQ(text[4].rfind("history (", 0), 0u) << text[4];
    EXPECT_EQ(text[5], "");
    EXPECT_EQ(text[6], "by kind, now:");
    EXPECT_EQ(lines[6].style, LineStyle::ColumnHeader);
    EXPECT_EQ(text[7], "  file 200  tcp 25  pipe 5");
    EXPECT_EQ(text[8], "");
    EXPECT_EQ(text[9], "since the first inventory at " + format_clock(kT0 - 60) + ":");
    EXPECT_EQ(text[10], "  +200 file /var/log/app.log");
    EXPECT_EQ(text[11], "  +12 tcp -> 10.0.0.5:5432 (CLOSE-WAIT)");
    EXPECT_EQ(text[12], "  -2 pipe");
    for (std::size_t i = 13; i < 23; ++i) EXPECT_EQ(text[i], "") << "line " << i;
    EXPECT_EQ(text[23], "Esc/q back  (refreshes every sample)");
    EXPECT_EQ(lines[23].style, LineStyle::Help);
}

TEST(TopView, DrillWithoutBaselineWithoutChangesOrWithoutInventory) {
    TrendTracker tr{TrendOptions{}};
    const Tick last = feed(tr, 3, [](int) { return std::vector<ProcSample>{ps(301, "big", 3000, 0)}; });
    TopState st;
    st.drill = ProcKey{301, kStart};
    st.drill_data.taken = true;
    st.drill_data.kinds = {{"file", "", 3000}};
    auto lines = top_screen(tr, last, 1.0, st, 80, 24);
    expect_screen(lines, 80, 24);
    EXPECT_EQ(rtrim(lines[1].text), "pid 301 big  3,000 fds, no limit");
    EXPECT_EQ(rtrim(lines[2].text), "rate 0/min");
    EXPECT_EQ(lines[2].style, LineStyle::Info);
    EXPECT_EQ(rtrim(lines[7].text), "  file 3,000");
    EXPECT_EQ(rtrim(lines[9].text), "first inventory taken now: changes show from the next refresh");

    st.drill_data.baseline_time = kT0;
    lines = top_screen(tr, last, 1.0, st, 80, 24);
    EXPECT_EQ(rtrim(lines[10].text), "  no change");

    st.drill_data = {};
    lines = top_screen(tr, last, 1.0, st, 80, 24);
    expect_screen(lines, 80, 24);
    EXPECT_EQ(rtrim(lines[6].text), "no inventory: the process is gone or its fds cannot be read");
}

TEST(TopView, DrillOnAPidThatIsGoneSaysItExited) {
    TrendTracker tr{TrendOptions{}};
    const Tick last = feed(tr, 3, [](int) { return std::vector<ProcSample>{ps(301, "big", 3000)}; });
    TopState st;
    st.drill = ProcKey{4242, kStart};
    auto lines = top_screen(tr, last, 1.0, st, 80, 24);
    expect_screen(lines, 80, 24);
    EXPECT_EQ(rtrim(lines[1].text), "pid 4242 has exited.");
    EXPECT_EQ(lines[1].style, LineStyle::Title);
    // The same pid, another process (reused pid): gone too.
    st.drill = ProcKey{301, kStart + 1};
    lines = top_screen(tr, last, 1.0, st, 80, 24);
    EXPECT_EQ(rtrim(lines[1].text), "pid 301 has exited.");
}

TEST(TopView, DrillWithMoreChangesThanFitKeepsTheHelpLine) {
    TrendTracker tr{TrendOptions{}};
    const Tick last = feed(tr, 3, [](int) { return std::vector<ProcSample>{ps(301, "big", 3000)}; });
    TopState st;
    st.drill = ProcKey{301, kStart};
    st.drill_data.taken = true;
    st.drill_data.baseline_time = kT0;
    st.drill_data.kinds = {{"file", "", 3000}};
    for (int k = 0; k < 60; ++k)
        st.drill_data.diff.push_back({"file", "/data/" + std::string(100, 'a') + "\n" + std::to_string(k), 60 - k});
    const auto lines = top_screen(tr, last, 1.0, st, 80, 24);
    expect_screen(lines, 80, 24);
    EXPECT_EQ(rtrim(lines[10].text.substr(0, 20)), "  +60 file /data/aaa");
    EXPECT_EQ(lines.back().style, LineStyle::Help);
}

// ---------------------------------------------------------------- sparkline

std::deque<report::FdSample> series(std::vector<std::uint64_t> counts, double t0 = 0.5) {
    std::deque<report::FdSample> h;
    for (std::size_t i = 0; i < counts.size(); ++i) h.push_back({t0 + static_cast<double>(i), counts[i]});
    return h;
}

TEST(TopSparkline, IncreasingSeriesClimbsThroughTheBlocks) {
    const auto h = series({10, 20, 30, 40, 50, 60, 70, 80});
    EXPECT_EQ(sparkline(h, 8, 8, 8, true),
              "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588");
    EXPECT_EQ(sparkline(h, 8, 8, 8, false), "_.-:=+*#");
}

TEST(TopSparkline, LevelsNeverDecreaseForAnIncreasingSeries) {
    std::vector<std::uint64_t> counts;
    for (std::uint64_t i = 0; i < 100; ++i) counts.push_back(100 + i * i);
    const auto h = series(counts);
    const std::string s = sparkline(h, 100, 100, 40, true);
    EXPECT_EQ(display_width(s), 40u);
    ASSERT_EQ(s.size(), 40u * 3) << "every column a 3-byte block";
    int prev = -1;
    for (std::size_t i = 0; i < s.size(); i += 3) {
        ASSERT_EQ(static_cast<unsigned char>(s[i]), 0xe2);
        ASSERT_EQ(static_cast<unsigned char>(s[i + 1]), 0x96);
        const int level = static_cast<unsigned char>(s[i + 2]) - 0x81;  // U+2581 + level
        ASSERT_GE(level, 0);
        ASSERT_LE(level, 7);
        EXPECT_GE(level, prev) << "column " << i / 3;
        prev = level;
    }
    EXPECT_EQ(s.substr(0, 3), "\u2581");
    EXPECT_EQ(s.substr(s.size() - 3), "\u2588");
}

TEST(TopSparkline, WidthIsRespected) {
    std::vector<std::uint64_t> counts;
    for (std::uint64_t i = 0; i < 30; ++i) counts.push_back(i % 7 * 13);
    const auto h = series(counts);
    for (std::size_t w : {1u, 2u, 5u, 29u, 30u, 31u, 80u, 200u}) {
        EXPECT_EQ(display_width(sparkline(h, 30, 30, w, true)), w) << w;
        EXPECT_EQ(sparkline(h, 30, 30, w, false).size(), w) << w;
    }
    EXPECT_EQ(sparkline(h, 30, 30, 0, true), "");
}

TEST(TopSparkline, FlatSeriesIsAllTheLowestLevel) {
    const auto h = series(std::vector<std::uint64_t>(10, 42));
    std::string lowest;
    for (int i = 0; i < 10; ++i) lowest += "\u2581";
    EXPECT_EQ(sparkline(h, 10, 10, 10, true), lowest);
    EXPECT_EQ(sparkline(h, 10, 10, 10, false), std::string(10, '_'));
    // Fewer samples than columns: the count stood between them.
    EXPECT_EQ(sparkline(h, 10, 10, 5, false), std::string(5, '_'));
    EXPECT_EQ(sparkline(series({42, 42}, 0), 10, 10, 10, false), std::string(10, '_'));
}

TEST(TopSparkline, AsciiModeIsAscii) {
    std::vector<std::uint64_t> counts;
    for (std::uint64_t i = 0; i < 50; ++i) counts.push_back((i * 37) % 101);
    const std::string s = sparkline(series(counts), 50, 50, 33, false);
    ASSERT_EQ(s.size(), 33u);
    for (char c : s) {
        EXPECT_NE(std::string("_.-:=+*#").find(c), std::string::npos) << int(static_cast<unsigned char>(c));
        EXPECT_LT(static_cast<unsigned char>(c), 0x80);
    }
}

TEST(TopSparkline, NoHistoryIsSpacesAndColumnsBeforeTheFirstSampleAreBlank) {
    EXPECT_EQ(sparkline({}, 100, 10, 12, true), std::string(12, ' '));
    EXPECT_EQ(sparkline({}, 100, 10, 12, false), std::string(12, ' '));
    // Samples outside the span are ignored.
    EXPECT_EQ(sparkline(series({5, 9}, 50), 100, 10, 4, false), std::string(4, ' '));
    // One sample in the last quarter: the first three columns are blank.
    EXPECT_EQ(sparkline(series({5}, 9.5), 10, 10, 4, false), "   _");
    // A rise in the middle of the span.
    EXPECT_EQ(sparkline(series({5, 5, 50, 50}, 6.5), 10, 10, 10, false), "      __##");
}

}  // namespace
}  // namespace fdscope::render
