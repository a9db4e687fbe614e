#include "report/read_gaps.hpp"

#include <fmt/format.h>

namespace fdscope::report {
namespace {

std::string plural(std::uint64_t n, const char* one, const char* many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
}

// "pid 12" / "pids 12, 40, 41, …" for the first `named` of `pids`.
std::string pid_list(const std::vector<pid_t>& pids, std::size_t named) {
    std::string s = pids.size() == 1 ? "pid " : "pids ";
    for (std::size_t i = 0; i < pids.size() && i < named; ++i) s += fmt::format("{}{}", i ? ", " : "", pids[i]);
    if (pids.size() > named) s += ", …";
    return s;
}

// What is missing from the fds of a process whose fdinfo was refused.
std::string partial_facts(const Process& p) {
    const std::uint64_t fds = p.fd_count();
    if (p.refused.links >= fds)
        return fmt::format("{} listed by number only (their links are refused too)", plural(fds, "fd", "fds"));
    std::string s = fmt::format("{} listed without mode, flags, position or close-on-exec", plural(fds, "fd", "fds"));
    if (p.refused.links) s += fmt::format(", {} of them by number only", p.refused.links);
    return s;
}

}  // namespace

std::string skipped_sentence(const Snapshot& snap, std::size_t named) {
    const Skipped& sk = snap.skipped_processes;
    if (!sk.permission && !sk.vanished) return {};
    std::vector<pid_t> refused;
    for (const Process& p : snap.processes)
        if (p.refused.fds && !p.partial) refused.push_back(p.pid);
    std::string denied = fmt::format("{} permission denied", sk.permission);
    if (!refused.empty()) denied += ": " + pid_list(refused, named);
    return fmt::format("{} skipped ({}; {} vanished)", plural(sk.permission + sk.vanished, "process", "processes"), denied,
                       sk.vanished);
}

std::vector<std::string> partial_sentences(const Snapshot& snap, std::size_t named) {
    std::vector<const Process*> partial;
    for (const Process& p : snap.processes)
        if (p.refused.fdinfo && !p.partial) partial.push_back(&p);
    std::vector<std::string> out;
    if (partial.size() > named) {
        std::vector<pid_t> pids;
        for (const Process* p : partial) pids.push_back(p->pid);
        out.push_back(fmt::format("{} listed with part of their fds' facts: fdinfo not readable (permission denied)",
                                  pid_list(pids, named)));
        return out;
    }
    for (const Process* p : partial)
        out.push_back(fmt::format("pid {} ({}): fdinfo not readable (permission denied): {}{}", p->pid, p->comm,
                                  partial_facts(*p), p->refused.assocs ? "; cwd, root and exe refused too" : ""));
    return out;
}

}  // namespace fdscope::report
