#include "report/why/busy_rules.hpp"

#include <cerrno>

#include <fmt/format.h>

#include "report/why/check_make.hpp"
#include "report/why/inode_type.hpp"
#include "report/why/mount_rules.hpp"
#include "report/why/process_text.hpp"

namespace fdscope::report::why {

namespace {

using fdscope::why::SocketHolder;

std::vector<Holder> listeners(const Facts& facts) {
    std::vector<Holder> out;
    for (const SocketHolder& h : facts.address_holders)
        out.insert(out.end(), h.holders.begin(), h.holders.end());
    return out;
}

std::string pids_text(const std::vector<Holder>& holders) {
    std::string out;
    for (const Holder& h : holders) {
        const std::string one = fmt::format("{}", h.pid);
        if (out.find(one) == std::string::npos) out += (out.empty() ? "" : " ") + one;
    }
    return out;
}

}  // namespace

Check text_busy_for_write(const Facts& facts, const std::string& path) {
    if (facts.executing.empty()) return passed(Layer::Busy, path, "no process executes it");
    Check c = failed(Layer::Busy, path, ETXTBSY, "executed by " + holders_text(facts.executing),
                     fmt::format("{} is the running program of {}: the kernel refuses to write it while it runs", path,
                                 holders_text(facts.executing)),
                     fmt::format("stop the process (kill {}) first, or write a new file and rename it over {}",
                                 pids_text(facts.executing), path));
    c.holders = facts.executing;
    return c;
}

Check text_busy_for_exec(const Facts& facts, const std::string& path) {
    if (facts.writers.empty()) return passed(Layer::Busy, path, "nobody has it open for write");
    Check c = failed(Layer::Busy, path, ETXTBSY, "open for write by " + holders_text(facts.writers),
                     fmt::format("{} is open for write by {}: the kernel refuses to execute a file being written",
                                 path, holders_text(facts.writers)),
                     fmt::format("let the writer finish and close it, or stop it (kill {})", pids_text(facts.writers)));
    c.holders = facts.writers;
    return c;
}

std::vector<Check> lease_checks(const Facts& facts) {
    const auto& op = facts.operation;
    if (op.op != fdscope::why::Op::Open || facts.leases.empty()) return {};
    std::vector<Holder> conflicting;
    for (const Holder& h : facts.leases) {
        const bool write_lease = h.note.find("write") != std::string::npos;
        if (h.pid != facts.subject.pid && (write_lease || op.open.write)) conflicting.push_back(h);
    }
    if (conflicting.empty()) return {};
    const std::string path = facts.walk.steps.empty() ? op.path : facts.walk.steps.back().path;
    Check c;
    c.layer = Layer::Busy;
    c.path = path;
    c.result = Result::Note;
    c.detail = "lease held by " + holders_text(conflicting);
    c.explain = fmt::format(
        "the open waits until {} gives up its lease (the kernel tells it with SIGIO; at most fs.lease-break-time "
        "{} s); with O_NONBLOCK it fails EWOULDBLOCK at once",
        holders_text(conflicting), facts.lease_break_seconds);
    c.fix = "have the lease holder release it (fcntl F_SETLEASE F_UNLCK), or open with O_NONBLOCK and retry";
    c.holders = std::move(conflicting);
    return {c};
}

Check mount_point_check(const Facts& facts, const Inode& dir, const Inode& victim, const std::string& path) {
    if (victim.mount_id == dir.mount_id) return passed(Layer::Busy, path, "not a mount point");
    const auto* m = fdscope::why::find_mount(facts, victim.mount_id);
    const std::string what = m != nullptr ? mount_text(*m) : fmt::format("mount {}", victim.mount_id);
    return failed(Layer::Busy, path, EBUSY, "mount point of " + what,
                  fmt::format("{} is a mount point ({}): it cannot be removed or renamed while mounted", path, what),
                  (!facts.subject.same_mnt_ns && facts.subject.pid > 0
                       ? fmt::format("nsenter -t {} -m umount {}", facts.subject.pid, path)
                       : "umount " + path) +
                      " first");
}

Check unix_path_in_use(const Facts& facts, const Inode* existing, const std::string& path) {
    if (existing == nullptr) return passed(Layer::Busy, path, "the path is free");
    const auto held = listeners(facts);
    if (!is_socket(*existing))
        return failed(Layer::Busy, path, EADDRINUSE, fmt::format("{} exists ({})", path, type_word(*existing)),
                      fmt::format("{} exists and is a {}: bind() needs a path that does not exist", path,
                                  type_word(*existing)),
                      "bind to another path");
    if (held.empty())
        return failed(Layer::Busy, path, EADDRINUSE, "a socket file exists; no process listens on it (stale)",
                      fmt::format("{} is a stale socket file: bind() does not reuse an existing path even when "
                                  "nobody listens on it",
                                  path),
                      fmt::format("rm {} (no process listens on it), then bind", path));
    Check c = failed(Layer::Busy, path, EADDRINUSE, "a socket file exists; bound by " + holders_text(held),
                     fmt::format("{} is in use by {}", path, holders_text(held)),
                     fmt::format("stop that server (kill {}) or bind another path", pids_text(held)));
    c.holders = held;
    return c;
}

Check unix_listener_check(const Facts& facts, const std::string& path) {
    const auto held = listeners(facts);
    if (held.empty())
        return failed(Layer::Busy, path, ECONNREFUSED, "stale socket file: no process has a socket bound to it",
                      fmt::format("nobody listens on {}: it is a stale socket file", path),
                      fmt::format("start the server that should listen on {} (it removes and re-binds the file)",
                                  path));
    Check c = passed(Layer::Busy, path, "bound by " + holders_text(held));
    c.holders = held;
    return c;
}

}  // namespace fdscope::report::why
