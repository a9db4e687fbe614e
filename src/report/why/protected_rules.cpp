#include "report/why/protected_rules.hpp"

#include <linux/capability.h>
#include <sys/stat.h>

#include <cerrno>

#include <fmt/format.h>

#include "report/why/capability.hpp"
#include "report/why/check_make.hpp"
#include "report/why/inode_permission.hpp"
#include "report/why/inode_text.hpp"
#include "report/why/inode_type.hpp"
#include "report/why/subject_ids.hpp"

namespace fdscope::report::why {

namespace {

bool sticky(const Inode& dir) { return (dir.mode & S_ISVTX) != 0; }

std::string dir_words(const Facts& facts, const Inode& dir, const std::string& dir_path) {
    return fmt::format("{} {} {}", dir_path, mode_string(dir.mode), owner_text(facts, dir));
}

Check sysctl_unknown(const std::string& path, const std::string& name) {
    return unknown_check(Layer::Protected, path, fmt::format("fs.{} not read", name),
                         fmt::format("fs.{} was not read: it decides whether this is refused", name));
}

}  // namespace

Check sticky_check(const Facts& facts, const Inode& dir, const std::string& dir_path, const Inode& victim,
                   const std::string& path) {
    const auto& s = facts.subject;
    if (!sticky(dir)) return passed(Layer::Sticky, path, fmt::format("{} is not sticky", dir_path));
    if (victim.uid == s.fsuid) return passed(Layer::Sticky, path, fmt::format("sticky {}; the subject owns {}", dir_path, path));
    if (dir.uid == s.fsuid) return passed(Layer::Sticky, path, fmt::format("sticky {}; the subject owns it", dir_path));
    if (capable_wrt_inode(s, victim, CAP_FOWNER))
        return passed(Layer::Sticky, path, fmt::format("sticky {}; CAP_FOWNER overrides", dir_path));
    return failed(Layer::Sticky, path, EPERM,
                  fmt::format("sticky {}; {} owned by {}; {} owns neither; {}", dir_words(facts, dir, dir_path), path,
                              user_text(facts, victim.uid), subject_text(facts),
                              capability_state(facts, victim, CAP_FOWNER)),
                  fmt::format("{} is sticky: only the owner of {} ({}), the owner of {} ({}) or CAP_FOWNER may "
                              "remove or rename it",
                              dir_path, path, user_text(facts, victim.uid), dir_path, user_text(facts, dir.uid)),
                  fmt::format("remove it as {} or {}", user_text(facts, victim.uid), user_text(facts, dir.uid)));
}

Check create_in_sticky_check(const Facts& facts, const Inode& dir, const std::string& dir_path, const Inode& object,
                             const std::string& path) {
    const auto& sc = facts.sysctls;
    if (!sticky(dir)) return passed(Layer::Protected, path, fmt::format("{} is not sticky", dir_path));
    if (is_reg(object) || is_fifo(object)) {
        const bool reg = is_reg(object);
        if (!sc.known) return sysctl_unknown(path, reg ? "protected_regular" : "protected_fifos");
        const int value = reg ? sc.protected_regular : sc.protected_fifos;
        if (value == 0) return passed(Layer::Protected, path, fmt::format("fs.{}=0", reg ? "protected_regular" : "protected_fifos"));
    }
    const std::string sysctl = is_reg(object)    ? fmt::format("fs.protected_regular={}", sc.protected_regular)
                               : is_fifo(object) ? fmt::format("fs.protected_fifos={}", sc.protected_fifos)
                                                 : fmt::format("a {} (the kernel checks it whatever the sysctls)",
                                                               type_word(object));
    if (object.uid == dir.uid)
        return passed(Layer::Protected, path, fmt::format("{}; {} is owned by the directory's owner", sysctl, path));
    if (object.uid == facts.subject.fsuid)
        return passed(Layer::Protected, path, fmt::format("{}; the subject owns {}", sysctl, path));
    bool refused = (dir.mode & S_IWOTH) != 0;
    if (!refused && (dir.mode & S_IWGRP) != 0)
        refused = (is_fifo(object) && sc.protected_fifos >= 2) || (is_reg(object) && sc.protected_regular >= 2);
    if (!refused)
        return passed(Layer::Protected, path,
                      fmt::format("{}; {} is not writable enough for the rule ({})", sysctl, dir_path,
                                  mode_string(dir.mode)));
    return failed(Layer::Protected, path, EACCES,
                  fmt::format("{}: sticky {}; {} owned by {}, neither the subject, {}, nor the directory's owner; "
                              "no capability overrides this",
                              sysctl, dir_words(facts, dir, dir_path), path, user_text(facts, object.uid),
                              subject_text(facts)),
                  fmt::format("O_CREAT of {}, which exists and belongs to {}, in the shared sticky directory {} is "
                              "refused ({})",
                              path, user_text(facts, object.uid), dir_path, sysctl),
                  fmt::format("open it without O_CREAT (it exists), or as its owner {}", user_text(facts, object.uid)));
}

Check follow_link_check(const Facts& facts, const Inode* dir, const std::string& dir_path, const Inode& link,
                        const std::string& path) {
    // The rule's conditions first: where they do not hold, the sysctl's
    // value does not matter.
    const auto& sc = facts.sysctls;
    if (sc.known && sc.protected_symlinks == 0) return passed(Layer::Protected, path, "fs.protected_symlinks=0");
    if (link.uid == facts.subject.fsuid) return passed(Layer::Protected, path, "the follower owns the link");
    if (dir == nullptr)
        return unknown_check(Layer::Protected, path, "the directory holding the link was not read",
                             fmt::format("cannot judge fs.protected_symlinks for {}: its directory was not read", path));
    if ((dir->mode & (S_ISVTX | S_IWOTH)) != (S_ISVTX | S_IWOTH))
        return passed(Layer::Protected, path, fmt::format("{} is not sticky and world-writable", dir_path));
    if (dir->uid == link.uid) return passed(Layer::Protected, path, "the directory's owner owns the link");
    if (!sc.known) return sysctl_unknown(path, "protected_symlinks");
    return failed(Layer::Protected, path, EACCES,
                  fmt::format("fs.protected_symlinks=1: symlink {} owned by {} in sticky world-writable {}; the "
                              "follower {} owns neither; no capability overrides this",
                              path, user_text(facts, link.uid), dir_words(facts, *dir, dir_path), subject_text(facts)),
                  fmt::format("the symlink {} belongs to {}, who owns neither it nor the shared sticky directory {}: "
                              "the kernel refuses to follow it",
                              path, user_text(facts, link.uid), dir_path),
                  fmt::format("use its target directly ({}), or let {} or {} own the link", link.symlink_target,
                              user_text(facts, dir->uid), subject_user_arg(facts)));
}

Check hardlink_check(const Facts& facts, const Inode& source, const std::string& path) {
    const auto& sc = facts.sysctls;
    if (sc.known && sc.protected_hardlinks == 0) return passed(Layer::Protected, path, "fs.protected_hardlinks=0");
    if (owner_or_capable(facts.subject, source))
        return passed(Layer::Protected, path,
                      source.uid == facts.subject.fsuid ? "the subject owns it" : "CAP_FOWNER over it");
    // safe_hardlink_source()
    std::string unsafe;
    if (!is_reg(source))
        unsafe = fmt::format("it is a {}", type_word(source));
    else if ((source.mode & S_ISUID) != 0)
        unsafe = "it is setuid";
    else if ((source.mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
        unsafe = "it is setgid and group-executable";
    else if (!permission_granted(facts, source, kMayRead | kMayWrite))
        unsafe = "the subject cannot both read and write it";
    if (unsafe.empty())
        return passed(Layer::Protected, path, "a regular file the subject may read and write");
    if (!sc.known) return sysctl_unknown(path, "protected_hardlinks");
    return failed(Layer::Protected, path, EPERM,
                  fmt::format("fs.protected_hardlinks=1: {} ({}) is owned by {}; {}; {}", path,
                              mode_string(source.mode), user_text(facts, source.uid), unsafe,
                              capability_state(facts, source, CAP_FOWNER)),
                  fmt::format("only the owner of {} ({}) or CAP_FOWNER may hard-link it: {}", path,
                              user_text(facts, source.uid), unsafe),
                  fmt::format("link it as {}, or copy it instead (cp {} NEW)", user_text(facts, source.uid), path));
}

}  // namespace fdscope::report::why
