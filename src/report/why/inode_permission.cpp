#include "report/why/inode_permission.hpp"

#include <linux/capability.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "report/why/capability.hpp"
#include "report/why/check_make.hpp"
#include "report/why/filesystem_rules.hpp"
#include "report/why/inode_text.hpp"
#include "report/why/inode_type.hpp"
#include "report/why/mount_rules.hpp"
#include "report/why/subject_ids.hpp"

namespace fdscope::report::why {

namespace {

using fdscope::why::AclEntry;
using Tag = AclEntry::Tag;

unsigned want_of(int mask) { return static_cast<unsigned>(mask) & 7u; }

// "rx": the letters chmod and setfacl take.
std::string letters(unsigned bits) {
    std::string s;
    if ((bits & 4u) != 0) s += 'r';
    if ((bits & 2u) != 0) s += 'w';
    if ((bits & 1u) != 0) s += 'x';
    return s;
}

std::string verdict_words(unsigned have, unsigned want) {
    if ((have & want) == want) return "grant " + letters(want);
    return "lack " + letters(want & ~have);
}

struct Bits {
    bool granted = false;
    Layer layer = Layer::Mode;
    std::string reason, fix;
    bool unknown = false;
};

// The access ACL with the entries the mode stands for when the facts
// carry only the extended ones, in the kernel's order (posix_acl_valid
// keeps them sorted by tag, which the enum follows).
std::vector<AclEntry> full_acl(const Inode& inode) {
    std::vector<AclEntry> acl = inode.acl;
    const auto has = [&acl](Tag t) {
        return std::any_of(acl.begin(), acl.end(), [t](const AclEntry& e) { return e.tag == t; });
    };
    const auto bits = [&inode](unsigned shift) { return static_cast<std::uint8_t>((inode.mode >> shift) & 7u); };
    if (!has(Tag::UserObj)) acl.push_back({Tag::UserObj, 0, bits(6)});
    if (!has(Tag::GroupObj)) acl.push_back({Tag::GroupObj, 0, bits(3)});
    if (!has(Tag::Other)) acl.push_back({Tag::Other, 0, bits(0)});
    std::stable_sort(acl.begin(), acl.end(), [](const AclEntry& a, const AclEntry& b) { return a.tag < b.tag; });
    return acl;
}

// posix_acl_permission(): a named user entry decides (masked); a matching
// group entry that grants decides (masked); matching groups that all lack
// the access deny; otherwise the other entry.
Bits posix_acl(const Facts& facts, const Inode& inode, unsigned want, const std::string& path) {
    const auto acl = full_acl(inode);
    const auto& s = facts.subject;
    const AclEntry* mask = nullptr;
    for (const auto& e : acl)
        if (e.tag == Tag::Mask) mask = &e;
    const std::string user = subject_user_arg(facts);
    const std::string add_user = fmt::format("setfacl -m u:{}:{} {}", user, letters(want), path);

    const auto masked = [&](const AclEntry& e, const std::string& entry, const std::string& entry_fix) {
        Bits b;
        b.layer = Layer::Acl;
        unsigned eff = e.perm;
        std::string how = entry;
        if (mask != nullptr) {
            eff &= mask->perm;
            how += fmt::format(" masked by m::{} gives {}", perm_letters(mask->perm), perm_letters(eff));
        }
        b.granted = (eff & want) == want;
        b.reason = fmt::format("ACL entry {}: {}", how, verdict_words(eff, want));
        if (!b.granted) {
            if ((e.perm & want) != want)
                b.fix = entry_fix;
            else if (mask != nullptr)
                b.fix = fmt::format("setfacl -m m::{} {}", letters(mask->perm | want), path);
        }
        return b;
    };
    const auto plain = [&](const AclEntry& e, const std::string& entry) {
        Bits b;
        b.layer = Layer::Acl;
        b.granted = (e.perm & want) == want;
        b.reason = fmt::format("ACL entry {}: {}", entry, verdict_words(e.perm, want));
        if (!b.granted) b.fix = add_user;
        return b;
    };

    bool found = false;
    std::vector<std::string> matched;
    for (const auto& e : acl) {
        switch (e.tag) {
        case Tag::UserObj:
            if (s.fsuid == inode.uid) return plain(e, "u::" + perm_letters(e.perm));
            break;
        case Tag::User:
            if (s.fsuid == e.id)
                return masked(e, fmt::format("u:{}:{}", user_text(facts, e.id), perm_letters(e.perm)),
                              fmt::format("setfacl -m u:{}:{} {}", user_text(facts, e.id),
                                          letters(e.perm | want), path));
            break;
        case Tag::GroupObj:
        case Tag::Group: {
            const gid_t gid = e.tag == Tag::GroupObj ? inode.gid : static_cast<gid_t>(e.id);
            if (!in_group(s, gid)) break;
            found = true;
            const std::string entry = e.tag == Tag::GroupObj
                                          ? fmt::format("g::{} (group {})", perm_letters(e.perm), group_text(facts, gid))
                                          : fmt::format("g:{}:{}", group_text(facts, gid), perm_letters(e.perm));
            if ((e.perm & want) == want) return masked(e, entry, add_user);
            matched.push_back(entry);
            break;
        }
        case Tag::Mask: break;
        case Tag::Other:
            if (found) {
                Bits b;
                b.layer = Layer::Acl;
                std::string list;
                for (const auto& m : matched) list += (list.empty() ? "" : ", ") + m;
                b.reason = fmt::format("the subject's groups match ACL entries {} and none grants {}", list,
                                       letters(want));
                b.fix = add_user;
                return b;
            }
            {
                Bits b = plain(e, "o::" + perm_letters(e.perm));
                b.reason = fmt::format("no ACL entry names {} or its groups; {}", subject_text(facts), b.reason);
                if (!b.granted) b.fix = fmt::format("{}, or chmod o+{} {}", add_user, letters(want), path);
                return b;
            }
        }
    }
    return Bits{};  // an ACL without an other entry is invalid: the kernel returns EIO
}

// acl_permission_check(): the owner gets the owner bits and nothing else;
// the ACL counts only when the group bits (its mask) are not empty.
Bits mode_bits(const Facts& facts, const Inode& inode, int mask, const std::string& path) {
    const unsigned want = want_of(mask);
    const auto& s = facts.subject;
    Bits b;
    if (s.fsuid == inode.uid) {
        const unsigned bits = (inode.mode >> 6) & 7u;
        b.granted = (bits & want) == want;
        b.reason = fmt::format("the subject owns it: owner bits {} {}", perm_letters(bits), verdict_words(bits, want));
        if (!inode.acl.empty()) b.reason += " (the ACL does not apply to the owner)";
        if (!b.granted) b.fix = fmt::format("chmod u+{} {}", letters(want & ~bits), path);
        return b;
    }
    const bool group_bits = (inode.mode & 070u) != 0;
    if (!inode.acl.empty() && group_bits) return posix_acl(facts, inode, want, path);
    b.unknown = !inode.acl_known && group_bits;
    std::string prefix;
    if (!inode.acl.empty())
        prefix = "ACL ignored: the group bits (its mask) are ---, so the kernel does not read it; ";
    if (in_group(s, inode.gid)) {
        const unsigned bits = (inode.mode >> 3) & 7u;
        b.granted = (bits & want) == want;
        b.reason = fmt::format("{}in group {}: group bits {} {}", prefix, group_text(facts, inode.gid),
                               perm_letters(bits), verdict_words(bits, want));
        if (!b.granted) b.fix = fmt::format("chmod g+{} {}", letters(want & ~bits), path);
    } else {
        const unsigned bits = inode.mode & 7u;
        b.granted = (bits & want) == want;
        b.reason = fmt::format("{}{} is not the owner nor in group {}: other bits {} {}", prefix, subject_text(facts),
                               group_text(facts, inode.gid), perm_letters(bits), verdict_words(bits, want));
        if (!b.granted)
            b.fix = fmt::format("chmod o+{} {}, or setfacl -m u:{}:{} {}", letters(want & ~bits), path,
                                subject_user_arg(facts), letters(want), path);
    }
    return b;
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out;
}

}  // namespace

std::string access_words(int mask, bool directory) {
    std::vector<std::string> parts;
    if ((mask & kMayRead) != 0) parts.emplace_back("read");
    if ((mask & kMayWrite) != 0) parts.emplace_back("write");
    if ((mask & kMayExec) != 0) parts.emplace_back(directory ? "search" : "execute");
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? "" : " and ") + parts[i];
    return out;
}

