// Row filters for `fdscope ls`, and the lsof-style -i specification.
#pragma once
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "model/snapshot.hpp"

namespace fdscope::report {

// lsof's -i syntax: [46][protocol][@host][:port], every part optional.
// "-i" alone selects every Internet socket.
struct InetFilter {
    int family = 0;           // 0 any, 4, 6
    std::string protocol;     // "", "tcp", "udp", "raw"
    std::string host;         // numeric address, brackets removed
    int port = -1;            // -1 any
};

// nullopt and `error` set when the spec does not parse.
std::optional<InetFilter> parse_inet_filter(std::string_view spec, std::string& error);

// The host and port of "1.2.3.4:80" / "[::1]:80" / "*:80".
bool split_address(std::string_view addr, std::string_view& host, int& port);

struct LsFilter {
    std::optional<std::regex> command;  // matched anywhere in comm (regex_search)
    std::optional<uid_t> uid;
    std::vector<Kind> kinds;
    std::optional<InetFilter> inet;
    std::string path_prefix;
    bool deleted_only = false;
    bool no_cloexec = false;            // fds without O_CLOEXEC (implies fds only)
};

bool process_matches(const LsFilter& f, const Process& p);
bool file_matches(const LsFilter& f, const OpenFile& file, const SocketInfo* sock);

}  // namespace fdscope::report
