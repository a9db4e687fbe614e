#include "why/gather.hpp"

#include <sys/stat.h>

#include <cmath>

#include "sys/user_db.hpp"
#include "why/address_holders.hpp"
#include "why/cgroup_facts.hpp"
#include "why/exec_format.hpp"
#include "why/fd_facts.hpp"
#include "why/fd_groups.hpp"
#include "why/holders.hpp"
#include "why/lease_facts.hpp"
#include "why/lsm_adapters.hpp"
#include "why/lsm_facts.hpp"
#include "why/path_facts.hpp"
#include "why/port_floor.hpp"
#include "why/quota_facts.hpp"
#include "why/reserved_blocks.hpp"
#include "why/seccomp_dump.hpp"
#include "why/subject_facts.hpp"
#include "why/sysctl_facts.hpp"

namespace fdscope::why {
namespace {

constexpr std::size_t kTopHolders = 5;

// The object the walk names: the last step (a followed trailing link's
// target ends the steps), when it is there.
const Inode* walked_object(const Walk& walk) {
    if (!walk.complete || walk.steps.empty() || !walk.steps.back().inode) return nullptr;
    return &*walk.steps.back().inode;
}

bool creates(const Operation& op) {
    switch (op.op) {
    case Op::Mkdir: case Op::Symlink: case Op::Link: case Op::BindUnix: return true;
    case Op::Open: return op.open.create;
    default: return false;
    }
}

// Space is short for someone: the filesystem is out of blocks or inodes,
// or only its reserved blocks are left.
bool space_short(const MountFacts& m) {
    return m.space_known && (m.blocks_avail == 0 || m.blocks_free == 0 || m.files_avail == 0 || (m.files > 0 && m.files_free == 0));
}

// The mount a create lands on: the parent directory's.
const MountFacts* target_mount(const Facts& f) {
    const Walk& w = f.operation.op == Op::Link && f.walk2 ? *f.walk2 : f.walk;
    if (w.parent) return find_mount(f, w.parent->mount_id);
    if (const Inode* o = walked_object(w)) return find_mount(f, o->mount_id);
    return nullptr;
}

// Names of every owner the report will print.
void name_owners(Facts& f) {
    auto add = [&](const std::optional<Inode>& i) {
        if (!i) return;
        if (!f.user_names.count(i->uid))
            if (auto u = sys::user_by_uid(i->uid)) f.user_names[i->uid] = u->name;
        if (!f.group_names.count(i->gid))
            if (auto g = sys::group_by_gid(i->gid)) f.group_names[i->gid] = *g;
    };
    for (const Walk* w : {&f.walk, f.walk2 ? &*f.walk2 : nullptr}) {
        if (!w) continue;
        for (const Step& s : w->steps) {
            add(s.dir);
            add(s.inode);
        }
        add(w->parent);
    }
    if (f.fd.inode) add(f.fd.inode);
}

// Who else is in the way, read only for the operations it matters to
// (a full inventory costs a readlink per fd on the machine).
void gather_holders(Facts& f) {
    const Op op = f.operation.op;
    const Inode* object = walked_object(f.walk);
    const bool regular = object && S_ISREG(object->mode);
    if ((op == Op::Open && f.operation.open.write && regular) || (op == Op::Exec && regular)) {
        const Snapshot inventory = file_inventory();
        const FileId id{object->dev, object->ino};
        if (op == Op::Open) f.executing = executing_holders(inventory, id);
        else f.writers = write_holders(inventory, id);
    }
    if (op == Op::Open && regular) {
        f.leases = lease_holders(object->dev, object->ino);
        if (!f.leases.empty()) f.lease_break_seconds = lease_break_seconds();
    }
    if (creates(f.operation) || op == Op::Write) {
        const MountFacts* m = op == Op::Write ? find_mount(f, f.fd.mount_id) : target_mount(f);
        const std::optional<Inode>& on = op == Op::Write ? f.fd.inode : f.walk.parent;
        if (m && space_short(*m) && on) f.deleted_open = deleted_open_on(file_inventory(), on->dev);
    }
    if (op == Op::BindInet) f.address_holders = inet_address_holders(f.subject, f.operation, f.unreadable);
    if ((op == Op::BindUnix || op == Op::ConnectUnix) && object && S_ISSOCK(object->mode))
        f.address_holders = unix_address_holders(f.subject, FileId{object->dev, object->ino}, f.unreadable);
    if (op == Op::Open) {
        const auto& lim = f.subject.limits;
        if (f.subject.fd_count && lim.known && *f.subject.fd_count >= lim.nofile_soft && f.subject.pid > 0)
            f.fd_groups = fd_groups_of(f.subject.pid, kTopHolders);
        if (f.sysctls.known && f.sysctls.file_max > 0 &&
            static_cast<double>(f.sysctls.file_nr) >= 0.95 * static_cast<double>(f.sysctls.file_max))
            f.file_holders = top_file_holders(kTopHolders);
    }
}

// The quotas a create is charged to (the subject's fsuid and fsgid), or a
// write (the file's owner and group), on the filesystem concerned.
void gather_quota(Facts& f) {
    const Op op = f.operation.op;
    const bool process = f.subject.kind == SubjectKind::Process;
    const std::string root = process ? "/proc/" + std::to_string(f.subject.pid) + "/root" : "";
    if (op == Op::Write) {
        if (!f.fd.exists || !f.fd.inode || !S_ISREG(f.fd.inode->mode)) return;
        f.quota = read_quota("/proc/" + std::to_string(f.subject.pid) + "/fd/" + std::to_string(f.operation.fd),
                             f.fd.mount_id, f.fd.inode->uid, f.fd.inode->gid);
        return;
    }
    if (!creates(f.operation)) return;
    const Walk& w = op == Op::Link && f.walk2 ? *f.walk2 : f.walk;
    if (!w.parent) return;
    f.quota = read_quota(root + w.parent_path, w.parent->mount_id, f.subject.fsuid, f.subject.fsgid);
}

}  // namespace

std::optional<Facts> gather(const Operation& op, const SubjectSpec& spec, GatherError& error) {
    SubjectGather g = spec.kind == SubjectKind::Process ? process_subject(spec.pid, spec.tid)
                      : spec.kind == SubjectKind::User  ? user_subject(spec.user)
                                                        : caller_subject();
    if (!g.subject) {
        error.message = g.error;
        error.usage = spec.kind == SubjectKind::User;  // a user that does not exist is a wrong question
        return std::nullopt;
    }
    Facts f;
    f.operation = op;
    f.subject = std::move(*g.subject);
    f.unreadable = std::move(g.unreadable);
    gather_seccomp(f.subject);
    f.sysctls = read_sysctls(f.unreadable);
    if (op.op == Op::BindInet) gather_port_floor(f.subject, f.sysctls, f.unreadable);
    if (op.op == Op::Read || op.op == Op::Write) f.fd = read_fd_facts(f.subject, op.fd, f.unreadable);
    gather_path_facts(f);
    if (creates(op)) {
        const MountFacts* m = target_mount(f);
        // Who may use the reserved blocks matters only once the others are gone.
        if (m && f.walk.parent && space_short(*m) && (m->fstype == "ext4" || m->fstype == "ext3" || m->fstype == "ext2")) {
            for (auto& mm : f.mounts)
                if (mm.id == m->id) gather_reserved_blocks(mm, f.walk.parent->dev, f.unreadable);
        }
    }
    gather_holders(f);
    gather_quota(f);
    if (op.op == Op::Exec && walked_object(f.walk) && S_ISREG(walked_object(f.walk)->mode)) {
        const std::string root = f.subject.kind == SubjectKind::Process ? "/proc/" + std::to_string(f.subject.pid) + "/root" : "/";
        f.exec_format = read_exec_format(root, f.walk.steps.back().path);
    }
    const Inode* object = walked_object(f.walk);
    const bool device = object && (S_ISCHR(object->mode) || S_ISBLK(object->mode));
    if ((op.op == Op::Open && device) || op.op == Op::Exec || op.op == Op::Read || op.op == Op::Write)
        f.cgroup = read_cgroup_facts(f.subject.kind == SubjectKind::Process ? f.subject.pid : 0, f.unreadable);
    gather_lsm(f.lsm, f.unreadable);
    ask_lsms(f, real_selinux(), real_apparmor());
    name_owners(f);
    return f;
}

}  // namespace fdscope::why
