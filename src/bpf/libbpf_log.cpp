#include "bpf/libbpf_log.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

#include <bpf/libbpf.h>

namespace fdscope::bpf {
namespace {

std::mutex g_turn;
std::string* g_sink = nullptr;  // the capture that holds g_turn

int capture_print(enum libbpf_print_level level, const char* fmt, va_list args) {
    if (level == LIBBPF_DEBUG || !g_sink) return 0;
    char line[1024];
    const int n = std::vsnprintf(line, sizeof line, fmt, args);
    if (n > 0) g_sink->append(line, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof line - 1));
    return 0;
}

}  // namespace

LibbpfLog::LibbpfLog() : turn_(g_turn) {
    g_sink = &text_;
    libbpf_set_print(capture_print);
}

LibbpfLog::~LibbpfLog() {
    // Silent from here on: later failures (attach, read) reach the user as
    // a sentence of their own.
    libbpf_set_print(nullptr);
    g_sink = nullptr;
}

std::string tail_lines(std::string_view log, int max_lines) {
    std::size_t end = log.size();
    while (end && log[end - 1] == '\n') --end;
    std::size_t begin = end;
    for (int lines = 0; begin && lines < max_lines;) {
        --begin;
        if (log[begin] == '\n') ++lines;
    }
    if (begin && log[begin] == '\n') ++begin;
    return std::string(log.substr(begin, end - begin));
}

std::string failed_program(std::string_view log) {
    // libbpf: "libbpf: prog 'fds_task_vma': failed to load: -13"
    constexpr std::string_view kHead = "prog '", kTail = "': failed to load";
    const std::size_t tail = log.rfind(kTail);
    if (tail == std::string_view::npos) return {};
    const std::size_t head = log.rfind(kHead, tail);
    if (head == std::string_view::npos) return {};
    return std::string(log.substr(head + kHead.size(), tail - head - kHead.size()));
}

}  // namespace fdscope::bpf
