// Hand-built Facts for the path rules: inodes, mounts, walks over an
// absolute path, and a subject, in a few lines per test.
#pragma once
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/why_facts.hpp"
#include "report/why/check.hpp"
#include "report/why/layers.hpp"

namespace fdscope::report::why::testing {

using namespace fdscope::why;

inline std::uint64_t next_ino() {
    static std::uint64_t n = 1000;
    return ++n;
}

inline Inode node(std::uint32_t mode, uid_t uid = 0, gid_t gid = 0, std::int32_t mount = 1) {
    Inode i;
    i.mode = mode;
    i.uid = uid;
    i.gid = gid;
    i.mount_id = mount;
    i.dev = static_cast<std::uint64_t>(mount);
    i.ino = next_ino();
    i.nlink = 1;
    i.attributes_known = true;
    i.acl_known = true;
    return i;
}
inline Inode dir(std::uint32_t perms, uid_t uid = 0, gid_t gid = 0, std::int32_t mount = 1) {
    return node(S_IFDIR | perms, uid, gid, mount);
}
inline Inode file(std::uint32_t perms, uid_t uid = 0, gid_t gid = 0, std::int32_t mount = 1) {
    return node(S_IFREG | perms, uid, gid, mount);
}
inline Inode symlink(std::string target, uid_t uid = 0, gid_t gid = 0, std::int32_t mount = 1) {
    Inode i = node(S_IFLNK | 0777, uid, gid, mount);
    i.symlink_target = std::move(target);
    return i;
}
inline AclEntry acl(AclEntry::Tag tag, std::uint8_t perm, std::uint32_t id = 0) { return AclEntry{tag, id, perm}; }

inline MountFacts mount(std::int32_t id, std::string point, std::string fstype = "ext4") {
    MountFacts m;
    m.id = id;
    m.parent = 1;
    m.mount_point = std::move(point);
    m.root = "/";
    m.fstype = std::move(fstype);
    m.source = "/dev/vda1";
    m.options = "rw,relatime";
    m.super_options = "rw";
    return m;
}

inline std::vector<std::string> components(const std::string& path) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < path.size()) {
        while (i < path.size() && path[i] == '/') ++i;
        std::size_t j = i;
        while (j < path.size() && path[j] != '/') ++j;
        if (j > i) out.push_back(path.substr(i, j - i));
        i = j;
    }
    return out;
}

// A walk of an absolute path without symlinks: nodes[0] is "/", nodes[k]
// the k-th component; nullopt: that name does not exist.
inline Walk walk_of(const std::string& path, std::vector<std::optional<Inode>> nodes) {
    const auto comps = components(path);
    Walk w;
    w.path = path;
    Step root;
    root.path = "/";
    root.inode = nodes.at(0);
    w.steps.push_back(root);
    std::string sofar;
    w.complete = true;
    for (std::size_t k = 1; k <= comps.size(); ++k) {
        Step s;
        sofar += "/" + comps[k - 1];
        s.path = sofar;
        s.name = comps[k - 1];
        s.dir = nodes.at(k - 1);
        s.inode = nodes.at(k);
        s.lookup_error = s.inode ? 0 : ENOENT;
        s.last = k == comps.size();
        w.steps.push_back(s);
        if (!s.inode) {
            w.complete = s.last;
            break;
        }
    }
    if (comps.size() >= 1 && nodes.size() >= comps.size()) {
        w.parent = nodes.at(comps.size() - 1);
        w.parent_path = comps.size() == 1 ? "/" : path.substr(0, path.rfind('/'));
    }
    return w;
}

inline constexpr std::uint64_t kAllCaps = (std::uint64_t{1} << 41) - 1;

struct Scenario {
    Facts facts;

    Scenario() {
        facts.mounts.push_back(mount(1, "/"));
        facts.sysctls.known = true;
        facts.sysctls.protected_hardlinks = 1;
        facts.user_names = {{0, "root"}, {1001, "app"}, {1002, "bob"}};
        facts.group_names = {{0, "root"}, {1001, "app"}, {1002, "bob"}};
        as(1001, 1001);
    }
    Scenario& as(uid_t uid, gid_t gid, std::uint64_t caps = 0) {
        auto& s = facts.subject;
        s.ruid = s.euid = s.suid = s.fsuid = uid;
        s.rgid = s.egid = s.sgid = s.fsgid = gid;
        s.cap_effective = s.cap_permitted = caps;
        return *this;
    }
    Scenario& as_root() { return as(0, 0, kAllCaps); }
    Scenario& op(Op o, std::string path, std::string path2 = {}) {
        facts.operation.op = o;
        facts.operation.path = std::move(path);
        facts.operation.path2 = std::move(path2);
        return *this;
    }
    Scenario& open(std::string path, OpenFlags flags) {
        op(Op::Open, std::move(path));
        facts.operation.open = flags;
        return *this;
    }
    Scenario& walk(Walk w) {
        facts.walk = std::move(w);
        return *this;
    }
    Scenario& walk2(Walk w) {
        facts.walk2 = std::move(w);
        return *this;
    }
    Scenario& add_mount(MountFacts m) {
        facts.mounts.push_back(std::move(m));
        return *this;
    }
    MountFacts& mount_of(std::int32_t id) {
        for (auto& m : facts.mounts)
            if (m.id == id) return m;
        return facts.mounts.front();
    }
    std::vector<Check> checks() const { return path_operation_checks(facts); }
    Verdict verdict() const { return verdict_from(checks(), facts); }
};

inline OpenFlags read_only() { return OpenFlags{}; }
inline OpenFlags write_only() {
    OpenFlags f;
    f.write = true;
    return f;
}

inline const Check& first_block(const Verdict& v) { return v.checks.at(v.blocking.at(0)); }
inline const Check& block(const Verdict& v, std::size_t n) { return v.checks.at(v.blocking.at(n)); }

inline const Check* find_check(const std::vector<Check>& checks, Layer layer, Result result) {
    for (const auto& c : checks)
        if (c.layer == layer && c.result == result) return &c;
    return nullptr;
}

}  // namespace fdscope::report::why::testing