DacDecision generic_permission(const Facts& facts, const Inode& inode, int mask, const std::string& path) {
    const Bits b = mode_bits(facts, inode, mask, path);
    DacDecision d;
    d.layer = b.layer;
    d.reason = b.reason;
    d.unknown = b.unknown;
    if (b.granted) {
        d.granted = true;
        return d;
    }
    d.fix = b.fix;
    // The capability fallback: directories are overridable, files too but
    // execute only when some x bit is set.
    const unsigned want = want_of(mask);
    std::vector<int> caps;
    bool exec_without_x = false;
    if (is_dir(inode)) {
        if ((mask & kMayWrite) == 0) caps.push_back(CAP_DAC_READ_SEARCH);
        caps.push_back(CAP_DAC_OVERRIDE);
    } else {
        if (want == static_cast<unsigned>(kMayRead)) caps.push_back(CAP_DAC_READ_SEARCH);
        if ((want & static_cast<unsigned>(kMayExec)) == 0 || (inode.mode & 0111u) != 0)
            caps.push_back(CAP_DAC_OVERRIDE);
        else
            exec_without_x = true;
    }
    for (int cap : caps) {
        if (capable_wrt_inode(facts.subject, inode, cap)) {
            d.granted = true;
            d.unknown = false;
            d.layer = Layer::Capability;
            d.capability = capability_name(cap) + " overrides the bits";
            d.fix.clear();
            return d;
        }
    }
    std::vector<std::string> states;
    bool held_but_unmapped = false;
    for (int cap : caps) {
        states.push_back(capability_state(facts, inode, cap));
        if (has_capability(facts.subject, cap)) held_but_unmapped = true;
    }
    if (exec_without_x) states.emplace_back("no capability grants execute of a file without any x bit");
    d.capability = join(states);
    if (held_but_unmapped) {
        d.layer = Layer::Capability;
        d.fix = fmt::format("chown {} to an owner mapped in the subject's user namespace, or reach it through an "
                            "idmapped mount; or {}",
                            path, d.fix);
    }
    return d;
}

