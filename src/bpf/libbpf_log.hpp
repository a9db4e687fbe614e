// libbpf's messages while a BPF object loads: kept so that a failure can
// say what libbpf or the verifier refused, and printed nowhere (under
// --backend auto nothing at all is to be printed).
#pragma once
#include <mutex>
#include <string>
#include <string_view>

namespace fdscope::bpf {

// Captures libbpf's non-debug messages from construction to destruction,
// then silences libbpf. libbpf's print hook is process-wide: captures
// (loads) take turns.
class LibbpfLog {
public:
    LibbpfLog();
    ~LibbpfLog();
    LibbpfLog(const LibbpfLog&) = delete;
    LibbpfLog& operator=(const LibbpfLog&) = delete;
    const std::string& text() const { return text_; }

private:
    std::unique_lock<std::mutex> turn_;
    std::string text_;
};

// Pure: the last `max_lines` non-empty lines of a log (the verifier's
// verdict is at the end).
std::string tail_lines(std::string_view log, int max_lines);

// Pure: the program libbpf's load log says the kernel refused
// ("fds_task_vma"), "" when it names none.
std::string failed_program(std::string_view log);

}  // namespace fdscope::bpf
