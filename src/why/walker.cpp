#include "why/walker.hpp"

#include <cerrno>
#include <cstring>
#include <deque>
#include <fmt/format.h>
#include <sys/stat.h>
#include <vector>

#include "sys/errno_text.hpp"

namespace fdscope::why {

namespace {

// One name still to look up. `last`: the final component of the walk
// (also a trailing link's body's last name); `slash`: a '/' followed it.
struct Component {
    std::string name;
    bool last = false;
    bool slash = false;
};

// Splits at '/', dropping empty names ("a//b/" is a, b); the final name
// is marked `last` when `ends_walk`, and `slash` when the text ends in '/'.
std::deque<Component> components(const std::string& text, bool ends_walk, bool slash_inherited) {
    std::deque<Component> out;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t j = text.find('/', i);
        if (j == std::string::npos) j = text.size();
        if (j > i) out.push_back({text.substr(i, j - i), false, false});
        i = j + 1;
    }
    if (!out.empty() && ends_walk) {
        out.back().last = true;
        out.back().slash = slash_inherited || text.back() == '/';
    }
    return out;
}

// Where the walk is, as the subject would name it.
class Shown {
public:
    explicit Shown(const std::string& start) { reset(start); }
    void reset(const std::string& start) {
        names_.clear();
        for (auto& c : components(start, false, false)) step(c.name);
    }
    void step(const std::string& name) {
        if (name == ".") return;
        if (name == "..") {
            if (!names_.empty()) names_.pop_back();
            return;
        }
        names_.push_back(name);
    }
    std::string text() const {
        if (names_.empty()) return "/";
        std::string s;
        for (const auto& n : names_) s += "/" + n;
        return s;
    }
    std::string with(const std::string& name) const {
        Shown next = *this;
        next.step(name);
        return next.text();
    }

private:
    std::vector<std::string> names_;
};

bool same_object(const Inode& a, const Inode& b) {
    return a.dev == b.dev && a.ino == b.ino && a.mount_id == b.mount_id;
}

void stop(Walk& w, int err, std::string detail) {
    w.error = err;
    w.error_detail = std::move(detail);
}

void finish(Walk& w, const LookupAnswer& dir, const std::string& dir_shown, bool exists) {
    w.complete = true;
    w.parent = dir.inode;
    w.parent_path = dir_shown;
    w.last_exists = exists;
}

}  // namespace

WalkOptions walk_options(const Operation& op) {
    WalkOptions o;
    switch (op.op) {
        case Op::Open:
            // O_CREAT|O_EXCL implies O_NOFOLLOW (build_open_flags); O_CREAT
            // with a trailing slash is EISDIR before any lookup.
            o.follow_last = !op.open.nofollow && !(op.open.create && op.open.excl);
            o.slash_follows = !op.open.create;
            break;
        case Op::Exec:
        case Op::Chdir:
        case Op::ConnectUnix:
            break;
        case Op::Link:  // link(2) is linkat without AT_SYMLINK_FOLLOW: OLD is not followed
        case Op::Mkdir:
        case Op::Rmdir:
        case Op::Unlink:
        case Op::Rename:
        case Op::Symlink:
        case Op::BindUnix:
        case Op::BindInet:
        case Op::Read:
        case Op::Write:
            o.follow_last = false;
            o.slash_follows = false;
            break;
    }
    return o;
}

