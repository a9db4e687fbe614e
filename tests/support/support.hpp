// Test helpers: start fixture programs, wait for their readiness line, run
// fdscope and other tools, clean up every process that was started.
#pragma once
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace fdscope::test {

// A string's bytes as unsigned values, for tests that look at each byte
// (UTF-8 lead bytes, control characters) without sign conversions.
inline std::span<const unsigned char> bytes(std::string_view s) {
    return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

// A running fixture. Protocol: the fixture writes one JSON line of facts to
// stdout when its situation is built ({"pid":N, ...}), then waits until its
// stdin reaches EOF and exits. It runs in its own process group, which the
// destructor kills (SIGKILL) and reaps, so nothing outlives the test.
class Fixture {
public:
    Fixture(const std::string& name, const std::vector<std::string>& args = {},
            const std::vector<std::string>& wrapper = {});
    ~Fixture();
    Fixture(const Fixture&) = delete;
    Fixture& operator=(const Fixture&) = delete;

    pid_t pid() const { return pid_; }        // the process we started (maybe a wrapper)
    const nlohmann::json& facts() const { return facts_; }
    // Read the next JSON line the fixture writes (for fixtures that report more than once).
    nlohmann::json next_line();
    // Writes `line` and a newline to its stdin (fixtures that take commands).
    void send(const std::string& line);
    void stop();                              // close stdin, kill the group, reap

private:
    pid_t pid_ = -1;
    int in_fd_ = -1, out_fd_ = -1;
    std::string buffer_;
    nlohmann::json facts_;
};

// A program running alongside the test (fdscope watch), its stdout read
// line by line as it comes. stderr goes to the test's. The destructor
// kills (SIGKILL) and reaps it if it still runs.
class Running {
public:
    explicit Running(const std::vector<std::string>& argv);
    ~Running();
    Running(const Running&) = delete;
    Running& operator=(const Running&) = delete;

    pid_t pid() const { return pid_; }
    // The next line of its stdout, false at EOF; throws after 60 s without one.
    bool next_line(std::string& line);
    // Sends `sig` and waits for it to exit, dropping what it still writes:
    // its exit status, or 128+signal.
    int stop(int sig);

private:
    pid_t pid_ = -1;
    int out_fd_ = -1;
    std::string buffer_;
};

struct RunResult {
    int status = -1;  // exit status, or 128+signal
    std::string out, err;
};

// Runs argv to completion, capturing stdout and stderr. extra_env entries are "K=V".
RunResult run(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {});
// The same with stdin and stdout on a pseudo-terminal of `columns` x 24
// (stderr stays a pipe; output newlines are not turned into "\r\n").
// In extra_env, for both: "K=" sets K empty, "-K" removes K.
RunResult run_on_terminal(const std::vector<std::string>& argv, unsigned short columns,
                          const std::vector<std::string>& extra_env = {});

std::string fixture_path(const std::string& name);
std::string fdscope_bin();
bool is_root();
bool have_tool(const std::string& name);  // on PATH
std::vector<std::string> split_lines(const std::string& text);  // without their '\n'

}  // namespace fdscope::test
