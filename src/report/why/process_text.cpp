#include "report/why/process_text.hpp"

#include <linux/capability.h>

#include <cstring>
#include <fmt/format.h>
#include <locale>

namespace fdscope::report::why {
namespace {

// Thousands grouped with commas whatever the environment's locale.
struct Commas : std::numpunct<char> {
    char do_thousands_sep() const override { return ','; }
    std::string do_grouping() const override { return "\3"; }
};

}  // namespace

std::string grouped(std::uint64_t n) {
    static const std::locale commas(std::locale::classic(), new Commas);
    return fmt::format(commas, "{:L}", n);
}

std::string size_text(std::uint64_t bytes) {
    static constexpr const char* kUnits = "KMGTPE";
    if (bytes < 1024) return fmt::format("{}B", bytes);
    int unit = -1;
    std::uint64_t whole = bytes;
    while (whole >= 1024 && unit < 5) {
        whole /= 1024;
        ++unit;
    }
    const double scaled = static_cast<double>(bytes) / static_cast<double>(std::uint64_t{1} << (10 * (unit + 1)));
    const char suffix = kUnits[unit];
    if (scaled >= 100 || scaled == static_cast<double>(whole)) return fmt::format("{}{}", whole, suffix);
    return fmt::format("{:.1f}{}", scaled, suffix);
}

std::string limit_text(std::uint64_t n) {
    return n == fdscope::why::Limits::kUnlimited ? std::string("unlimited") : grouped(n);
}

bool has_cap(const fdscope::why::Subject& subject, int cap) {
    if (cap < 0 || cap > CAP_LAST_CAP) return false;
    return (subject.cap_effective >> cap) & 1u;
}

std::string holders_text(const std::vector<fdscope::why::Holder>& holders) {
    std::string out;
    for (const auto& h : holders) {
        std::string one = fmt::format("pid {}", h.pid);
        if (!h.command.empty()) one += fmt::format(" ({})", h.command);
        if (h.fd >= 0) one += fmt::format(" fd {}", h.fd);
        if (!h.note.empty()) one += ", " + h.note;
        out += (out.empty() ? "" : "; ") + one;
    }
    return out;
}

std::string subject_text(const fdscope::why::Subject& subject) {
    using fdscope::why::SubjectKind;
    switch (subject.kind) {
    case SubjectKind::Process: return fmt::format("pid {} ({})", subject.pid, subject.command);
    case SubjectKind::User:
        return subject.user_name.empty() ? fmt::format("uid {}", subject.euid)
                                         : fmt::format("uid {} ({})", subject.euid, subject.user_name);
    case SubjectKind::Caller: break;
    }
    return fmt::format("uid {} (you)", subject.euid);
}

std::string unit_of(const std::string& cgroup) {
    static constexpr const char* kKinds[] = {".service", ".scope", ".socket", ".mount", ".swap"};
    // The innermost unit: a service's own sub-cgroups (nginx.service/worker)
    // still belong to it.
    std::size_t end = cgroup.size();
    while (end > 0) {
        const std::size_t slash = cgroup.rfind('/', end - 1);
        const std::size_t begin = slash == std::string::npos ? 0 : slash + 1;
        const std::string part = cgroup.substr(begin, end - begin);
        for (const char* kind : kKinds) {
            const std::size_t n = std::strlen(kind);
            if (part.size() > n && part.compare(part.size() - n, n, kind) == 0) return part;
        }
        if (slash == std::string::npos) break;
        end = slash;
    }
    return {};
}

}  // namespace fdscope::report::why
