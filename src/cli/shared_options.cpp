#include "cli/shared_options.hpp"

#include <charconv>

#include "cli/backend_option.hpp"

namespace fdscope::cli {

void add_scan_options(CLI::App& cmd, unsigned& threads, std::string& backend) {
    cmd.add_option("--threads", threads, "scan threads (default: one per core)")->option_text("N");
    add_backend_option(cmd, backend);
}

void add_json_flag(CLI::App& cmd, bool& json) { cmd.add_flag("--json", json, "one JSON document (schema 1, docs/json.md)"); }

std::vector<std::string> split_list(const std::vector<std::string>& items) {
    std::vector<std::string> out;
    for (const auto& item : items) {
        std::size_t start = 0;
        while (start <= item.size()) {
            std::size_t end = item.find_first_of(", ", start);
            if (end == std::string::npos) end = item.size();
            if (end > start) out.push_back(item.substr(start, end - start));
            start = end + 1;
        }
    }
    return out;
}

bool parse_pids(const std::vector<std::string>& items, std::vector<pid_t>& pids, std::string& bad) {
    const auto list = split_list(items);
    // `-p ''` (an unset shell variable) names no process: not "every process".
    if (list.empty() && !items.empty()) {
        bad = "\"\" (no pid given)";
        return false;
    }
    for (const auto& s : list) {
        pid_t pid = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), pid);
        if (ec != std::errc() || p != s.data() + s.size() || pid <= 0) {
            bad = s;
            return false;
        }
        pids.push_back(pid);
    }
    return true;
}

}  // namespace fdscope::cli
