#include "trace/peer_parsers.hpp"

#include <charconv>
#include <map>
#include <set>

namespace fdscope::test {
namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        out.push_back(text.substr(0, nl));
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    return out;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// A decimal number at the start of s; its length in `used`.
std::optional<int> leading_int(std::string_view s, std::size_t& used) {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc()) return std::nullopt;
    used = static_cast<std::size_t>(p - s.data());
    return v;
}

// "==123== rest" -> pid 123 and "rest" (its leading spaces kept).
bool valgrind_prefix(std::string_view line, int& pid, std::string_view& rest) {
    if (!starts_with(line, "==")) return false;
    std::size_t used = 0;
    auto n = leading_int(line.substr(2), used);
    if (!n || line.substr(2 + used, 2) != "==") return false;
    pid = *n;
    rest = line.substr(4 + used);
    if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    return true;
}

// "0x109443: leak_fifty (trace_leaker.c:24)" and its variants.
ValgrindFrame valgrind_frame(std::string_view s) {
    ValgrindFrame f;
    std::size_t colon = s.find(": ");
    if (colon != std::string_view::npos) s.remove_prefix(colon + 2);
    s = trim(s);
    // The location is the last " (...)" group; the function may hold parentheses itself.
    std::size_t open = s.rfind(" (");
    std::string_view where;
    if (open != std::string_view::npos && s.back() == ')') {
        where = s.substr(open + 2, s.size() - open - 3);
        s = s.substr(0, open);
    }
    f.function = s == "???" ? "" : std::string(s);
    if (starts_with(where, "in ")) {
        f.object = std::string(where.substr(3));
    } else if (!where.empty()) {
        std::size_t c = where.rfind(':');
        std::size_t used = 0;
        auto line = c == std::string_view::npos ? std::nullopt : leading_int(where.substr(c + 1), used);
        if (line) {
            f.file = std::string(where.substr(0, c));
            f.line = *line;
        } else {
            f.file = std::string(where);
        }
    }
    return f;
}

// "file descriptor 5: /dev/null", "AF_UNIX socket 6: <unknown>", "AF_INET socket 8: a <-> b".
std::optional<ValgrindFd> valgrind_fd_header(std::string_view s) {
    if (!starts_with(s, "Open ")) return std::nullopt;
    s.remove_prefix(5);
    std::size_t colon = s.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view head = s.substr(0, colon);
    std::size_t sp = head.rfind(' ');
    if (sp == std::string_view::npos) return std::nullopt;
    std::size_t used = 0;
    auto fd = leading_int(head.substr(sp + 1), used);
    if (!fd) return std::nullopt;
    ValgrindFd out;
    out.fd = *fd;
    std::string_view kind = head.substr(0, sp);
    std::string_view tail = trim(s.substr(colon + 1));
    if (kind == "file descriptor") {
        out.what = std::string(tail);
    } else {
        out.what = std::string(kind);
        out.detail = tail == "<unknown>" ? "" : std::string(tail);
    }
    return out;
}

}  // namespace

std::vector<ValgrindFdReport> parse_valgrind_fds(std::string_view log) {
    std::vector<ValgrindFdReport> reports;
    std::map<int, std::size_t> open_block;  // pid -> index of its block still being read
    for (std::string_view line : lines_of(log)) {
        int pid = 0;
        std::string_view rest;
        if (!valgrind_prefix(line, pid, rest)) continue;
        std::string_view body = trim(rest);
        if (starts_with(body, "FILE DESCRIPTORS: ")) {
            ValgrindFdReport r;
            r.pid = pid;
            std::string_view n = body.substr(18);
            std::size_t used = 0;
            r.open = leading_int(n, used).value_or(0);
            std::size_t paren = n.find('(');
            if (paren != std::string_view::npos) r.std = leading_int(n.substr(paren + 1), used).value_or(0);
            reports.push_back(std::move(r));
            open_block[pid] = reports.size() - 1;
            continue;
        }
        auto it = open_block.find(pid);
        if (it == open_block.end()) continue;
        ValgrindFdReport& r = reports[it->second];
        if (auto fd = valgrind_fd_header(body)) {
            r.fds.push_back(std::move(*fd));
        } else if (body == "<inherited from parent>" && !r.fds.empty()) {
            r.fds.back().inherited = true;
        } else if ((starts_with(body, "at 0x") || starts_with(body, "by 0x")) && !r.fds.empty()) {
            r.fds.back().stack.push_back(valgrind_frame(body.substr(3)));
        } else if (!body.empty()) {
            open_block.erase(it);  // the next section (HEAP SUMMARY...) began
        }
    }
    return reports;
}

