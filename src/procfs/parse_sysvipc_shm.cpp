#include "procfs/parse_sysvipc_shm.hpp"

#include "procfs/text.hpp"

namespace fdscope::procfs {

namespace {

// key_t is an int and ipc/shm.c prints it with "%10d", so keys with the
// top bit set (ftok results, 0xdeadbeef) appear negative. Fold both
// spellings onto the 32-bit pattern users know from ipcs ("0xdeadbeef").
std::optional<std::int64_t> parse_key(std::string_view tok) {
    auto v = text::to_num<std::int64_t>(tok);
    if (!v) return std::nullopt;
    if (*v < INT32_MIN || *v > static_cast<std::int64_t>(UINT32_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(static_cast<std::uint32_t>(*v));
}

// "key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime
// ctime rss swap"; perms is octal and may carry SHM_DEST (01000, removed
// but still attached) and SHM_LOCKED (02000). Older kernels lack rss and
// swap, so only the columns the model keeps are required.
bool parse_row(std::string_view s, ShmSegment& seg) {
    auto key = parse_key(text::next_token(s));
    auto shmid = text::to_num<std::int32_t>(text::next_token(s));
    auto perms = text::to_num<std::uint32_t>(text::next_token(s), 8);
    auto size = text::to_num<std::uint64_t>(text::next_token(s));
    auto cpid = text::to_num<std::int32_t>(text::next_token(s));
    auto lpid = text::to_num<std::int32_t>(text::next_token(s));
    auto nattch = text::to_num<std::uint64_t>(text::next_token(s));
    auto uid = text::to_num<std::uint32_t>(text::next_token(s));
    if (!key || !shmid || !perms || !size || !cpid || !lpid || !nattch || !uid) return false;
    seg.key = *key;
    seg.shmid = *shmid;
    seg.perms = *perms;
    seg.size = *size;
    seg.cpid = *cpid;
    seg.lpid = *lpid;
    seg.nattch = *nattch;
    seg.uid = *uid;
    return true;
}

}  // namespace

std::vector<ShmSegment> parse_sysvipc_shm(std::string_view text) {
    std::vector<ShmSegment> segs;
    std::string_view rest = text;
    text::next_line(rest);  // header
    while (!rest.empty()) {
        std::string_view line = text::next_line(rest);
        ShmSegment seg;
        if (parse_row(line, seg)) segs.push_back(seg);
    }
    return segs;
}

}  // namespace fdscope::procfs