bool permission_granted(const Facts& facts, const Inode& inode, int mask) {
    if ((mask & kMayWrite) != 0) {
        const auto* m = fdscope::why::find_mount(facts, inode.mount_id);
        if (m != nullptr && m->super_ro && (is_reg(inode) || is_dir(inode) || is_link(inode))) return false;
        if (inode.immutable) return false;
    }
    const DacDecision d = generic_permission(facts, inode, mask, "");
    return d.granted;
}

std::vector<Check> inode_permission_checks(const Facts& facts, const Inode& inode, const PermissionAsk& ask) {
    std::vector<Check> out;
    if ((ask.mask & kMayWrite) != 0) {
        if (ask.superblock) out.push_back(superblock_check(facts, inode, ask.path));
        out.push_back(immutable_check(facts, inode, ask.path, "nobody may write it, root included"));
    }
    const DacDecision d = generic_permission(facts, inode, ask.mask, ask.path);
    const Layer layer = ask.search ? Layer::Search : d.layer;
    const std::string words = access_words(ask.mask, is_dir(inode));
    std::string detail = fmt::format("{}; {}: {}", inode_text(facts, inode), words, d.reason);
    if (!d.capability.empty()) detail += "; " + d.capability;
    const auto* m = fdscope::why::find_mount(facts, inode.mount_id);
    if (d.granted && !d.unknown) {
        out.push_back(passed(layer, ask.path, detail));
    } else if (d.granted) {
        out.push_back(unknown_check(layer, ask.path, detail,
                                    fmt::format("the ACL of {} was not read: it could deny {}", ask.path, words)));
    } else if (m != nullptr && daemon_decides(*m)) {
        out.push_back(unknown_check(
            layer, ask.path, detail,
            fmt::format("the bits of {} deny {}, but on this FUSE mount the daemon decides, not the kernel",
                        ask.path, words)));
    } else if (d.unknown) {
        out.push_back(unknown_check(
            layer, ask.path, detail,
            fmt::format("the bits of {} deny {}, and its ACL was not read: it could grant it", ask.path, words)));
    } else {
        std::string explain =
            fmt::format("{} permission on {} ({}) is missing", words, ask.path, inode_short_text(facts, inode));
        if (d.layer == Layer::Capability)
            explain += "; the subject's capabilities do not count: " + unmapped_owner_text(facts, inode);
        out.push_back(failed(layer, ask.path, EACCES, detail, explain, d.fix));
    }
    return out;
}

Check immutable_check(const Facts& facts, const Inode& inode, const std::string& path, const std::string& refused) {
    (void)facts;
    if (!inode.attributes_known)
        return unknown_check(Layer::Attribute, path, "inode flags not read",
                             fmt::format("the inode flags of {} were not read: an immutable flag would refuse this",
                                         path));
    if (!inode.immutable) return passed(Layer::Attribute, path, "not immutable");
    return failed(Layer::Attribute, path, EPERM, "immutable (chattr +i)",
                  fmt::format("{} is immutable: {}", path, refused),
                  fmt::format("chattr -i {} (needs CAP_LINUX_IMMUTABLE)", path));
}

Check append_only_check(const Facts& facts, const Inode& inode, const std::string& path, bool applies,
                        const std::string& refused) {
    (void)facts;
    if (!inode.attributes_known) {
        if (!applies) return skipped(Layer::Attribute, path, "inode flags not read; append-only would not matter");
        return unknown_check(Layer::Attribute, path, "inode flags not read",
                             fmt::format("the inode flags of {} were not read: an append-only flag would refuse "
                                         "this",
                                         path));
    }
    if (!inode.append_only) return passed(Layer::Attribute, path, "not append-only");
    if (!applies) return passed(Layer::Attribute, path, "append-only (chattr +a), which allows this access");
    return failed(Layer::Attribute, path, EPERM, "append-only (chattr +a)",
                  fmt::format("{} is append-only: {}", path, refused),
                  fmt::format("chattr -a {} (needs CAP_LINUX_IMMUTABLE)", path));
}

}  // namespace fdscope::report::why
