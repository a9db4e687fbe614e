#include "report/why/walk_rules.hpp"

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "report/why/check_make.hpp"
#include "report/why/filesystem_rules.hpp"
#include "report/why/inode_permission.hpp"
#include "report/why/inode_text.hpp"
#include "report/why/inode_type.hpp"
#include "report/why/mount_rules.hpp"
#include "report/why/protected_rules.hpp"

namespace fdscope::report::why {

namespace {

using fdscope::why::MountFacts;

std::string errno_text(int error) {
    const char* name = strerrorname_np(error);
    return name != nullptr ? name : fmt::format("errno {}", error);
}

// A long name, shortened for a sentence.
std::string shown(const std::string& name) {
    if (name.size() <= 40) return name;
    return name.substr(0, 32) + "...";
}

Check name_check(const Facts& facts, const Step& st, bool final, bool may_be_missing, const Step* via_link) {
    const MountFacts* m = st.dir ? fdscope::why::find_mount(facts, st.dir->mount_id) : nullptr;
    const std::uint64_t name_max = m != nullptr ? m->name_max : 255;
    const std::string dir_path = parent_of(st.path);
    if (st.name.size() > name_max) {
        const std::string fs = m != nullptr ? mount_text(*m) : "its filesystem";
        return failed(Layer::Path, st.path, ENAMETOOLONG,
                      fmt::format("component of {} bytes; {} allows {}", st.name.size(), fs, name_max),
                      fmt::format("the name {} in {} is {} bytes, longer than its filesystem's limit of {}",
                                  shown(st.name), dir_path, st.name.size(), name_max),
                      fmt::format("shorten the name to at most {} bytes", name_max));
    }
    if (st.inode) {
        const Inode& node = *st.inode;
        std::string detail = fmt::format("{} {}", type_word(node), inode_text(facts, node));
        if (is_link(node)) detail += " -> " + node.symlink_target;
        if (st.dir && node.mount_id != st.dir->mount_id) {
            const MountFacts* mm = fdscope::why::find_mount(facts, node.mount_id);
            detail += "; mount point of " + (mm != nullptr ? mount_text(*mm) : fmt::format("mount {}", node.mount_id));
        }
        return passed(Layer::Path, st.path, detail);
    }
    if (st.lookup_error == ENOTDIR)
        return failed(Layer::Path, st.path, ENOTDIR, fmt::format("{} is not a directory", dir_path),
                      fmt::format("{} is not a directory, so {} cannot be looked up in it", dir_path, st.name),
                      fmt::format("check the path: {} is a file", dir_path));
    if (st.lookup_error != 0 && st.lookup_error != ENOENT)
        return unknown_check(Layer::Path, st.path, fmt::format("lookup failed: {}", errno_text(st.lookup_error)),
                             fmt::format("could not look up {} ({})", st.path, errno_text(st.lookup_error)));
    if (final && may_be_missing)
        return passed(Layer::Path, st.path, "does not exist yet: the operation creates it");
    if (via_link != nullptr && via_link->inode) {
        const std::string& target = via_link->inode->symlink_target;
        if (final)
            return failed(Layer::Path, st.path, ENOENT, fmt::format("dangling symlink {} -> {}", via_link->path, target),
                          fmt::format("the symlink {} points to {}, and {} does not exist", via_link->path, target,
                                      st.path),
                          fmt::format("create {}, or point the link elsewhere: ln -sfn NEW_TARGET {}", st.path,
                                      via_link->path));
        return failed(Layer::Path, st.path, ENOENT,
                      fmt::format("missing, reached through the symlink {} -> {}", via_link->path, target),
                      fmt::format("{} does not exist (the path goes there through the symlink {} -> {})", st.path,
                                  via_link->path, target),
                      fmt::format("create {} (mkdir -p), or fix the symlink {}", st.path, via_link->path));
    }
    return failed(Layer::Path, st.path, ENOENT, fmt::format("no {} in {}", shown(st.name), dir_path),
                  fmt::format("{} does not exist: {} has no entry {}", st.path, dir_path, shown(st.name)),
                  final ? fmt::format("create it, or check the name (ls {})", dir_path)
                        : fmt::format("create it (mkdir -p {}), or check the path (ls {})", st.path, dir_path));
}

// pick_link(): the link count, then may_follow_link() for the trailing
// link, then MNT_NOSYMFOLLOW of the link's mount.
std::vector<Check> link_checks(const Facts& facts, const Step& st, bool trailing) {
    std::vector<Check> out;
    const Inode& link = *st.inode;
    if (st.links_so_far >= kMaxSymlinks)
        out.push_back(failed(Layer::Path, st.path, ELOOP,
                             fmt::format("symlink {} of one lookup; the kernel follows at most {}",
                                         st.links_so_far + 1, kMaxSymlinks),
                             fmt::format("resolving the path means following more than {} symlinks (a loop, or a "
                                         "very long chain)",
                                         kMaxSymlinks),
                             "break the loop or shorten the chain: namei -l lists the links (it gives up at 20, the "
                             "kernel at 40)"));
    else
        out.push_back(passed(Layer::Path, st.path,
                             fmt::format("follows symlink {} of at most {} -> {}", st.links_so_far + 1, kMaxSymlinks,
                                         link.symlink_target)));
    if (trailing) out.push_back(follow_link_check(facts, st.dir ? &*st.dir : nullptr, parent_of(st.path), link, st.path));
    if (nosymfollow(facts, link)) out.push_back(nosymfollow_check(facts, link, st.path));
    return out;
}

std::size_t end_index(const Walk& walk, bool follow_last) {
    if (!follow_last)
        for (std::size_t i = 0; i < walk.steps.size(); ++i)
            if (walk.steps[i].last) return i;
    return walk.steps.size() - 1;
}

}  // namespace

Check path_length_check(const std::string& path, const std::string& what) {
    if (path.empty())
        return failed(Layer::Path, path, ENOENT, fmt::format("{} is empty", what),
                      fmt::format("{} is empty: an empty path names nothing", what), "give a path");
    if (path.size() + 1 > kPathMax)
        return failed(Layer::Path, shown(path), ENAMETOOLONG,
                      fmt::format("{} is {} bytes; with its NUL it must fit PATH_MAX {}", what, path.size(), kPathMax),
                      fmt::format("{} is {} bytes long: the kernel takes at most {} bytes", what, path.size(),
                                  kPathMax - 1),
                      "use a shorter path (a relative one from a directory closer to the file)");
    return passed(Layer::Path, path, fmt::format("{} bytes, under PATH_MAX {}", path.size(), kPathMax));
}

WalkEnd walk_end(const Walk& walk, bool follow_last) {
    WalkEnd end;
    if (walk.steps.empty()) return end;
    const std::size_t idx = end_index(walk, follow_last);
    const Step& st = walk.steps[idx];
    end.step = &st;
    end.path = st.path;
    if (st.inode) end.object = &*st.inode;
    if (st.dir) {
        end.dir = &*st.dir;
        end.dir_path = parent_of(st.path);
    } else if (walk.parent) {
        end.dir = &*walk.parent;
        end.dir_path = walk.parent_path;
    }
    // "/" itself has no directory holding it; any other end needs one.
    bool ok = walk.complete && (end.dir != nullptr || (end.object != nullptr && st.name.empty()));
    for (std::size_t j = 0; j < idx && ok; ++j) {
        const Step& s = walk.steps[j];
        if (s.name.empty()) continue;
        if (!s.inode || (!is_dir(*s.inode) && !is_link(*s.inode))) ok = false;
    }
    if (follow_last && end.object != nullptr && is_link(*end.object)) ok = false;
    if (end.object == nullptr && st.lookup_error != 0 && st.lookup_error != ENOENT) ok = false;
    end.reached = ok;
    return end;
}

std::vector<Check> walk_checks(const Facts& facts, const Walk& walk, const WalkRules& rules) {
    std::vector<Check> out;
    if (walk.steps.empty()) {
        out.push_back(unknown_check(Layer::Path, walk.path, "no step of the walk was read",
                                    fmt::format("the path {} could not be walked: {}", walk.path,
                                                walk.error_detail.empty() ? errno_text(walk.error) : walk.error_detail)));
        return out;
    }
    const std::size_t last = end_index(walk, rules.follow_last);
    std::set<std::int32_t> mounts_seen;
    const auto enter = [&](const Inode& node, const std::string& path) {
        if (!mounts_seen.insert(node.mount_id).second) return;
        if (const MountFacts* m = fdscope::why::find_mount(facts, node.mount_id))
            append_checks(out, filesystem_checks(facts, *m, path));
    };
    bool stopped = false;
    const Step* via_link = nullptr;
    for (std::size_t i = 0; i <= last; ++i) {
        const Step& st = walk.steps[i];
        const bool final = i == last;
        if (st.name.empty()) {
            if (st.inode) enter(*st.inode, st.path);
            continue;
        }
        const std::string dir_path = parent_of(st.path);
        if (st.dir) {
            enter(*st.dir, dir_path);
            append_checks(out, inode_permission_checks(facts, *st.dir, {dir_path, kMayExec, true, true}));
        } else {
            out.push_back(unknown_check(Layer::Search, dir_path, "the directory was not read",
                                        fmt::format("search permission on {} could not be judged: it was not read",
                                                    dir_path)));
        }
        if (final && rules.parent_only) break;
        // The last step of a walk that stopped early is not the path's last name.
        out.push_back(name_check(facts, st, final && walk.complete, rules.last_may_be_missing, via_link));
        if (!st.inode) {
            stopped = true;
            break;
        }
        const Inode& node = *st.inode;
        enter(node, st.path);
        if (is_link(node)) {
            if (!final || rules.follow_last) {
                append_checks(out, link_checks(facts, st, final || st.last));
                via_link = &st;
                if (final && walk.error == 0)
                    out.push_back(unknown_check(Layer::Path, st.path, "the symlink's target was not walked",
                                                fmt::format("the target of {} ({}) was not resolved", st.path,
                                                            node.symlink_target)));
            }
        } else if (!final && !is_dir(node)) {
            out.push_back(failed(Layer::Path, st.path, ENOTDIR,
                                 fmt::format("{} is a {}", st.path, type_word(node)),
                                 fmt::format("{} is a {}, not a directory, and the path goes on below it", st.path,
                                             type_word(node)),
                                 fmt::format("check the path: {} is not a directory", st.path)));
            stopped = true;
            break;
        }
    }
    // The gatherer's own reason for stopping, when the steps do not show it.
    const bool shown_already = std::any_of(out.begin(), out.end(), [&walk](const Check& c) {
        return (c.result == Result::Fail && c.error == walk.error) || c.result == Result::Unknown;
    });
    if (walk.error != 0 && !shown_already) {
        const std::string detail = walk.error_detail.empty() ? errno_text(walk.error) : walk.error_detail;
        if (walk.error == ENOENT || walk.error == ENOTDIR || walk.error == ELOOP || walk.error == ENAMETOOLONG)
            out.push_back(failed(Layer::Path, walk.path, walk.error, detail,
                                 fmt::format("the lookup of {} stops: {}", walk.path, detail), ""));
        else
            out.push_back(unknown_check(Layer::Path, walk.path, detail,
                                        fmt::format("the walk of {} could not be completed ({}): {}", walk.path,
                                                    errno_text(walk.error), detail)));
    } else if (!walk.complete && walk.error == 0 && !stopped) {
        out.push_back(unknown_check(Layer::Path, walk.path, "the walk stopped early",
                                    fmt::format("the walk of {} stopped before its last component", walk.path)));
    }
    return out;
}

std::string special_last_name(const Walk& walk) {
    if (walk.steps.empty()) return {};
    const Step& st = walk.steps[end_index(walk, false)];
    if (st.name == "." || st.name == "..") return st.name;
    if (st.name.empty()) return "/";
    return {};
}

std::vector<Check> last_name_checks(const Facts& facts, const Walk& walk, bool must_exist) {
    const WalkEnd end = walk_end(walk, false);
    if (end.step == nullptr || !end.reached) return {not_reached(Layer::Path, walk.path, "the last name's lookup")};
    return {name_check(facts, *end.step, true, !must_exist, nullptr)};
}

const Walk* two_path_walks(const Facts& facts, const WalkRules& old_rules, std::vector<Check>& out) {
    out.push_back(path_length_check(facts.operation.path, "OLD"));
    out.push_back(path_length_check(facts.operation.path2, "NEW"));
    for (auto& c : walk_checks(facts, facts.walk, old_rules)) out.push_back(std::move(c));
    if (!facts.walk2) {
        out.push_back(unknown_check(Layer::Path, facts.operation.path2, "the walk of NEW was not read",
                                    "the path NEW was not walked"));
        return nullptr;
    }
    for (auto& c : walk_checks(facts, *facts.walk2, {false, true, false})) out.push_back(std::move(c));
    return &*facts.walk2;
}

}  // namespace fdscope::report::why
