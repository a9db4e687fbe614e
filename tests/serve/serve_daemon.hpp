// A `fdscope serve` started for one test: its stderr read until the
// listening line (the port it chose), stopped by pid in the destructor.
#pragma once
#include <string>
#include <sys/types.h>
#include <vector>

namespace fdscope::test {

class ServeDaemon {
public:
    // argv after "fdscope serve"; env entries "K=V". `wrapper` runs first
    // (setpriv ...). Waits (at most 60 s) for the line that says it listens
    // or writes its textfile; throws if it exits first.
    explicit ServeDaemon(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                         const std::vector<std::string>& wrapper = {});
    ~ServeDaemon();
    ServeDaemon(const ServeDaemon&) = delete;
    ServeDaemon& operator=(const ServeDaemon&) = delete;

    pid_t pid() const { return pid_; }
    int port() const { return port_; }               // of the first address
    const std::string& url() const { return url_; }  // the first address's metrics URL
    const std::string& ready_line() const { return line_; }
    // SIGTERM, then its exit status (128+signal when killed); SIGKILL after 20 s.
    int stop();

private:
    pid_t pid_ = -1;
    int err_fd_ = -1;
    int port_ = 0;
    std::string url_, line_;
};

// Whether `s` is valid UTF-8 (no overlongs, no surrogates).
bool valid_utf8(const std::string& s);

// The value of the first sample whose line starts with `series` + " ",
// e.g. series = "fdscope_scrape_collector_success{collector=\"processes\"}"; NaN when absent.
double sample_value(const std::string& body, const std::string& series);

}  // namespace fdscope::test