std::string valgrind_creator(const ValgrindFd& fd) { return fd.stack.size() > 1 ? fd.stack[1].function : ""; }

// --------------------------------------------------------------- strace

namespace {

// Splits a line into the tid prefix and the rest: "123 rest", "[pid 123] rest", "rest".
int strace_pid(std::string_view& line) {
    if (starts_with(line, "[pid ")) {
        std::string_view s = trim(line.substr(5));
        std::size_t used = 0;
        auto n = leading_int(s, used);
        std::size_t close = s.find(']');
        if (n && close != std::string_view::npos) {
            line = s.substr(close + 1);
            if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
            return *n;
        }
        return 0;
    }
    std::size_t used = 0;
    auto n = leading_int(line, used);
    if (n && used < line.size() && line[used] == ' ') {
        line = trim(line.substr(used));
        return *n;
    }
    return 0;
}

// "name(args) = ret [ERR (text)]" -> the call; false when it is not one.
bool strace_complete(std::string_view s, StraceCall& call) {
    std::size_t paren = s.find('(');
    std::size_t eq = s.rfind(" = ");
    if (paren == std::string_view::npos || eq == std::string_view::npos || eq < paren) return false;
    call.name = std::string(s.substr(0, paren));
    std::string_view inner = s.substr(paren + 1, eq - paren - 1);
    inner = trim(inner);
    if (!inner.empty() && inner.back() == ')') inner.remove_suffix(1);
    call.args = std::string(trim(inner));
    std::string_view ret = trim(s.substr(eq + 3));
    std::size_t sp = ret.find(' ');
    call.retval = std::string(ret.substr(0, sp));
    if (sp != std::string_view::npos && call.retval.size() && call.retval[0] == '-') {
        std::string_view err = trim(ret.substr(sp + 1));
        call.error = std::string(err.substr(0, err.find(' ')));
    }
    return true;
}

}  // namespace

StraceLog parse_strace(std::string_view text) {
    StraceLog log;
    std::map<int, std::string> unfinished;  // tid -> "name(args" so far
    std::vector<std::string_view> lines = lines_of(text);
    std::string joined;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string_view line = lines[i];
        // strace's own notice can land in the middle of a call's line, which
        // then continues on the next: cut it out and join the two halves.
        std::size_t notice = line.find("strace: Process ");
        if (notice != std::string_view::npos && notice > 0) {
            joined = std::string(line.substr(0, notice));
            if (i + 1 < lines.size()) joined += lines[++i];
            line = joined;
        } else if (notice == 0) {
            continue;
        }
        int pid = strace_pid(line);
        if (starts_with(line, "--- ") || line.empty()) continue;
        if (starts_with(line, "+++ ")) {
            StraceExit e;
            e.pid = pid;
            std::size_t used = 0;
            if (starts_with(line, "+++ exited with ")) {
                e.value = leading_int(line.substr(16), used).value_or(0);
            } else {
                e.signaled = true;  // "+++ killed by SIGKILL +++": the number is not printed
            }
            log.exits.push_back(e);
            continue;
        }
        std::string full;
        if (starts_with(line, "<... ")) {
            std::size_t resumed = line.find(" resumed>");
            if (resumed == std::string_view::npos) continue;
            auto it = unfinished.find(pid);
            if (it == unfinished.end()) continue;
            full = it->second + std::string(line.substr(resumed + 9));
            unfinished.erase(it);
        } else if (std::size_t u = line.find(" <unfinished ...>"); u != std::string_view::npos) {
            unfinished[pid] = std::string(line.substr(0, u));
            continue;
        } else {
            full = std::string(line);
        }
        StraceCall call;
        call.pid = pid;
        if (strace_complete(full, call)) {
            log.calls.push_back(std::move(call));
        } else if (full.find(" = ?") == std::string::npos && full.find('(') != std::string::npos) {
            // exit_group(0) = ? and an exec'd-away call have no value.
            call.name = full.substr(0, full.find('('));
            call.retval = "?";
            log.calls.push_back(std::move(call));
        }
    }
    return log;
}

