#include "why/path_facts.hpp"

#include <fmt/format.h>

#include "sys/errno_text.hpp"
#include "sys/files.hpp"
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
        case Op::BindInet:
        case Op::Read:
        case Op::Write: return;
    }

    const SubjectView view = subject_view(facts.subject);
    KernelLookup lookup(view.root, view.cwd);
    const WalkOptions options = walk_options(op);
    const std::string cwd_shown = facts.subject.cwd.empty() ? "/" : facts.subject.cwd;
    facts.walk = walk_path(*first, options, lookup, cwd_shown);
    if (second) facts.walk2 = walk_path(*second, options, lookup, cwd_shown);

    std::string mountinfo;
    if (int err = sys::read_all(view.mountinfo.c_str(), mountinfo)) {
        facts.unreadable.push_back(fmt::format("{}: {}", view.mountinfo, sys::errno_text(err)));
        return;
    }
    const auto& ids = lookup.mounts_touched();
    std::vector<int> fds;
    for (auto id : ids) fds.push_back(lookup.fd_on_mount(id));
    facts.mounts = mounts_touched(mountinfo, ids, fds, facts.unreadable);
}

}  // namespace fdscope::why
