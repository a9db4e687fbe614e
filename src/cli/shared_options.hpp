// Options several commands take, each declared here once: the scan options
// (--threads, --backend) of the commands that read a snapshot, --json, and
// the translation of list and pid arguments.
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <sys/types.h>
#include <vector>

namespace fdscope::cli {

// --threads N and --backend auto|bpf|procfs.
void add_scan_options(CLI::App& cmd, unsigned& threads, std::string& backend);
// --json: one document (schema 1).
void add_json_flag(CLI::App& cmd, bool& json);

// "1,2 3" → {"1","2","3"}: lists may be given with commas or repeated.
std::vector<std::string> split_list(const std::vector<std::string>& items);
// -p's list as pids; false with `bad` set to the first item that is not one.
bool parse_pids(const std::vector<std::string>& items, std::vector<pid_t>& pids, std::string& bad);

}  // namespace fdscope::cli
