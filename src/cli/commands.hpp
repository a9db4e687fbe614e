// One function per command: parse results in, exit status out.
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
    std::vector<std::string> pids, kinds, columns;
    std::string command, user, path;
    std::vector<std::string> inet;  // -i [SPEC]; empty vector element means "-i" alone
    bool inet_given = false;
    bool deleted = false, no_cloexec = false;
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

void add_ls(CLI::App& app, LsArgs& args);
void add_audit(CLI::App& app, AuditArgs& args);
int run_audit(const AuditArgs& args);
void add_account(CLI::App& app, AccountArgs& args);
int run_account(const AccountArgs& args);
int run_ls(const LsArgs& args);
void add_summary_options(CLI::App& app, SummaryArgs& args);
int run_summary(const SummaryArgs& args);

// "1,2 3" → {"1","2","3"}: lists may be given with commas or repeated.
std::vector<std::string> split_list(const std::vector<std::string>& items);
// -p's list as pids; false with `bad` set to the first item that is not one.
bool parse_pids(const std::vector<std::string>& items, std::vector<pid_t>& pids, std::string& bad);

}  // namespace fdscope::cli
