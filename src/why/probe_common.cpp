#include "why/probe_common.hpp"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/random.h>
#include <unistd.h>

#include <cstring>
#include <ctime>


namespace fdscope::why {

std::string random_letters() {
    unsigned char bytes[6] = {};
    if (::getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) {
        auto t = static_cast<unsigned long>(::getpid()) ^ static_cast<unsigned long>(::time(nullptr));
        std::memcpy(bytes, &t, sizeof bytes);
    }
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

void add_note(std::string& list, const std::string& item) {
    if (item.empty()) return;
    std::string_view trimmed = item;
    while (trimmed.starts_with("; ")) trimmed.remove_prefix(2);
    if (trimmed.empty()) return;
    if (!list.empty()) list += "; ";
    list += trimmed;
}

bool filters_may_defer(const std::vector<std::vector<sock_filter>>& filters) {
    for (const auto& filter : filters)
        for (const auto& insn : filter) {
            if (BPF_CLASS(insn.code) != BPF_RET) continue;
            if (BPF_RVAL(insn.code) != BPF_K) return true;
            const std::uint32_t action = insn.k & SECCOMP_RET_ACTION_FULL;
            if (action == SECCOMP_RET_TRACE || action == SECCOMP_RET_USER_NOTIF) return true;
        }
    return false;
}

std::string child_not_reproduced(const Subject& s, const Attempt& attempt) {
    std::string notes;
    if (s.kind == SubjectKind::Process) {
        add_note(notes, "its Landlock domain");
        add_note(notes, s.lsm_label.empty() ? "its LSM label, if an LSM gives it one" : "its LSM label (" + s.lsm_label + ")");
        add_note(notes, "its securebits");
        if (s.seccomp_filters && filters_may_defer(*s.seccomp_filters))
            add_note(notes, "its seccomp supervisor or tracer (TRACE/USER_NOTIF filters answer ENOSYS without them)");
        if (s.threads_differ) add_note(notes, "other threads' credentials and filters (one thread was copied)");
        if (s.lowest_free_fd)
            add_note(notes, "the files in its fd table (it is at its RLIMIT_NOFILE: an open's probe holds "
                            "copies of one eventfd in every number below its lowest free one)");
        bool native = s.audit_arches.empty();
        for (auto arch : s.audit_arches) native = native || arch == AUDIT_ARCH_X86_64;
        if (!native) add_note(notes, "its syscall architecture (the probe issues native x86_64 syscalls)");
    }
    add_note(notes, attempt.not_copied);
    return notes;
}

std::string child_identity(const Subject& s) {
    switch (s.kind) {
    case SubjectKind::Caller: return "as fdscope itself";
    case SubjectKind::User:
        return "as uid " + std::to_string(s.euid) + " gid " + std::to_string(s.egid) +
               (s.user_name.empty() ? std::string() : " (" + s.user_name + ")");
    case SubjectKind::Process:
        return "as uid " + std::to_string(s.euid) + " gid " + std::to_string(s.egid) + " in pid " +
               std::to_string(s.pid) + "'s namespaces, root and cwd";
    }
    return "";
}

}  // namespace fdscope::why
