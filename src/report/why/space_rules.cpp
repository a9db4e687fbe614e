#include "report/why/space_rules.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <fmt/format.h>
#include <linux/capability.h>

#include "report/why/layers.hpp"
#include "report/why/process_text.hpp"
#include "report/why/quota_rules.hpp"

namespace fdscope::report::why {
namespace {

using fdscope::why::MountFacts;
using fdscope::why::Op;
using fdscope::why::Walk;

bool in_memory(const MountFacts& m) { return m.fstype == "tmpfs" || m.fstype == "ramfs" || m.fstype == "devtmpfs"; }

// ext4_has_free_clusters: the reserved blocks are for the resuid, members
// of the resgid (when it is not 0) and CAP_SYS_RESOURCE; both default to 0.
bool may_use_reserved(const fdscope::why::Subject& s, const MountFacts& m) {
    if (has_cap(s, CAP_SYS_RESOURCE) && s.init_user_ns) return true;
    if (s.fsuid == m.reserved_uid.value_or(0)) return true;
    const gid_t resgid = m.reserved_gid.value_or(0);
    if (resgid == 0) return false;
    return s.fsgid == resgid || std::find(s.groups.begin(), s.groups.end(), resgid) != s.groups.end();
}

std::string reserved_for(const MountFacts& m) {
    std::string who = fmt::format("uid {}", m.reserved_uid.value_or(0));
    if (m.reserved_gid.value_or(0) != 0) who += fmt::format(", gid {}", *m.reserved_gid);
    return who + " and CAP_SYS_RESOURCE";
}

// The deleted files still open on this filesystem, as holders that say
// what they hold.
std::vector<Holder> deleted_holders(const Facts& facts, std::uint64_t& bytes) {
    std::vector<Holder> out;
    bytes = 0;
    for (const auto& d : facts.deleted_open) {
        bytes += d.size;
        for (Holder h : d.holders) {
            h.note = fmt::format("holds deleted {} ({}){}", d.path, size_text(d.size), h.note.empty() ? "" : "; " + h.note);
            out.push_back(std::move(h));
        }
    }
    return out;
}

std::string mount_text(const MountFacts& m) {
    return fmt::format("mount {} {} ({} {})", m.id, m.mount_point, m.fstype, m.source);
}

std::string free_space_fix(const MountFacts& m, const std::vector<Holder>& deleted) {
    std::string fix = fmt::format("free space on {}", m.mount_point);
    if (!deleted.empty()) {
        const Holder& h = deleted.front();
        fix += fmt::format("; deleted files still hold it until closed: restart their holders, or empty one in place "
                           "with : > /proc/{}/fd/{}",
                           h.pid, h.fd);
    }
    return fix;
}

// The walk of the name an operation creates, and whether that name is
// absent (the only case in which anything is allocated).
const Walk* created_walk(const Facts& facts) {
    const Op op = facts.operation.op;
    if (op == Op::Link) return facts.walk2 ? &*facts.walk2 : nullptr;
    if (op == Op::Open && !facts.operation.open.create) return nullptr;
    if (op == Op::Open || op == Op::Mkdir || op == Op::Symlink || op == Op::BindUnix) return &facts.walk;
    return nullptr;
}

bool absent(const Walk& w) {
    if (!w.complete || w.steps.empty()) return false;
    const auto& last = w.steps.back();
    return last.last && !last.inode && last.lookup_error == ENOENT;
}

Allocation creation(const Facts& facts, const Walk& w) {
    const Op op = facts.operation.op;
    const auto& s = facts.subject;
    Allocation a;
    a.inode = op != Op::Link;
    a.entry = true;
    a.uid = s.fsuid;
    // A setgid directory gives new entries its group (inode_init_owner).
    a.gid = w.parent && (w.parent->mode & S_ISGID) ? w.parent->gid : s.fsgid;
    return a;
}

}  // namespace

Check space_check(const Facts& facts, std::int32_t mount_id, const std::string& path, const Allocation& alloc) {
    Check c;
    c.layer = Layer::Space;
    c.path = path;
    const MountFacts* m = fdscope::why::find_mount(facts, mount_id);
    if (!m || !m->space_known) {
        c.result = Result::Unknown;
        c.detail = fmt::format("free space of mount {} not read", mount_id);
        c.explain = "whether the filesystem has room is not known";
        return c;
    }
    const auto& s = facts.subject;
    const bool reserved_ok = may_use_reserved(s, *m);
    const std::uint64_t blocks = reserved_ok ? m->blocks_free : m->blocks_avail;
    const std::uint64_t inodes = reserved_ok ? m->files_free : m->files_avail;
    const std::uint64_t reserved = m->blocks_free > m->blocks_avail ? m->blocks_free - m->blocks_avail : 0;
    c.detail = fmt::format("{}: {} of {} blocks of {} free, {} usable by uid {}", mount_text(*m), grouped(m->blocks_free),
                           grouped(m->blocks), size_text(m->block_size), grouped(blocks), s.fsuid);
    if (reserved) c.detail += fmt::format(" ({} reserved for {})", grouped(reserved), reserved_for(*m));
    // Filesystems without an inode table (btrfs) report 0 inodes.
    const bool counts_inodes = m->files != 0;
    if (counts_inodes) c.detail += fmt::format("; inodes {} of {} free", grouped(m->files_free), grouped(m->files));

    std::uint64_t held = 0;
    const std::vector<Holder> deleted = deleted_holders(facts, held);
    if (!deleted.empty())
        c.detail += fmt::format("; du disagrees: {} deleted files still open hold {}", facts.deleted_open.size(),
                                size_text(held));

    if (alloc.inode && counts_inodes && inodes == 0) {
        c.result = Result::Fail;
        c.error = ENOSPC;
        c.explain = fmt::format("{} has no free inodes (all {} in use; df -i shows 100%): nothing new can be created "
                                "there, whatever the free blocks",
                                m->mount_point, grouped(m->files));
        c.fix = in_memory(*m) ? fmt::format("remove files on {}, or raise its inode count: mount -o remount,nr_inodes={} {}",
                                            m->mount_point, m->files * 2, m->mount_point)
                              : fmt::format("remove files on {} (many small ones: find {} -xdev -type f | wc -l), or "
                                            "make the filesystem again with more inodes (mkfs -i)",
                                            m->mount_point, m->mount_point);
        return c;
    }
    const bool needs_block = alloc.block;
    if (blocks > 0 || (!needs_block && !alloc.entry)) return c;
    c.holders = deleted;
    if (!needs_block) {
        c.result = Result::Note;
        c.detail += "; a new name fits only where the directory's blocks have room";
        c.explain = fmt::format("{} has no block uid {} may use: creating the name can still work, but writing to it "
                                "fails with ENOSPC",
                                m->mount_point, s.fsuid);
        return c;
    }
    c.result = Result::Fail;
    c.error = ENOSPC;
    if (reserved && m->blocks_free > 0 && !reserved_ok) {
        c.explain = fmt::format("{} blocks of {} are still free (df shows them) but all are reserved for {}: uid {} "
                                "gets ENOSPC",
                                grouped(m->blocks_free), m->mount_point, reserved_for(*m), s.fsuid);
        c.fix = m->fstype.rfind("ext", 0) == 0
                    ? fmt::format("{}, or as root lower the reserve (tune2fs -m 1 {}) or give it to uid {} (tune2fs -u {} {})",
                                  free_space_fix(*m, deleted), m->source, s.fsuid, s.fsuid, m->source)
                    : free_space_fix(*m, deleted);
    } else {
        c.explain = fmt::format("{} is full{}", m->mount_point,
                                deleted.empty() ? std::string()
                                                : fmt::format(": {} of it is held by deleted files still open ({})",
                                                              size_text(held), holders_text(deleted)));
        c.fix = free_space_fix(*m, deleted);
    }
    return c;
}

std::vector<Check> space_checks(const Facts& facts) {
    const Walk* w = created_walk(facts);
    if (!w || !w->complete) return {};
    std::string path = w->path;
    if (!absent(*w)) {
        Check c;
        c.layer = Layer::Space;
        c.path = path;
        c.result = Result::Skip;
        c.detail = "nothing is allocated: the name exists";
        return {c};
    }
    if (!w->parent) return {};
    Allocation a = creation(facts, *w);
    const std::int32_t mount_id = w->parent->mount_id;
    // A directory needs its first block (ext4, xfs); tmpfs keeps it in memory.
    const MountFacts* m = fdscope::why::find_mount(facts, mount_id);
    a.block = facts.operation.op == Op::Mkdir && !(m && in_memory(*m));
    std::vector<Check> checks{space_check(facts, mount_id, path, a)};
    for (auto& q : quota_checks(facts, mount_id, path, a)) checks.push_back(std::move(q));
    return checks;
}

}  // namespace fdscope::report::why
