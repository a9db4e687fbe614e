#include "why/inode_facts.hpp"

#include <acl/libacl.h>
#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/acl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "sys/errno_text.hpp"
#include "sys/statx.hpp"
#include "sys/unique_fd.hpp"

namespace fdscope::why {

namespace {

struct AclHandle {
    acl_t acl = nullptr;
    ~AclHandle() {
        if (acl) acl_free(acl);
    }
};

bool convert_entry(acl_entry_t entry, AclEntry& out) {
    acl_tag_t tag{};
    if (acl_get_tag_type(entry, &tag) != 0) return false;
    switch (tag) {
        case ACL_USER_OBJ: out.tag = AclEntry::Tag::UserObj; break;
        case ACL_USER: out.tag = AclEntry::Tag::User; break;
        case ACL_GROUP_OBJ: out.tag = AclEntry::Tag::GroupObj; break;
        case ACL_GROUP: out.tag = AclEntry::Tag::Group; break;
        case ACL_MASK: out.tag = AclEntry::Tag::Mask; break;
        case ACL_OTHER: out.tag = AclEntry::Tag::Other; break;
        default: return false;
    }
    if (tag == ACL_USER || tag == ACL_GROUP) {
        void* q = acl_get_qualifier(entry);
        if (!q) return false;
        out.id = tag == ACL_USER ? *static_cast<uid_t*>(q) : *static_cast<gid_t*>(q);
        acl_free(q);
    }
    acl_permset_t perms{};
    if (acl_get_permset(entry, &perms) != 0) return false;
    out.perm = static_cast<std::uint8_t>((acl_get_perm(perms, ACL_READ) == 1 ? 4 : 0) |
                                         (acl_get_perm(perms, ACL_WRITE) == 1 ? 2 : 0) |
                                         (acl_get_perm(perms, ACL_EXECUTE) == 1 ? 1 : 0));
    return true;
}

// An ACL equivalent to the mode (the three base entries) is "none".
bool convert(acl_t acl, std::vector<AclEntry>& out) {
    out.clear();
    if (acl_equiv_mode(acl, nullptr) == 0) return true;
    acl_entry_t entry{};
    for (int which = ACL_FIRST_ENTRY;; which = ACL_NEXT_ENTRY) {
        int rc = acl_get_entry(acl, which, &entry);
        if (rc == 0) return true;
        if (rc < 0) return false;
        AclEntry e;
        if (!convert_entry(entry, e)) return false;
        out.push_back(e);
    }
}

bool no_acl_support(int err) { return err == ENOTSUP || err == EOPNOTSUPP; }

}  // namespace

void read_access_acl(int opath_fd, std::uint32_t mode, Inode& out) {
    out.acl.clear();
    out.acl_known = false;
    out.acl_unreadable.clear();
    if (S_ISLNK(mode)) {
        // Symlinks carry no ACL and their permissions are never checked.
        out.acl_known = true;
        return;
    }
    const std::string proc = fmt::format("/proc/self/fd/{}", opath_fd);
    AclHandle h;
    h.acl = acl_get_file(proc.c_str(), ACL_TYPE_ACCESS);
    int err = h.acl ? 0 : errno;
    if (!h.acl && !no_acl_support(err) && (S_ISREG(mode) || S_ISDIR(mode))) {
        // Reading an ACL through the magic link can fail where a real fd
        // works; opening a regular file or a directory read-only has no
        // side effect (a device or a FIFO could, and is never opened).
        sys::UniqueFd real(::open(proc.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC));
        if (real) {
            h.acl = acl_get_fd(real.get());
            err = h.acl ? 0 : errno;
        }
    }
    if (!h.acl) {
        if (no_acl_support(err)) {
            out.acl_known = true;
            return;
        }
        out.acl_unreadable = fmt::format("ACL not read: {}", sys::errno_text(err));
        return;
    }
    if (!convert(h.acl, out.acl)) {
        out.acl.clear();
        out.acl_unreadable = "ACL not read: an entry libacl could not decode";
        return;
    }
    out.acl_known = true;
}

int inode_facts(int opath_fd, Inode& out) {
    struct statx stx{};
    if (int err = sys::statx_fd(opath_fd, STATX_BASIC_STATS | STATX_MNT_ID, stx)) return err;
    out.mode = stx.stx_mode;
    out.uid = stx.stx_uid;
    out.gid = stx.stx_gid;
    out.dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
    out.ino = stx.stx_ino;
    out.rdev = makedev(stx.stx_rdev_major, stx.stx_rdev_minor);
    out.size = stx.stx_size;
    out.nlink = stx.stx_nlink;
    out.mount_id = (stx.stx_mask & STATX_MNT_ID) ? static_cast<std::int32_t>(stx.stx_mnt_id) : 0;
    const std::uint64_t wanted = STATX_ATTR_IMMUTABLE | STATX_ATTR_APPEND;
    out.attributes_known = (stx.stx_attributes_mask & wanted) == wanted;
    out.immutable = out.attributes_known && (stx.stx_attributes & STATX_ATTR_IMMUTABLE);
    out.append_only = out.attributes_known && (stx.stx_attributes & STATX_ATTR_APPEND);
    read_access_acl(opath_fd, out.mode, out);
    return 0;
}

}  // namespace fdscope::why
