#include "why/lsm_adapters.hpp"

#include <selinux/selinux.h>
#include <sys/apparmor.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <fmt/format.h>

#include "sys/errno_text.hpp"

namespace fdscope::why {
namespace {

std::vector<std::string> selinux_perms(const LsmAsk& ask) {
    std::vector<std::string> p;
    if (ask.search) p.emplace_back("search");
    if (ask.read) p.emplace_back("read");
    if (ask.write) p.emplace_back(ask.append ? "append" : "write");
    if (ask.exec) p.emplace_back("execute");
    if (ask.read || ask.write) p.emplace_back("open");
    return p;
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
    return out;
}

// "profile_name (enforce)" → "profile_name" (what aa_splitcon does, without
// writing into the string).
std::string apparmor_label(const std::string& context) {
    std::string label = context;
    while (!label.empty() && (label.back() == '\n' || label.back() == ' ')) label.pop_back();
    if (label.size() > 3 && label.back() == ')') {
        const auto open = label.rfind(" (");
        if (open != std::string::npos) label.resize(open);
    }
    return label;
}

// The object the operation names: the walk's last step.
const Inode* object_of(const Facts& f) {
    if (f.operation.op == Op::Read || f.operation.op == Op::Write) return f.fd.inode ? &*f.fd.inode : nullptr;
    if (!f.walk.complete || f.walk.steps.empty() || !f.walk.steps.back().inode) return nullptr;
    return &*f.walk.steps.back().inode;
}

std::string object_path(const Facts& f) {
    if (f.operation.op == Op::Read || f.operation.op == Op::Write) return f.fd.target;
    return f.walk.steps.empty() ? f.operation.path : f.walk.steps.back().path;
}

}  // namespace

std::optional<LsmAsk> lsm_ask(const Operation& op) {
    LsmAsk a;
    switch (op.op) {
    case Op::Open:
        a.read = op.open.read || !op.open.write;
        a.write = op.open.write;
        a.append = op.open.append;
        return a;
    case Op::Exec: a.exec = true; return a;
    case Op::Chdir: a.search = true; return a;
    case Op::Read: a.read = true; return a;
    case Op::Write: a.write = true; return a;
    default: return std::nullopt;
    }
}

std::string selinux_class(std::uint32_t mode) {
    switch (mode & S_IFMT) {
    case S_IFDIR: return "dir";
    case S_IFCHR: return "chr_file";
    case S_IFBLK: return "blk_file";
    case S_IFIFO: return "fifo_file";
    case S_IFSOCK: return "sock_file";
    case S_IFLNK: return "lnk_file";
    default: return "file";
    }
}

std::optional<LsmAnswer> selinux_answer(const SelinuxLibrary& lib, const std::string& subject_label,
                                        const std::string& path, std::uint32_t mode, const LsmAsk& ask,
                                        std::string& error) {
    if (subject_label.empty()) {
        error = "SELinux: the subject's context (/proc/PID/attr/current) is empty";
        return std::nullopt;
    }
    std::string tcon;
    if (int err = lib.file_context(path, tcon)) {
        error = fmt::format("SELinux: the context of {}: {}", path, sys::errno_text(err));
        return std::nullopt;
    }
    const std::string tclass = selinux_class(mode);
    const auto perms = selinux_perms(ask);
    bool allowed = false, permissive = false;
    if (int err = lib.compute(subject_label, tcon, tclass, perms, allowed, permissive)) {
        error = fmt::format("SELinux: computing the access vector: {}", sys::errno_text(err));
        return std::nullopt;
    }
    LsmAnswer a;
    a.lsm = "selinux";
    a.allowed = allowed || permissive;
    a.permissive = permissive && !allowed;
    a.error = a.allowed ? 0 : EACCES;
    a.detail = fmt::format("scontext={} tcontext={} tclass={} perm={}{}", subject_label, tcon, tclass, joined(perms),
                           allowed ? "" : permissive ? " (denied, but permissive: logged, not enforced)" : " (denied)");
    if (!allowed)
        a.fix = fmt::format("audit2allow would need a rule: allow {} {}:{} {{ {} }}; or relabel {} (restorecon, chcon)",
                            subject_label, tcon, tclass, joined(perms), path);
    return a;
}

std::optional<LsmAnswer> apparmor_answer(const AppArmorLibrary& lib, const std::string& subject_label,
                                         const std::string& path, const LsmAsk& ask, std::string& error) {
    const std::string label = apparmor_label(subject_label);
    LsmAnswer a;
    a.lsm = "apparmor";
    if (label.empty() || label == "unconfined") {
        a.allowed = true;
        a.detail = "unconfined";
        return a;
    }
    std::uint32_t mask = 0;
    if (ask.read || ask.search) mask |= AA_MAY_READ;
    if (ask.write) mask |= ask.append ? AA_MAY_APPEND : AA_MAY_WRITE;
    if (ask.exec) mask |= AA_MAY_EXEC;
    bool allowed = false;
    if (int err = lib.query_file(mask, label, path, allowed)) {
        error = fmt::format("AppArmor: querying profile {} for {}: {}", label, path, sys::errno_text(err));
        return std::nullopt;
    }
    a.allowed = allowed;
    a.error = allowed ? 0 : EACCES;
    a.detail = fmt::format("profile {} {} {} {}", label, allowed ? "allows" : "denies",
                           std::string(ask.read || ask.search ? "r" : "") + (ask.write ? (ask.append ? "a" : "w") : "") +
                               (ask.exec ? "x" : ""),
                           path);
    if (!allowed) a.fix = fmt::format("add a rule for {} to profile {} (aa-logprof), or aa-complain {}", path, label, label);
    return a;
}

void ask_lsms(Facts& facts, const SelinuxLibrary& selinux, const AppArmorLibrary& apparmor) {
    const auto& active = facts.lsm.active;
    const bool has_selinux = std::find(active.begin(), active.end(), "selinux") != active.end();
    const bool has_apparmor = std::find(active.begin(), active.end(), "apparmor") != active.end();
    if (!has_selinux && !has_apparmor) return;
    const auto ask = lsm_ask(facts.operation);
    const Inode* object = object_of(facts);
    if (!ask || !object) return;  // nothing to ask: the rules say the LSM was not asked
    const std::string path = object_path(facts);
    std::string error;
    if (has_selinux) {
        if (auto a = selinux_answer(selinux, facts.subject.lsm_label, path, object->mode, *ask, error))
            facts.lsm.answers.push_back(std::move(*a));
        else facts.unreadable.push_back(error);
    }
    if (has_apparmor) {
        if (auto a = apparmor_answer(apparmor, facts.subject.lsm_label, path, *ask, error))
            facts.lsm.answers.push_back(std::move(*a));
        else facts.unreadable.push_back(error);
    }
}

SelinuxLibrary real_selinux() {
    SelinuxLibrary lib;
    lib.file_context = [](const std::string& path, std::string& context) {
        char* con = nullptr;
        if (::getfilecon_raw(path.c_str(), &con) < 0) return errno ? errno : EIO;
        context = con;
        ::freecon(con);
        return 0;
    };
    lib.compute = [](const std::string& scon, const std::string& tcon, const std::string& tclass,
                     const std::vector<std::string>& perms, bool& allowed, bool& permissive) {
        const security_class_t cls = ::string_to_security_class(tclass.c_str());
        if (cls == 0) return EINVAL;
        access_vector_t want = 0;
        for (const auto& p : perms) want |= ::string_to_av_perm(cls, p.c_str());
        struct av_decision avd {};
        if (::security_compute_av_flags_raw(scon.c_str(), tcon.c_str(), cls, want, &avd) < 0) return errno ? errno : EIO;
        allowed = (avd.allowed & want) == want;
        permissive = (avd.flags & SELINUX_AVD_FLAGS_PERMISSIVE) != 0 || ::security_getenforce() == 0;
        return 0;
    };
    return lib;
}

AppArmorLibrary real_apparmor() {
    AppArmorLibrary lib;
    lib.query_file = [](std::uint32_t mask, const std::string& label, const std::string& path, bool& allowed) {
        int allow = 0, audit = 0;
        if (::aa_query_file_path(mask, label.c_str(), path.c_str(), &allow, &audit) < 0) return errno ? errno : EIO;
        allowed = allow != 0;
        return 0;
    };
    return lib;
}

}  // namespace fdscope::why
