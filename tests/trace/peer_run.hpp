// Running the peers (valgrind, strace) on a trace fixture, with only fds
// 0-2 open as under fdscope, and reading what they wrote.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <sys/types.h>
#include <string>
#include <vector>

#include "trace/peer_parsers.hpp"

namespace fdscope::test {

struct PeerRun {
    int status = -1;
    std::vector<nlohmann::json> output;  // the fixture's JSON lines
    std::string log;                     // what the peer wrote to its log (valgrind: stderr)
};

// `valgrind --tool=none --track-fds=yes FIXTURE ARGS`, its log on stderr.
PeerRun run_valgrind(const std::string& fixture, const std::vector<std::string>& args = {});
// `strace -f -e trace=kStraceClasses -o F FIXTURE ARGS`.
PeerRun run_strace(const std::string& fixture, const std::vector<std::string>& args = {});

// The syscalls compared with fdscope's events: the fd lifecycle ones the
// fixtures make (fcntl for F_DUPFD/F_SETFD; its other commands make no step).
extern const char* const kStraceClasses;

// Per-thread step sequences, sorted, so two runs (different tids) compare.
std::vector<std::vector<std::string>> thread_sequences(const std::map<pid_t, std::vector<std::string>>& by_tid);
std::map<pid_t, std::vector<std::string>> strace_steps_by_tid(const StraceLog& log);

}  // namespace fdscope::test
