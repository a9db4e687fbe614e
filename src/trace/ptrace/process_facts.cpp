#include "trace/ptrace/process_facts.hpp"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <string_view>

#include "sys/files.hpp"
#include "sys/proc_io.hpp"

namespace fdscope::trace::ptrace {

namespace {

std::string proc_path(pid_t pid, const char* rest) { return "/proc/" + std::to_string(pid) + "/" + rest; }

// The decimal value after `key` at the start of a line of `text`; -1 when absent.
long status_field(std::string_view text, std::string_view key) {
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t eol = std::min(text.find('\n', at), text.size());
        std::string_view line = text.substr(at, eol - at);
        if (line.substr(0, key.size()) == key) {
            line.remove_prefix(key.size());
            while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
            long v = -1;
            if (std::from_chars(line.data(), line.data() + line.size(), v).ec == std::errc{}) return v;
            return -1;
        }
        at = eol + 1;
    }
    return -1;
}

}  // namespace

std::string read_comm(pid_t pid) {
    std::string text;
    if (sys::read_all(proc_path(pid, "comm").c_str(), text) != 0) return {};
    if (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

std::string read_exe(pid_t pid) {
    std::string target;
    const sys::UniqueFd proc(::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!proc) return {};
    const std::string name = std::to_string(pid) + "/exe";
    if (sys::readlink_at(proc.get(), name.c_str(), target) != 0) return {};
    return target;
}

std::vector<std::string> read_cmdline(pid_t pid) {
    std::string text;
    std::vector<std::string> argv;
    if (sys::read_all(proc_path(pid, "cmdline").c_str(), text) != 0) return argv;
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t nul = std::min(text.find('\0', at), text.size());
        argv.emplace_back(text, at, nul - at);
        at = nul + 1;
    }
    return argv;
}

std::vector<pid_t> read_tids(pid_t pid) {
    std::vector<std::int32_t> tids;
    int err = 0;
    const sys::UniqueFd dir = sys::open_dir(AT_FDCWD, proc_path(pid, "task").c_str(), err);
    if (!dir || sys::list_numeric(dir.get(), tids) != 0) return {};
    std::sort(tids.begin(), tids.end());
    return {tids.begin(), tids.end()};
}

pid_t read_tgid(pid_t tid) {
    std::string text;
    if (sys::read_all(proc_path(tid, "status").c_str(), text) != 0) return 0;
    const long v = status_field(text, "Tgid:");
    return v > 0 ? static_cast<pid_t>(v) : 0;
}

int read_seccomp_filter_count(pid_t pid) {
    std::string text;
    if (sys::read_all(proc_path(pid, "status").c_str(), text) != 0) return -1;
    return static_cast<int>(status_field(text, "Seccomp_filters:"));
}

std::uint64_t monotonic_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<std::uint64_t>(ts.tv_nsec);
}

}  // namespace fdscope::trace::ptrace
