#include "report/why/inode_text.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include "report/why/subject_ids.hpp"

namespace fdscope::report::why {

using fdscope::why::AclEntry;

std::string mode_string(std::uint32_t mode) {
    std::string s(10, '-');
    switch (mode & S_IFMT) {
    case S_IFDIR: s[0] = 'd'; break;
    case S_IFLNK: s[0] = 'l'; break;
    case S_IFCHR: s[0] = 'c'; break;
    case S_IFBLK: s[0] = 'b'; break;
    case S_IFIFO: s[0] = 'p'; break;
    case S_IFSOCK: s[0] = 's'; break;
    default: break;
    }
    static constexpr char kRwx[] = "rwxrwxrwx";
    for (std::size_t i = 0; i < 9; ++i)
        if ((mode & (0400u >> i)) != 0) s[1 + i] = kRwx[i];
    if ((mode & S_ISUID) != 0) s[3] = (mode & S_IXUSR) != 0 ? 's' : 'S';
    if ((mode & S_ISGID) != 0) s[6] = (mode & S_IXGRP) != 0 ? 's' : 'S';
    if ((mode & S_ISVTX) != 0) s[9] = (mode & S_IXOTH) != 0 ? 't' : 'T';
    return s;
}

std::string perm_letters(unsigned bits) {
    std::string s = "---";
    if ((bits & 4u) != 0) s[0] = 'r';
    if ((bits & 2u) != 0) s[1] = 'w';
    if ((bits & 1u) != 0) s[2] = 'x';
    return s;
}

std::string owner_text(const Facts& facts, const Inode& inode) {
    return user_text(facts, inode.uid) + ":" + group_text(facts, inode.gid);
}

std::string acl_text(const Facts& facts, const Inode& inode) {
    if (!inode.acl_known) return "ACL not read";
    if (inode.acl.empty()) return "no ACL";
    std::string out = "ACL ";
    bool first = true;
    for (const AclEntry& e : inode.acl) {
        if (!first) out += ',';
        first = false;
        const std::string perm = perm_letters(e.perm);
        switch (e.tag) {
        case AclEntry::Tag::UserObj: out += "u::" + perm; break;
        case AclEntry::Tag::User: out += "u:" + user_text(facts, e.id) + ":" + perm; break;
        case AclEntry::Tag::GroupObj: out += "g::" + perm; break;
        case AclEntry::Tag::Group: out += "g:" + group_text(facts, e.id) + ":" + perm; break;
        case AclEntry::Tag::Mask: out += "m::" + perm; break;
        case AclEntry::Tag::Other: out += "o::" + perm; break;
        }
    }
    return out;
}

std::string inode_short_text(const Facts& facts, const Inode& inode) {
    return mode_string(inode.mode) + " " + owner_text(facts, inode) + ", " + acl_text(facts, inode);
}

std::string inode_text(const Facts& facts, const Inode& inode) {
    std::string out = inode_short_text(facts, inode);
    if (const std::string unmapped = unmapped_owner_text(facts, inode); !unmapped.empty())
        out += "; " + unmapped;
    return out;
}

std::string parent_of(std::string_view path) {
    while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    const auto slash = path.rfind('/');
    if (slash == std::string_view::npos) return ".";
    if (slash == 0) return "/";
    std::string_view parent = path.substr(0, slash);
    while (parent.size() > 1 && parent.back() == '/') parent.remove_suffix(1);
    return std::string(parent);
}

}  // namespace fdscope::report::why
