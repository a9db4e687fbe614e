// What SELinux and AppArmor would decide, asked through their own
// libraries (libselinux's security_compute_av_flags, libapparmor's
// aa_query_file_path) before any denial is logged. Each adapter sees its
// library through a small table of functions, so its logic is tested with
// recorded answers on machines without that LSM (this one has neither).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/why_facts.hpp"

namespace fdscope::why {

struct SelinuxLibrary {
    // getfilecon_raw: 0 or an errno.
    std::function<int(const std::string& path, std::string& context)> file_context;
    // security_compute_av_flags_raw for `perms` of `tclass`: 0 or an errno;
    // allowed when every perm is granted, permissive when the decision is
    // not enforced (the domain is permissive or the machine is).
    std::function<int(const std::string& scon, const std::string& tcon, const std::string& tclass,
                      const std::vector<std::string>& perms, bool& allowed, bool& permissive)>
        compute;
};

struct AppArmorLibrary {
    // aa_query_file_path with AA_MAY_* bits: 0 or an errno.
    std::function<int(std::uint32_t mask, const std::string& label, const std::string& path, bool& allowed)> query_file;
};

SelinuxLibrary real_selinux();
AppArmorLibrary real_apparmor();

// What the operation asks of its object, as the LSMs name it; nullopt
// when the adapters have no question for it (they judge opens, exec,
// chdir and reads/writes of an fd's file).
struct LsmAsk {
    bool read = false, write = false, append = false, exec = false, search = false;
};
std::optional<LsmAsk> lsm_ask(const Operation& op);

// The SELinux class of an inode ("file", "dir", "chr_file", ...).
std::string selinux_class(std::uint32_t mode);

// One adapter's answer for `path` (as the subject sees it) and the
// subject's label; nullopt with `error` when the library could not answer.
std::optional<LsmAnswer> selinux_answer(const SelinuxLibrary& lib, const std::string& subject_label,
                                        const std::string& path, std::uint32_t mode, const LsmAsk& ask,
                                        std::string& error);
std::optional<LsmAnswer> apparmor_answer(const AppArmorLibrary& lib, const std::string& subject_label,
                                         const std::string& path, const LsmAsk& ask, std::string& error);

// For each of SELinux and AppArmor that is active (facts.lsm.active), asks
// its adapter about the operation's object and adds the answer to
// facts.lsm.answers (or why not to facts.unreadable).
void ask_lsms(Facts& facts, const SelinuxLibrary& selinux, const AppArmorLibrary& apparmor);

}  // namespace fdscope::why
