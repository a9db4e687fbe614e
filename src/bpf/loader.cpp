#include "bpf/loader.hpp"

#include <linux/types.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/btf_fingerprint.hpp"
#include "sys/errno_text.hpp"
#include "iter.min_btf.h"
#include "iter.skel.h"
#include "records.h"

namespace fdscope::bpf {
namespace {

static_assert(sizeof(fds_rec_hdr) == 8, "record header layout");
static_assert(sizeof(fds_file_rec) == 112, "file record layout");
static_assert(sizeof(fds_vma_rec) == 80, "vma record layout");
static_assert(sizeof(fds_task_rec) == 48, "task record layout");

template <class T>
T load_at(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

PathKind path_kind(std::uint8_t k) {
    return k == FDS_PATH_DPATH    ? PathKind::DPath
           : k == FDS_PATH_DNAME  ? PathKind::DentryName
           : k == FDS_PATH_PSEUDO ? PathKind::Pseudo
           : k == FDS_PATH_WALK   ? PathKind::Walk
                                  : PathKind::None;
}

// libbpf's log while loading: kept so a failure can say what the verifier
// or libbpf refused. libbpf_set_print is process-wide, hence the mutex.
std::mutex log_mutex;
std::string* log_sink = nullptr;

int capture_print(enum libbpf_print_level level, const char* fmt, va_list args) {
    if (level == LIBBPF_DEBUG || !log_sink) return 0;
    char line[1024];
    int n = std::vsnprintf(line, sizeof line, fmt, args);
    if (n > 0) log_sink->append(line, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof line - 1));
    return 0;
}

// The last `max_lines` non-empty lines of a log: the verifier's verdict is at the end.
std::string tail_lines(std::string_view log, int max_lines) {
    std::size_t end = log.size();
    while (end && log[end - 1] == '\n') --end;
    std::size_t begin = end;
    for (int lines = 0; begin && lines < max_lines;) {
        --begin;
        if (log[begin] == '\n') ++lines;
    }
    if (begin && log[begin] == '\n') ++begin;
    return std::string(log.substr(begin, end - begin));
}

struct LoadAttempt {
    fds_iter* skel = nullptr;
    int err = 0;
    std::string stage;
    std::string log;
    bool min_btf = false;        // relocated against the embedded BTF subset
    bool min_btf_tried = false;  // the subset was offered to libbpf
};

// Whether the running kernel's BTF is the one the embedded subset was cut
// from (read and fingerprinted once per process: ~5 MB, a few ms).
bool kernel_btf_is_the_build_ones() {
    static const bool same = [] {
        // Another size is another kernel: no need to read 5 MB to know.
        struct stat st {};
        if (::stat("/sys/kernel/btf/vmlinux", &st) != 0 || static_cast<std::uint64_t>(st.st_size) != embedded::kKernelBtfSize)
            return false;
        std::string btf;
        FILE* f = std::fopen("/sys/kernel/btf/vmlinux", "rbe");
        if (!f) return false;
        btf.reserve(embedded::kKernelBtfSize);
        char buf[1 << 16];
        for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) btf.append(buf, n);
        std::fclose(f);
        return btf.size() == embedded::kKernelBtfSize && btf_fingerprint(btf) == embedded::kKernelBtfFingerprint;
    }();
    return same;
}

// The embedded BTF subset as a file libbpf can open (a memfd, closed
// after the load); -1 when it does not apply to this kernel.
int min_btf_fd() {
    if (!kernel_btf_is_the_build_ones()) return -1;
    int fd = ::memfd_create("fdscope-min-btf", MFD_CLOEXEC);
    if (fd < 0) return -1;
    const auto* p = embedded::kMinBtf;
    std::size_t left = sizeof embedded::kMinBtf;
    while (left) {
        ssize_t n = ::write(fd, p, left);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) continue;
            ::close(fd);
            return -1;
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    return fd;
}

LoadAttempt try_load(const LoadOptions& o) {
    LoadAttempt a;
    std::lock_guard lock(log_mutex);
    log_sink = &a.log;
    libbpf_set_print(capture_print);
    // CO-RE against the embedded subset of this kernel's BTF when it is
    // this kernel's: libbpf's search of every kernel type for each relocated
    // type was half of the start-up (bench/RESULTS.md).
    const int btf_fd = o.min_btf ? min_btf_fd() : -1;
    const std::string btf_path = "/proc/self/fd/" + std::to_string(btf_fd);
    DECLARE_LIBBPF_OPTS(bpf_object_open_opts, open_opts);
    if (btf_fd >= 0) open_opts.btf_custom_path = btf_path.c_str();
    a.skel = fds_iter__open_opts(&open_opts);
    if (!a.skel) {
        a.err = errno ? errno : EINVAL;
        a.stage = "open";
    } else {
        a.skel->rodata->file_d_path = o.paths && o.file_d_path ? 1 : 0;
        a.skel->rodata->vma_d_path = o.paths && o.vma_d_path ? 1 : 0;
        a.skel->rodata->want_paths = o.paths ? 1 : 0;
        a.skel->rodata->use_loop = o.loop ? 1 : 0;
        if (int e = fds_iter__load(a.skel)) {
            a.err = -e;
            a.stage = "load";
            fds_iter__destroy(a.skel);
            a.skel = nullptr;
        }
    }
    if (btf_fd >= 0) ::close(btf_fd);
    a.min_btf_tried = btf_fd >= 0;
    a.min_btf = a.min_btf_tried && a.skel;
    // Silent from here on: later failures (attach, read) reach the user as
    // `why`, and under --backend auto nothing at all is to be printed.
    libbpf_set_print(nullptr);
    log_sink = nullptr;
    return a;
}

std::string hint(int err) {
    switch (err) {
        case EPERM:
        case EACCES: return " (needs root, or CAP_BPF and CAP_PERFMON; or kernel.unprivileged_bpf_disabled / lockdown forbids it)";
        case ENOENT:
        case ESRCH: return " (no kernel BTF? /sys/kernel/btf/vmlinux is needed for CO-RE)";
        case EINVAL: return " (the kernel refused the program or lacks BPF iterators)";
        default: return "";
    }
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

std::string failed_program(std::string_view log) {
    // libbpf: "libbpf: prog 'fds_task_vma': failed to load: -13"
    constexpr std::string_view kHead = "prog '", kTail = "': failed to load";
    const std::size_t tail = log.rfind(kTail);
    if (tail == std::string_view::npos) return {};
    const std::size_t head = log.rfind(kHead, tail);
    if (head == std::string_view::npos) return {};
    return std::string(log.substr(head + kHead.size(), tail - head - kHead.size()));
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
    if (path.empty()) path = "/";
    return true;
}

bool parse_refusals(std::string_view list, LoadOptions& o, std::string& why) {
    while (!list.empty()) {
        const std::size_t comma = list.find(',');
        const std::string_view w = list.substr(0, comma);
        if (w == "file_d_path") o.file_d_path = false;
        else if (w == "vma_d_path") o.vma_d_path = false;
        else if (w == "d_path") o.file_d_path = o.vma_d_path = false;
        else if (w == "loop") o.loop = false;
        else if (w == "min_btf") o.min_btf = false;
        else if (!w.empty()) {
            why = "unknown BPF feature to refuse: '" + std::string(w) + "' (file_d_path, vma_d_path, d_path, loop, min_btf)";
            return false;
        }
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return true;
}

std::unique_ptr<Iterators> Iterators::load(std::string& why, std::string& notes, const LoadOptions& opts) {
    std::unique_ptr<Iterators> it(new Iterators());
    LoadOptions o = opts;
    if (!o.paths) o.file_d_path = o.vma_d_path = false;
    LoadAttempt a = try_load(o);
    // Maybe only bpf_d_path was refused, and per program: the log names the
    // program the verifier refused; only that one stops using it (and then
    // walks the dentries: full paths still).
    // The embedded BTF subset first: should relocating against it fail (a
    // type bpftool's cut missed), the whole kernel BTF, once.
    if (!a.skel && a.min_btf_tried && a.err != EPERM) {
        o.min_btf = false;
        LoadAttempt b = try_load(o);
        if (b.skel) notes += "the embedded BTF subset did not load; relocated against the kernel's:\n" + tail_lines(a.log, 3) + "\n";
        a = std::move(b);
    }
    for (int tries = 0; !a.skel && a.stage == "load" && a.err != EPERM && tries < 2; ++tries) {
        const std::string refused = failed_program(a.log);
        bool* knob = refused == "fds_task_file" ? &o.file_d_path : refused == "fds_task_vma" ? &o.vma_d_path : nullptr;
        if (!knob || !*knob) break;
        *knob = false;
        LoadAttempt b = try_load(o);
        if (b.skel)
            notes += "bpf_d_path was refused in " + refused + "; its paths come from a dentry walk:\n" + tail_lines(a.log, 3) + "\n";
        a = std::move(b);
    }
    if (!a.skel) {
        why = "cannot " + a.stage + " the BPF iterators: " + sys::errno_text(a.err, sys::ErrnoNumber::Shown) + hint(a.err);
        if (std::string t = tail_lines(a.log, 6); !t.empty()) why += "\n" + t;  // libbpf's lines say "libbpf: ..."
        return nullptr;
    }
    it->skel_ = a.skel;
    it->file_d_path_ = o.file_d_path;
    it->vma_d_path_ = o.vma_d_path;
    it->loop_ = o.loop;
    it->min_btf_ = a.min_btf;
    it->file_link_ = bpf_program__attach_iter(it->skel_->progs.fds_task_file, nullptr);
    if (!it->file_link_) {
        why = "cannot attach the task_file iterator: " + sys::errno_text(errno, sys::ErrnoNumber::Shown) + hint(errno);
        return nullptr;
    }
    it->vma_link_ = bpf_program__attach_iter(it->skel_->progs.fds_task_vma, nullptr);
    if (!it->vma_link_) {
        why = "cannot attach the task_vma iterator: " + sys::errno_text(errno, sys::ErrnoNumber::Shown) + hint(errno);
        return nullptr;
    }
    it->task_link_ = bpf_program__attach_iter(it->skel_->progs.fds_task, nullptr);
    if (!it->task_link_) {
        why = "cannot attach the task iterator: " + sys::errno_text(errno, sys::ErrnoNumber::Shown) + hint(errno);
        return nullptr;
    }
    return it;
}

Iterators::~Iterators() {
    if (task_link_) bpf_link__destroy(task_link_);
    if (vma_link_) bpf_link__destroy(vma_link_);
    if (file_link_) bpf_link__destroy(file_link_);
    if (skel_) fds_iter__destroy(skel_);
}

bool Iterators::read(Iter which, std::string& out, std::string& why) {
    bpf_link* link = which == Iter::TaskFile ? file_link_ : which == Iter::TaskVma ? vma_link_ : task_link_;
    int fd = bpf_iter_create(bpf_link__fd(link));
    if (fd < 0) {
        why = "cannot start the iterator: " + sys::errno_text(errno, sys::ErrnoNumber::Shown);
        return false;
    }
    return drain(fd, out, why);
}

bpf_program* Iterators::program(Iter which) const {
    switch (which) {
        case Iter::Task: return skel_->progs.fds_task;
        case Iter::TaskFile: return skel_->progs.fds_task_file;
        case Iter::TaskVma: return skel_->progs.fds_task_vma;
    }
    return nullptr;
}

bool Iterators::read_process(Iter which, pid_t tgid, std::string& out, std::string& why) {
    union bpf_iter_link_info info {};
    info.task.pid = static_cast<__u32>(tgid);
    DECLARE_LIBBPF_OPTS(bpf_iter_attach_opts, opts);
    opts.link_info = &info;
    opts.link_info_len = sizeof info;
    bpf_link* link = bpf_program__attach_iter(program(which), &opts);
    if (!link) {
        why = "cannot attach a per-process iterator: " + sys::errno_text(errno, sys::ErrnoNumber::Shown);
        return false;
    }
    int fd = bpf_iter_create(bpf_link__fd(link));
    bool ok = false;
    if (fd < 0) why = "cannot start the iterator: " + sys::errno_text(errno, sys::ErrnoNumber::Shown);
    else ok = drain(fd, out, why);
    bpf_link__destroy(link);
    return ok;
}

// Reads an iterator's whole stream, appending to `out`, and closes it.
bool Iterators::drain(int fd, std::string& out, std::string& why) {
    constexpr std::size_t kChunk = 1 << 20;
    std::size_t used = out.size();
    for (;;) {
        // Grow a chunk at a time (resize writes every byte it adds: only what
        // is read should be touched), the capacity by doubling.
        if (out.size() - used < kChunk) {
            const std::size_t want = used + kChunk;
            if (want > out.capacity()) out.reserve(std::max(want, out.capacity() * 2));
            out.resize(want);
        }
        ssize_t n = ::read(fd, out.data() + used, out.size() - used);
        if (n > 0) {
            used += static_cast<std::size_t>(n);
            continue;
        }
        if (n == 0) break;
        if (errno == EINTR) continue;
        why = "reading the iterator failed: " + sys::errno_text(errno, sys::ErrnoNumber::Shown);
        ::close(fd);
        out.resize(used);
        return false;
    }
    ::close(fd);
    out.resize(used);
    return true;
}

}  // namespace fdscope::bpf
