#include "bpf/iter/records.hpp"

#include <linux/types.h>

#include <cstring>

#include "bpf/load_at.hpp"
#include "records.h"

namespace fdscope::bpf {
namespace {

static_assert(sizeof(fds_rec_hdr) == 8, "record header layout");
static_assert(sizeof(fds_file_rec) == 112, "file record layout");
static_assert(sizeof(fds_vma_rec) == 80, "vma record layout");
static_assert(sizeof(fds_task_rec) == 48, "task record layout");

PathKind path_kind(std::uint8_t k) {
    return k == FDS_PATH_DPATH    ? PathKind::DPath
           : k == FDS_PATH_DNAME  ? PathKind::DentryName
           : k == FDS_PATH_PSEUDO ? PathKind::Pseudo
           : k == FDS_PATH_WALK   ? PathKind::Walk
                                  : PathKind::None;
}

// A file record's body at `b`, its path, and where its header starts.
FileRecord decode_file(const char* b, std::string_view path, std::size_t offset) {
    auto raw = load_at<fds_file_rec>(b);
    FileRecord f;
    f.file_id = raw.file_id;
    f.files_id = raw.files_id;
    f.pos = raw.pos;
    f.ino = raw.ino;
    f.s_magic = raw.s_magic;
    f.tgid = raw.tgid;
    f.tid = raw.tid;
    f.fd = raw.fd;
    f.f_flags = raw.f_flags;
    f.f_mode = raw.f_mode;
    f.s_dev = raw.s_dev;
    f.mnt_id = raw.mnt_id;
    f.path_err = raw.path_err;
    f.i_mode = raw.i_mode;
    f.rdev = raw.rdev;
    f.size = raw.size;
    f.cloexec = raw.cloexec != 0;
    f.nlink = raw.nlink;
    f.unlinked = raw.unlinked != 0;
    f.extra0 = raw.extra0;
    f.extra1 = raw.extra1;
    f.extra = raw.extra_kind == FDS_EXTRA_EVENTFD    ? Extra::Eventfd
              : raw.extra_kind == FDS_EXTRA_TIMERFD  ? Extra::Timerfd
              : raw.extra_kind == FDS_EXTRA_SIGNALFD ? Extra::Signalfd
              : raw.extra_kind == FDS_EXTRA_UNIX     ? Extra::Unix
                                                     : Extra::None;
    f.path_kind = path_kind(raw.path_kind);
    f.path = path;
    f.offset = offset;
    return f;
}

}  // namespace

FileRecord file_record_at(std::string_view bytes, std::size_t offset) {
    const auto hdr = load_at<fds_rec_hdr>(bytes.data() + offset);
    const char* b = bytes.data() + offset + sizeof(fds_rec_hdr);
    return decode_file(b, std::string_view(b + sizeof(fds_file_rec), hdr.path_len), offset);
}

std::uint64_t user_dev(std::uint32_t kernel_dev) {
    std::uint64_t major = kernel_dev >> 20, minor = kernel_dev & 0xfffff;
    // glibc's makedev encoding.
    return ((major & 0xfffff000ULL) << 32) | ((major & 0xfffULL) << 8) | ((minor & 0xffffff00ULL) << 12) |
           (minor & 0xffULL);
}

ParseResult parse_records(std::string_view bytes, const RecordSink& sink) {
    ParseResult r;
    const char* p = bytes.data();
    std::size_t left = bytes.size();
    while (left) {
        if (left < sizeof(fds_rec_hdr)) {
            r.status = ParseStatus::Truncated;
            break;
        }
        auto hdr = load_at<fds_rec_hdr>(p);
        std::size_t body = hdr.type == FDS_REC_FILE ? sizeof(fds_file_rec)
                         : hdr.type == FDS_REC_VMA  ? sizeof(fds_vma_rec)
                         : hdr.type == FDS_REC_TASK ? sizeof(fds_task_rec)
                                                    : 0;
        if (body == 0 || (hdr.type == FDS_REC_TASK && hdr.path_len != 0) || hdr.len != sizeof(fds_rec_hdr) + body + hdr.path_len || hdr.path_len >= FDS_PATH_MAX) {
            r.status = ParseStatus::Corrupt;
            break;
        }
        if (hdr.len > left) {
            r.status = ParseStatus::Truncated;
            break;
        }
        const char* b = p + sizeof(fds_rec_hdr);
        std::string_view path(b + body, hdr.path_len);
        if (hdr.type == FDS_REC_FILE) {
            if (sink.file) sink.file(decode_file(b, path, r.consumed));
        } else if (hdr.type == FDS_REC_TASK) {
            auto raw = load_at<fds_task_rec>(b);
            if (sink.task) {
                TaskRecord t;
                t.files_id = raw.files_id;
                t.nofile_cur = raw.nofile_cur;
                t.nofile_max = raw.nofile_max;
                t.tgid = raw.tgid;
                t.tid = raw.tid;
                t.max_fds = raw.max_fds;
                t.open_fds = raw.open_fds;
                t.self = (raw.flags & FDS_TASK_SELF) != 0;
                t.counted = (raw.flags & FDS_TASK_COUNTED) != 0;
                sink.task(t);
            }
        } else {
            auto raw = load_at<fds_vma_rec>(b);
            if (sink.vma) {
                VmaRecord v;
                v.file_id = raw.file_id;
                v.start = raw.start;
                v.end = raw.end;
                v.pgoff = raw.pgoff;
                v.vm_flags = raw.vm_flags;
                v.ino = raw.ino;
                v.s_magic = raw.s_magic;
                v.tgid = raw.tgid;
                v.tid = raw.tid;
                v.s_dev = raw.s_dev;
                v.path_err = raw.path_err;
                v.i_mode = raw.i_mode;
                v.nlink = raw.nlink;
                v.unlinked = raw.unlinked != 0;
                v.path_kind = path_kind(raw.path_kind);
                v.path = path;
                sink.vma(v);
            }
        }
        ++r.records;
        p += hdr.len;
        left -= hdr.len;
        r.consumed += hdr.len;
    }
    return r;
}

bool join_walk(std::string_view components, std::string& path) {
    path.clear();
    if (!components.empty() && components.back() != '\0') return false;
    // Leaf first: taken from the end, each component is the root-most left.
    for (std::size_t end = components.size(); end > 0;) {
        const std::size_t nul = end - 1;  // this component's terminator
        const std::size_t prev = nul == 0 ? std::string_view::npos : components.rfind('\0', nul - 1);
        const std::size_t begin = prev == std::string_view::npos ? 0 : prev + 1;
        if (begin == nul) return false;  // an empty name: not a walk
        path += '/';
        path.append(components.substr(begin, nul - begin));
        end = begin;
    }
    if (path.empty()) path.push_back('/');  // not = "/": GCC 12 warns falsely (bug 105329)
    return true;
}

}  // namespace fdscope::bpf
