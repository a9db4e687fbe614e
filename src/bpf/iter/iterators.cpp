#include "bpf/iter/iterators.hpp"

#include <linux/types.h>

#include <algorithm>
#include <cerrno>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/libbpf_log.hpp"
#include "bpf/load.hpp"
#include "iter.min_btf.h"
#include "iter.skel.h"
#include "sys/errno_text.hpp"

namespace fdscope::bpf {
namespace {

struct LoadAttempt {
    fds_iter* skel = nullptr;
    int err = 0;
    std::string stage;
    std::string log;
    bool min_btf = false;        // relocated against the embedded BTF subset
    bool min_btf_tried = false;  // the subset was offered to libbpf
};

constexpr EmbeddedBtf kIterBtf{embedded::iter::kMinBtf, sizeof embedded::iter::kMinBtf, embedded::iter::kKernelBtfSize,
                                embedded::iter::kKernelBtfFingerprint};

LoadAttempt try_load(const LoadOptions& o) {
    LoadAttempt a;
    const LibbpfLog log;
    // CO-RE against the embedded subset of this kernel's BTF when it is
    // this kernel's: libbpf's search of every kernel type for each relocated
    // type was half of the start-up (bench/RESULTS.md).
    sys::UniqueFd btf = o.min_btf ? min_btf_file(kIterBtf) : sys::UniqueFd();
    const std::string btf_path = "/proc/self/fd/" + std::to_string(btf.get());
    DECLARE_LIBBPF_OPTS(bpf_object_open_opts, open_opts);
    if (btf) open_opts.btf_custom_path = btf_path.c_str();
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
    a.min_btf_tried = static_cast<bool>(btf);
    a.min_btf = a.min_btf_tried && a.skel;
    a.log = log.text();
    return a;
}

}  // namespace

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
        why = "cannot " + a.stage + " the BPF iterators: " + sys::errno_text(a.err, sys::ErrnoNumber::Shown) + load_hint(a.err);
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
        why = "cannot attach the task_file iterator: " + sys::errno_text(errno, sys::ErrnoNumber::Shown) + load_hint(errno);
        return nullptr;
    }
    it->vma_link_ = bpf_program__attach_iter(it->skel_->progs.fds_task_vma, nullptr);
    if (!it->vma_link_) {
        why = "cannot attach the task_vma iterator: " + sys::errno_text(errno, sys::ErrnoNumber::Shown) + load_hint(errno);
        return nullptr;
    }
    it->task_link_ = bpf_program__attach_iter(it->skel_->progs.fds_task, nullptr);
    if (!it->task_link_) {
        why = "cannot attach the task iterator: " + sys::errno_text(errno, sys::ErrnoNumber::Shown) + load_hint(errno);
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