std::vector<int> int_array_at(std::string_view text, std::size_t pos) {
    std::vector<int> out;
    std::size_t open = text.find('[', pos);
    if (open == std::string_view::npos) return out;
    std::size_t close = text.find(']', open);
    std::string_view inner = text.substr(open + 1, close == std::string_view::npos ? std::string_view::npos : close - open - 1);
    while (!inner.empty()) {
        inner = trim(inner);
        std::size_t used = 0;
        auto n = leading_int(inner, used);
        if (!n) break;
        out.push_back(*n);
        inner.remove_prefix(used);
        if (!inner.empty() && inner.front() == ',') inner.remove_prefix(1);
    }
    return out;
}

std::vector<std::string> strace_fd_steps(const StraceCall& c) {
    // Syscalls whose fd event is named after another (eventfd2 -> eventfd).
    static const std::map<std::string, std::string> kSingle = {
        {"open", "open"},       {"openat", "openat"},         {"openat2", "openat2"},
        {"creat", "creat"},     {"socket", "socket"},         {"accept", "accept"},
        {"accept4", "accept4"}, {"eventfd", "eventfd"},       {"eventfd2", "eventfd"},
        {"epoll_create", "epoll_create"}, {"epoll_create1", "epoll_create"},
        {"inotify_init", "inotify_init"}, {"inotify_init1", "inotify_init"},
        {"signalfd", "signalfd"}, {"signalfd4", "signalfd"},  {"timerfd_create", "timerfd_create"},
        {"memfd_create", "memfd_create"}, {"pidfd_open", "pidfd_open"}};
    static const std::set<std::string> kDup = {"dup", "dup2", "dup3"};
    std::vector<std::string> out;
    if (c.retval == "?") return out;
    auto result = [&](const std::string& ok) { return c.error.empty() ? ok : c.error; };
    std::string first = c.args.substr(0, c.args.find(','));
    if (auto it = kSingle.find(c.name); it != kSingle.end()) {
        out.push_back(it->second + " -> " + result(c.retval));
    } else if (c.name == "close") {
        out.push_back("close " + first + " -> " + result(c.retval));
    } else if (c.name == "close_range") {
        std::size_t a = c.args.find(',');
        std::string second = a == std::string::npos ? "" : std::string(trim(std::string_view(c.args).substr(a + 1)));
        second = second.substr(0, second.find(','));
        out.push_back("close_range " + first + "," + second + " -> " + result(c.retval));
    } else if (kDup.count(c.name)) {
        out.push_back(c.name + " " + first + " -> " + result(c.retval));
    } else if (c.name == "pipe" || c.name == "pipe2" || c.name == "socketpair") {
        if (!c.error.empty()) {
            out.push_back(c.name + " -> " + c.error);
        } else {
            std::vector<int> fds = int_array_at(c.args, c.name == "socketpair" ? c.args.rfind(", [") : 0);
            std::string s = c.name + " -> ";
            for (std::size_t k = 0; k < fds.size(); ++k) s += (k ? "," : "") + std::to_string(fds[k]);
            out.push_back(s);
        }
    } else if (c.name == "fcntl") {
        if (c.args.find("F_DUPFD_CLOEXEC") != std::string::npos)
            out.push_back("fcntl_dupfd_cloexec " + first + " -> " + result(c.retval));
        else if (c.args.find("F_DUPFD") != std::string::npos)
            out.push_back("fcntl_dupfd " + first + " -> " + result(c.retval));
        else if (c.args.find("F_SETFD") != std::string::npos)
            out.push_back("fcntl_setfd " + first + " -> " + result(c.retval));
    } else if (c.name == "recvmsg" && c.error.empty()) {
        for (std::size_t pos = c.args.find("SCM_RIGHTS"); pos != std::string::npos;
             pos = c.args.find("SCM_RIGHTS", pos + 1)) {
            std::size_t data = c.args.find("cmsg_data=", pos);
            if (data == std::string::npos) break;
            for (int fd : int_array_at(c.args, data)) out.push_back("recvmsg_rights -> " + std::to_string(fd));
        }
    }
    return out;
}

}  // namespace fdscope::test