Walk walk_path(const std::string& path, const WalkOptions& options, Lookup& lookup, const std::string& cwd_shown) {
    Walk w;
    w.path = path;
    if (path.empty()) {
        stop(w, ENOENT, "the path is empty");
        return w;
    }
    const bool absolute = path[0] == '/';
    LookupAnswer root = lookup.root();
    LookupAnswer cur = absolute ? root : lookup.cwd();
    if (cur.error) {
        stop(w, cur.error, fmt::format("cannot open the subject's {}: {}", absolute ? "root" : "working directory",
                                       sys::errno_text(cur.error)));
        return w;
    }
    Shown shown(absolute ? "/" : cwd_shown);
    std::deque<Component> pending = components(path, true, false);
    w.trailing_slash = !pending.empty() && pending.back().slash;

    Step start;
    start.path = shown.text();
    start.inode = cur.inode;
    start.last = pending.empty();  // "/" names the root itself
    w.steps.push_back(start);
    if (pending.empty()) {
        finish(w, cur, shown.text(), true);
        return w;
    }

    std::uint32_t links = 0;
    while (!pending.empty()) {
        Component c = std::move(pending.front());
        pending.pop_front();
        Step s;
        s.name = c.name;
        s.dir = cur.inode;
        s.last = c.last;
        s.links_so_far = links;
        s.path = shown.with(c.name);

        // path_equal(&nd->path, &nd->root) in follow_dotdot: ".." at the root is the root.
        LookupAnswer found;
        if (c.name == ".." && !root.error && same_object(cur.inode, root.inode)) found = cur;
        else found = lookup.child(cur.handle, c.name);

        if (found.error) {
            s.lookup_error = found.error;
            w.steps.push_back(std::move(s));
            if (c.last) finish(w, cur, shown.text(), false);
            else
                stop(w, found.error, fmt::format("{}: {}", w.steps.back().path, sys::errno_text(found.error)));
            return w;
        }
        s.inode = found.inode;

        if (S_ISLNK(found.inode.mode)) {
            std::string target;
            int err = lookup.readlink(found.handle, target);
            const bool follow = !c.last || options.follow_last || (c.slash && options.slash_follows);
            if (err == 0) s.inode->symlink_target = target;
            if (follow) {
                if (err) {
                    w.steps.push_back(std::move(s));
                    stop(w, err, fmt::format("{}: cannot read the symlink: {}", w.steps.back().path,
                                             sys::errno_text(err)));
                    return w;
                }
                // reserve_stack(): total_link_count++ >= MAXSYMLINKS.
                if (links >= kMaxSymlinks) {
                    w.steps.push_back(std::move(s));
                    stop(w, ELOOP, fmt::format("{}: more than {} symbolic links", w.steps.back().path, kMaxSymlinks));
                    return w;
                }
                ++links;
                s.followed = true;
                w.steps.push_back(std::move(s));
                if (target.empty()) {
                    // An empty body is ENOENT (get_link/nd_jump of "").
                    stop(w, ENOENT, fmt::format("{}: the symlink is empty", w.steps.back().path));
                    return w;
                }
                std::deque<Component> body = components(target, c.last, c.last && c.slash);
                if (c.last && !body.empty()) w.trailing_slash = body.back().slash;
                if (target[0] == '/') {
                    if (root.error) {
                        stop(w, root.error,
                             fmt::format("cannot open the subject's root: {}", sys::errno_text(root.error)));
                        return w;
                    }
                    cur = root;
                    shown.reset("/");
                }
                if (body.empty()) {
                    // A body of "/" alone: the link names the root.
                    if (c.last) {
                        Step at;
                        at.path = shown.text();
                        at.inode = cur.inode;
                        at.last = true;
                        at.links_so_far = links;
                        w.steps.push_back(std::move(at));
                        finish(w, cur, shown.text(), true);
                        return w;
                    }
                    continue;
                }
                pending.insert(pending.begin(), body.begin(), body.end());
                continue;
            }
        }

        const bool is_dir = S_ISDIR(found.inode.mode);
        w.steps.push_back(std::move(s));
        if (c.last) {
            finish(w, cur, shown.text(), true);
            return w;
        }
        if (!is_dir) {
            stop(w, ENOTDIR, fmt::format("{} is not a directory", w.steps.back().path));
            return w;
        }
        cur = std::move(found);
        shown.step(c.name);
    }
    return w;
}

}  // namespace fdscope::why
