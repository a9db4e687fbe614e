#include "procfs/parse_fanotify.hpp"

#include "procfs/text.hpp"

namespace fdscope::procfs {

std::vector<FanotifyMark> parse_fanotify_marks(std::string_view fdinfo) {
    std::vector<FanotifyMark> out;
    std::string_view rest = fdinfo;
    while (!rest.empty()) {
        std::string_view line = text::next_line(rest);
        if (!line.starts_with("fanotify ")) continue;
        FanotifyMark m;
        bool has_mask = false, has_ino = false, has_mnt = false, has_sdev = false;
        text::KeyValues kv(line);
        std::string_view key, value;
        while (kv.next(key, value)) {
            if (key == "mask") {
                if (auto v = text::to_num<std::uint64_t>(value, 16)) {
                    m.mask = *v;
                    has_mask = true;
                }
            } else if (key == "ignored_mask") {
                if (auto v = text::to_num<std::uint64_t>(value, 16)) m.ignored_mask = *v;
            } else if (key == "ino") {
                if (auto v = text::to_num<std::uint64_t>(value, 16)) {
                    m.inode = *v;
                    has_ino = true;
                }
            } else if (key == "mnt_id") {
                if (auto v = text::to_num<std::int32_t>(value, 16)) {
                    m.mnt_id = *v;
                    has_mnt = true;
                }
            } else if (key == "sdev") {
                if (auto v = text::to_num<std::uint32_t>(value, 16)) {
                    m.sdev = *v;
                    has_sdev = true;
                }
            }
        }
        if (!has_mask) continue;  // the "fanotify flags:" header
        m.on = has_ino ? FanotifyMark::On::Inode : has_mnt ? FanotifyMark::On::Mount : FanotifyMark::On::Filesystem;
        if (!has_ino && !has_mnt && !has_sdev) continue;
        out.push_back(m);
    }
    return out;
}

}  // namespace fdscope::procfs
