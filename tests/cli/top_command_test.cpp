// `fdscope top` driven in tmux (send-keys, capture-pane) on an 80x24
// terminal: the leaker shows with a positive rate and as a suspect, the
// sort keys reorder, `/` filters, Enter drills down to the kinds and the
// diff since the first inventory, q quits; colours only without NO_COLOR.
#include <chrono>
#include <gtest/gtest.h>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "cli/cli_helpers.hpp"

namespace fdscope::test {
namespace {

class Tmux {
public:
    // A server of its own per session: a killed server's socket may linger.
    explicit Tmux(const std::string& command)
        : socket_("fdscope-test-" + std::to_string(getpid()) + "-" + std::to_string(++count_)) {
        auto r = run({"tmux", "-L", socket_, "-f", "/dev/null", "new-session", "-d", "-s", "top", "-x", "80", "-y", "24",
                      command});
        started_ = r.status == 0;
        error_ = r.err;
    }
    ~Tmux() { run({"tmux", "-L", socket_, "kill-server"}); }
    bool started() const { return started_; }
    const std::string& error() const { return error_; }
    std::string screen(bool escapes = false) {
        std::vector<std::string> argv{"tmux", "-L", socket_, "capture-pane", "-p", "-t", "top"};
        if (escapes) argv.push_back("-e");
        return run(argv).out;
    }
    void keys(const std::vector<std::string>& keys) {
        std::vector<std::string> argv{"tmux", "-L", socket_, "send-keys", "-t", "top"};
        argv.insert(argv.end(), keys.begin(), keys.end());
        run(argv);
    }
    // Polls the screen until pred holds (readiness, not a fixed sleep).
    template <class Pred>
    bool wait_for(Pred pred, double seconds = 20) {
        const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        while (std::chrono::steady_clock::now() < end) {
            if (pred(screen())) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return false;
    }

private:
    static inline int count_ = 0;
    std::string socket_;
    bool started_ = false;
    std::string error_;
};

std::vector<std::string> lines_of(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

// The row of `pid` in the process list, empty when not shown.
std::string row_of(const std::string& screen, pid_t pid) {
    const std::string p = std::to_string(pid);
    for (const auto& l : lines_of(screen)) {
        std::istringstream in(l);
        std::string first;
        in >> first;
        if (first == p || first == "*" + p) return l;
    }
    return "";
}

// Index of the row of `pid` on screen, -1 when not shown.
int row_index(const std::string& screen, pid_t pid) {
    const auto ls = lines_of(screen);
    for (std::size_t i = 0; i < ls.size(); ++i)
        if (!ls[i].empty() && row_of(ls[i] + "\n", pid) == ls[i]) return static_cast<int>(i);
    return -1;
}

// The rate column (6th field) of a row.
std::string rate_of(const std::string& row) {
    std::istringstream in(row);
    std::string f;
    for (int i = 0; i < 6; ++i) in >> f;
    return f;
}

class Top : public ::testing::Test {
protected:
    void SetUp() override {
        if (!have_tool("tmux")) GTEST_SKIP() << "tmux is not installed (scripts/deps.sh installs it)";
    }
};

TEST_F(Top, ShowsTheLeakerSortsFiltersDrillsDownAndQuits) {
    Fixture leaker("leaker");
    Fixture flat("flat", {"600"});
    const pid_t lp = leaker.facts()["pid"], fp = flat.facts()["pid"];
    const std::string path = leaker.facts()["path"];
    Tmux t("env LANG=C.UTF-8 " + fdscope_bin() + " top --interval 0.5 -p " + std::to_string(lp) + "," +
           std::to_string(fp) + "; echo EXITED $?; sleep 60");
    ASSERT_TRUE(t.started()) << t.error();

    // The leaker becomes a suspect ('*') with a positive rate.
    ASSERT_TRUE(t.wait_for([&](const std::string& s) {
        const std::string row = row_of(s, lp);
        return row.find("*" + std::to_string(lp)) != std::string::npos && rate_of(row).starts_with("+");
    })) << t.screen();
    std::string s = t.screen();
    EXPECT_NE(s.find("1 leak suspect"), std::string::npos) << s;
    EXPECT_NE(s.find("handles"), std::string::npos) << s;
    EXPECT_NE(row_of(s, lp).find("4096"), std::string::npos) << s;  // its limit
    const auto ls = lines_of(s);
    ASSERT_EQ(ls.size(), 24u) << s;
    EXPECT_NE(ls.back().find("q quit"), std::string::npos) << s;

    // Sorted by fds: flat (600) above the leaker; by rate: the leaker first.
    EXPECT_LT(row_index(s, fp), row_index(s, lp)) << s;
    t.keys({"r"});
    ASSERT_TRUE(t.wait_for([&](const std::string& x) {
        return x.find("sort: rate") != std::string::npos && row_index(x, lp) >= 0 && row_index(x, lp) < row_index(x, fp);
    })) << t.screen();
    t.keys({"n"});
    ASSERT_TRUE(t.wait_for([&](const std::string& x) {
        return x.find("sort: fds") != std::string::npos && row_index(x, fp) >= 0 && row_index(x, fp) < row_index(x, lp);
    })) << t.screen();

    // Filter: only the flat process.
    t.keys({"/", "f", "l", "a", "t", "Enter"});
    ASSERT_TRUE(t.wait_for([&](const std::string& x) {
        return x.find("matching \"flat\"") != std::string::npos && row_index(x, fp) >= 0 && row_index(x, lp) < 0;
    })) << t.screen();
    // `/` starts a new filter (it appended to the last one: "flat4242"
    // matched nothing): by pid, then drill down into the leaker.
    t.keys({"/"});
    ASSERT_TRUE(t.wait_for([&](const std::string& x) {
        for (std::string l : lines_of(x)) {
            while (!l.empty() && l.back() == ' ') l.pop_back();
            if (l.find("Esc to cancel:") != std::string::npos) return l.ends_with("Esc to cancel:");
        }
        return false;
    })) << "the prompt starts empty:\n" << t.screen();
    t.keys({std::to_string(lp), "Enter"});
    ASSERT_TRUE(t.wait_for([&](const std::string& x) {
        return x.find("1 process matching \"" + std::to_string(lp) + "\"") != std::string::npos && row_index(x, lp) >= 0 &&
               row_index(x, fp) < 0;
    })) << t.screen();
    t.keys({"Enter"});
    ASSERT_TRUE(t.wait_for([&](const std::string& x) {
        return x.find("pid " + std::to_string(lp) + " leaker") != std::string::npos && x.find("by kind, now:") != std::string::npos &&
               x.find("since the first inventory") != std::string::npos && x.find("file " + path) != std::string::npos;
    })) << t.screen();
    s = t.screen();
    EXPECT_NE(s.find("LEAK: growing since"), std::string::npos) << s;
    // Back to the list, then quit with status 0.
    t.keys({"Escape"});
    ASSERT_TRUE(t.wait_for([&](const std::string& x) { return x.find("RATE/m") != std::string::npos; })) << t.screen();
    t.keys({"q"});
    ASSERT_TRUE(t.wait_for([&](const std::string& x) { return x.find("EXITED 0") != std::string::npos; })) << t.screen();
}

TEST_F(Top, ColoursOnlyWithoutNoColor) {
    Fixture leaker("leaker");
    const std::string pid = std::to_string(leaker.facts()["pid"].get<int>());
    for (bool no_color : {false, true}) {
        Tmux t(std::string("env TERM=tmux-256color ") + (no_color ? "NO_COLOR=1 " : "") + fdscope_bin() +
               " top --interval 0.5 -p " + pid);
        ASSERT_TRUE(t.started()) << t.error();
        ASSERT_TRUE(t.wait_for([&](const std::string& x) { return x.find("*" + pid) != std::string::npos; }))
            << t.screen();
        const std::string esc = t.screen(true);
        const bool red = esc.find("[31m") != std::string::npos || esc.find(";31m") != std::string::npos ||
                         esc.find(";31;") != std::string::npos || esc.find("[31;") != std::string::npos;
        EXPECT_EQ(red, !no_color) << (no_color ? "NO_COLOR set" : "colour tty") << ":\n" << esc;
    }
}

TEST(TopNoTty, SaysItNeedsATerminal) {
    auto r = run({fdscope_bin(), "top"});
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("needs a terminal"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace fdscope::test
