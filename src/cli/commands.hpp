// Two functions per command: add_X declares its options on the subcommand
// main.cpp's command table made, run_X takes the parse results and returns
// the exit status.
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace fdscope::cli {

// Exit statuses (docs/fdscope.1): 0 success, 1 runtime failure, 2 usage error.
inline constexpr int kExitOk = 0, kExitFailure = 1, kExitUsage = 2;

struct OutputFlags {
    bool json = false, ndjson = false, csv = false, no_header = false;
};

struct LsArgs {
    std::vector<std::string> pids, kinds, assocs, columns;
    std::string command, user, path;
    std::vector<std::string> inet;  // -i [SPEC]; empty vector element means "-i" alone
    bool inet_given = false;
    bool deleted = false, no_cloexec = false;
    bool origin = false;  // --origin: read the preload tables, add the origin column
    unsigned threads = 0;
    std::string backend = "auto";
    OutputFlags out;
};

struct SummaryArgs {
    std::size_t top = 10;
    bool json = false;
    unsigned threads = 0;
    std::string backend = "auto";
};

struct AccountArgs {
    std::size_t top = 20;
    bool json = false;
    unsigned threads = 0;
    std::string backend = "auto";
};

struct AuditArgs {
    std::vector<std::string> pids, ignore;
    std::string command, fail_on, suppress;
    std::uint64_t deleted_min = 0;
    bool strict = false, json = false;
    unsigned threads = 0;
    std::string backend = "auto";
};

// Options shared by `watch` and `top`: what is sampled and how it is judged.
struct SamplingArgs {
    std::vector<std::string> pids;
    std::string command;
    double interval = 1.0;      // seconds between ticks
    double window = 8.0;        // seconds of history a leak verdict looks at
    double min_rate = 30.0;     // fds per minute below which growth is not a leak
    bool count_entries = false; // count /proc/PID/fd entries instead of st_size
};

struct WatchArgs {
    SamplingArgs sampling;
    double duration = 0;        // seconds; 0 with count 0: until interrupted
    std::uint64_t count = 0;    // ticks
    bool ndjson = false;
    double alert_rate = 0;      // fds/min; 0: off
    double alert_percent = 0;   // % of the soft limit; 0: off
    std::string record;
};

struct TopArgs {
    SamplingArgs sampling;
    std::string sort = "fds";   // fds, rate, percent
};

struct ServeArgs {
    std::vector<std::string> listen;     // --web.listen-address, repeatable
    std::string telemetry_path = "/metrics";
    std::string web_config;
    std::size_t max_requests = 40;
    std::string group_by = "unit";
    std::size_t max_groups = 200, top = 10;
    std::string sample_interval = "1s", leak_window = "8s", leak_hold = "60s";
    double leak_min_rate = 30;           // fds per minute
    bool account = false, kinds = false, audit = false;
    std::string collector_interval = "60s";  // account and audit refreshes
    std::string textfile;
};

struct PlotArgs {
    std::string input, output;
    std::size_t top = 8;
    unsigned width = 960, height = 540;
    std::string title;
};

struct WhyArgs {
    std::vector<std::string> words;  // OP ARGS...
    bool read = false, write = false, create = false, trunc = false, append = false;
    bool excl = false, directory = false, nofollow = false, noatime = false;
    std::string user;
    pid_t pid = 0, tid = 0;
    int fd = -1;
    bool no_probe = false, in_target = false, verbose = false, json = false;
};

struct TraceArgs {
    std::vector<std::string> command;  // -- CMD ARGS...
    std::vector<pid_t> pids;           // -p
    std::string engine = "auto";
    bool stacks = false, no_stacks = false;  // --stacks (the default) or --no-stacks
    unsigned stack_depth = 32;
    std::vector<std::string> classes;  // -e
    std::string output;                // -o
    bool ndjson = false, json = false, quiet = false, why = false;
    std::vector<std::string> fail_on;
    unsigned max_leaks = 0;
};

void add_trace(CLI::App& cmd, TraceArgs& args);
int run_trace(const TraceArgs& args);
void add_why(CLI::App& cmd, WhyArgs& args);
int run_why(const WhyArgs& args);
void add_watch(CLI::App& cmd, WatchArgs& args);
int run_watch(const WatchArgs& args);
void add_top(CLI::App& cmd, TopArgs& args);
int run_top(const TopArgs& args);
void add_serve(CLI::App& cmd, ServeArgs& args);
int run_serve(const ServeArgs& args);
void add_plot(CLI::App& cmd, PlotArgs& args);
int run_plot(const PlotArgs& args);
void add_ls(CLI::App& cmd, LsArgs& args);
void add_audit(CLI::App& cmd, AuditArgs& args);
int run_audit(const AuditArgs& args);
void add_account(CLI::App& cmd, AccountArgs& args);
int run_account(const AccountArgs& args);
int run_ls(const LsArgs& args);
void add_summary_options(CLI::App& app, SummaryArgs& args);  // the root's: no command
int run_summary(const SummaryArgs& args);

}  // namespace fdscope::cli
