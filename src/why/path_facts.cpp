#include "why/path_facts.hpp"

#include <fmt/format.h>

#include "sys/errno_text.hpp"
#include "sys/files.hpp"
#include "sys/remote_fd.hpp"
#include "why/kernel_lookup.hpp"
#include "why/mount_facts.hpp"
#include "why/walker.hpp"

namespace fdscope::why {

SubjectView subject_view(const Subject& subject) {
    switch (subject.kind) {
        case SubjectKind::Process: {
            const std::string task = fmt::format("/proc/{}/task/{}", subject.pid, subject.tid ? subject.tid : subject.pid);
            return {task + "/root", task + "/cwd", task + "/mountinfo"};
        }
        case SubjectKind::Caller: return {"/", ".", "/proc/self/mountinfo"};
        case SubjectKind::User: break;
    }
    return {"/", "/", "/proc/self/mountinfo"};
}

namespace {

// The mounts `ids` as the subject's mountinfo has them, their space read
// through fds[i].
void read_mounts(Facts& facts, const SubjectView& view, const std::vector<std::int32_t>& ids,
                 const std::vector<int>& fds) {
    std::string mountinfo;
    if (int err = sys::read_all(view.mountinfo.c_str(), mountinfo)) {
        facts.unreadable.push_back(fmt::format("{}: {}", view.mountinfo, sys::errno_text(err)));
        return;
    }
    facts.mounts = mounts_touched(mountinfo, ids, fds, facts.unreadable);
}

// A read or write lands on the fd's mount, which may exist only in the
// subject's mount namespace: its space is read through a copy of the fd.
void gather_fd_mount(Facts& facts) {
    if (!facts.fd.exists || facts.fd.mount_id == 0) return;
    int err = 0;
    sys::UniqueFd copy = sys::copy_fd_of(facts.subject.pid, facts.operation.fd, err);
    read_mounts(facts, subject_view(facts.subject), {facts.fd.mount_id}, {copy ? copy.get() : -1});
}

}  // namespace

void gather_path_facts(Facts& facts) {
    const Operation& op = facts.operation;
    const std::string* first = nullptr;
    const std::string* second = nullptr;
    switch (op.op) {
        case Op::Open:
        case Op::Mkdir:
        case Op::Rmdir:
        case Op::Unlink:
        case Op::Exec:
        case Op::Chdir:
        case Op::BindUnix:
        case Op::ConnectUnix: first = &op.path; break;
        case Op::Rename:
        case Op::Link:
            first = &op.path;
            second = &op.path2;
            break;
        case Op::Symlink: first = &op.path2; break;
        case Op::BindInet: return;
        case Op::Read:
        case Op::Write: gather_fd_mount(facts); return;
    }

    const SubjectView view = subject_view(facts.subject);
    KernelLookup lookup(view.root, view.cwd);
    const WalkOptions options = walk_options(op);
    const std::string cwd_shown = facts.subject.cwd.empty() ? "/" : facts.subject.cwd;
    facts.walk = walk_path(*first, options, lookup, cwd_shown);
    if (second) facts.walk2 = walk_path(*second, options, lookup, cwd_shown);

    const auto& ids = lookup.mounts_touched();
    std::vector<int> fds;
    for (auto id : ids) fds.push_back(lookup.fd_on_mount(id));
    read_mounts(facts, view, ids, fds);
}

}  // namespace fdscope::why
