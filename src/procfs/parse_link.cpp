#include "procfs/parse_link.hpp"

#include "procfs/text.hpp"

namespace fdscope::procfs {

namespace {

// The "name" of a "name:[N]" pseudo target: what dentry names of pseudo
// filesystems look like ("socket", "pipe", "net", "mnt", "pidfd", ...).
bool is_pseudo_name(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.';
        if (!ok) return false;
    }
    return true;
}

}  // namespace

LinkTarget parse_link(std::string_view text) {
    LinkTarget t;
    if (!text.empty() && text[0] == '/') {
        t.type = LinkTarget::Type::Path;
        // Stripped once only: a deleted file named "x (deleted)" reads
        // "x (deleted) (deleted)". A live file with that name is misread
        // as deleted; only fstat's st_nlink can tell.
        t.deleted = text::strip_deleted(text);
        t.path = text;
        return t;
    }

    // anon_inode_getfd(name, ...) shows as "anon_inode:" + name. Most
    // callers pass "[eventfd]"; bpf ("bpf-map") and inotify ("inotify")
    // pass bare names.
    constexpr std::string_view kAnon = "anon_inode:";
    if (text.starts_with(kAnon)) {
        std::string_view cls = text.substr(kAnon.size());
        if (cls.size() >= 2 && cls.front() == '[' && cls.back() == ']')
            cls = cls.substr(1, cls.size() - 2);
        t.type = LinkTarget::Type::AnonInode;
        t.anon_class = cls;
        return t;
    }

    t.type = LinkTarget::Type::Other;
    t.path = text;
    // "name:[N]": socket, pipe, and the namespace/pidfd style targets.
    std::size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.size() - colon >= 4 && text[colon + 1] == '[' &&
        text.back() == ']') {
        std::string_view name = text.substr(0, colon);
        auto inode = text::to_num<std::uint64_t>(text.substr(colon + 2, text.size() - colon - 3));
        if (inode && is_pseudo_name(name)) {
            t.inode = *inode;
            if (name == "socket") {
                t.type = LinkTarget::Type::Socket;
                t.path = {};
            } else if (name == "pipe") {
                t.type = LinkTarget::Type::Pipe;
                t.path = {};
            }
        }
    }
    return t;
}

}  // namespace fdscope::procfs
