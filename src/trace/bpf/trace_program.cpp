#include "trace/bpf/trace_program.hpp"

#include "trace/bpf/cfi_signatures.hpp"

#include <linux/types.h>

#include <cerrno>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/libbpf_log.hpp"
#include "bpf/load.hpp"
#include "sys/errno_text.hpp"
#include "trace.min_btf.h"
#include "trace.skel.h"
#include "trace/bpf/program_tables.hpp"
#include "trace_records.h"

namespace fdscope::trace {
namespace {

constexpr bpf::EmbeddedBtf kTraceBtf{bpf::embedded::trace::kMinBtf, sizeof bpf::embedded::trace::kMinBtf,
                                     bpf::embedded::trace::kKernelBtfSize,
                                     bpf::embedded::trace::kKernelBtfFingerprint};

struct LoadAttempt {
    fds_trace* skel = nullptr;
    int err = 0;
    std::string stage;
    std::string log;
    bool min_btf_tried = false;
};

LoadAttempt try_load(const ProgramOptions& o, std::size_t ring_bytes) {
    LoadAttempt a;
    const bpf::LibbpfLog log;
    sys::UniqueFd btf = o.min_btf ? bpf::min_btf_file(kTraceBtf) : sys::UniqueFd();
    const std::string btf_path = "/proc/self/fd/" + std::to_string(btf.get());
    DECLARE_LIBBPF_OPTS(bpf_object_open_opts, open_opts);
    if (btf) open_opts.btf_custom_path = btf_path.c_str();
    a.min_btf_tried = static_cast<bool>(btf);
    a.skel = fds_trace__open_opts(&open_opts);
    if (!a.skel) {
        a.err = errno ? errno : EINVAL;
        a.stage = "open";
        a.log = log.text();
        return a;
    }
    bpf_map__set_max_entries(a.skel->maps.ring, static_cast<__u32>(ring_bytes));
    a.skel->rodata->use_task_storage = o.task_storage ? 1 : 0;
    a.skel->rodata->use_cfi_walk = o.cfi_walk ? 1 : 0;
    if (o.task_storage) {
        bpf_map__set_max_entries(a.skel->maps.enter_tid, 1);  // unused: keep it small
    } else {
        // The program never touches it (the rodata branch is pruned), but
        // the object names it: a one-entry hash loads everywhere.
        bpf_map__set_type(a.skel->maps.enter_ts, BPF_MAP_TYPE_HASH);
        bpf_map__set_map_flags(a.skel->maps.enter_ts, 0);
        bpf_map__set_max_entries(a.skel->maps.enter_ts, 1);
    }
    // The table iterator is run by hand, per process, never auto-attached.
    if (int e = fds_trace__load(a.skel)) {
        a.err = -e;
        a.stage = "load";
        fds_trace__destroy(a.skel);
        a.skel = nullptr;
    }
    a.log = log.text();
    return a;
}

bool fill_tables(fds_trace* skel, std::string& why) {
    const ProgramTables t = program_tables();
    const int interest = bpf_map__fd(skel->maps.interest);
    for (__u32 w = 0; w < t.interest.size(); ++w) {
        const __u64 bits = t.interest[w];
        if (bpf_map_update_elem(interest, &w, &bits, BPF_ANY)) {
            why = "cannot fill the syscall bitmap: " + sys::errno_text(errno, sys::ErrnoNumber::Shown);
            return false;
        }
    }
    const int plans = bpf_map__fd(skel->maps.plans);
    for (const ProgramTables::Plan& p : t.plans) {
        if (bpf_map_update_elem(plans, &p.nr, &p.plan, BPF_ANY)) {
            why = "cannot fill the capture plans: " + sys::errno_text(errno, sys::ErrnoNumber::Shown);
            return false;
        }
    }
    return true;
}

// Which tracepoint a program of this object is, for the user.
std::string program_section(std::string_view prog) {
    if (prog == "fds_sys_enter") return "tp_btf/sys_enter";
    if (prog == "fds_sys_exit") return "tp_btf/sys_exit";
    if (prog == "fds_fork") return "tp_btf/sched_process_fork";
    if (prog == "fds_exec") return "tp_btf/sched_process_exec";
    if (prog == "fds_exit") return "tp_btf/sched_process_exit";
    if (prog == "fds_tables") return "iter/task";
    return {};
}

}  // namespace

bool parse_trace_refusals(std::string_view list, ProgramOptions& o, std::string& why) {
    while (!list.empty()) {
        const std::size_t comma = list.find(',');
        const std::string_view w = list.substr(0, comma);
        if (w == "task_storage") o.task_storage = false;
        else if (w == "min_btf") o.min_btf = false;
        else if (w == "cfi_walk") o.cfi_walk = false;
        else if (!w.empty()) {
            why = "unknown BPF trace feature to refuse: '" + std::string(w) + "' (task_storage, min_btf, cfi_walk)";
            return false;
        }
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return true;
}

std::size_t ring_size_for(std::size_t asked) {
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    std::size_t want = asked ? asked : kDefaultRingBytes;
    std::size_t size = page;
    while (size < want && size < (std::size_t{1} << 30)) size <<= 1;
    return size;
}

std::unique_ptr<TraceProgram> TraceProgram::load(const ProgramOptions& opts, std::string& why,
                                                 std::vector<std::string>& notes) {
    ProgramOptions o = opts;
    const std::size_t ring = ring_size_for(o.ring_bytes);
    if (!o.cfi_walk)
        notes.push_back("the BPF stack walk from DWARF CFI rules refused (FDSCOPE_BPF_TRACE_REFUSE): stacks are the "
                        "kernel's frame-pointer walk and stop in code without frame pointers");
    if (!o.task_storage)
        notes.push_back("BPF task storage refused (FDSCOPE_BPF_TRACE_REFUSE): enter arguments are kept in a hash "
                        "by thread id");
    LoadAttempt a = try_load(o, ring);
    if (!a.skel && a.min_btf_tried && a.err != EPERM) {
        o.min_btf = false;
        LoadAttempt b = try_load(o, ring);
        if (b.skel)
            notes.push_back("the embedded BTF subset did not load; relocated against the kernel's: " +
                            bpf::tail_lines(a.log, 2));
        a = std::move(b);
    }
    // The walk from CFI rules (a bpf_loop over user memory) may be refused
    // where the rest loads: stacks are then bpf_get_stack's alone.
    if (!a.skel && o.cfi_walk && a.err != EPERM) {
        o.cfi_walk = false;
        LoadAttempt b = try_load(o, ring);
        if (b.skel) {
            notes.push_back("the BPF stack walk from DWARF CFI rules was refused; stacks are the kernel's "
                            "frame-pointer walk and stop in code without frame pointers: " +
                            bpf::tail_lines(a.log, 2));
            a = std::move(b);
        }
    }
    // Task storage (5.11) may be missing or refused for these programs:
    // enter arguments then wait in a hash keyed by tid.
    if (!a.skel && o.task_storage && a.err != EPERM) {
        o.task_storage = false;
        LoadAttempt b = try_load(o, ring);
        if (b.skel) {
            notes.push_back("BPF task storage was refused; enter arguments are kept in a hash by thread id: " +
                            bpf::tail_lines(a.log, 2));
            a = std::move(b);
        }
        // else the first refusal is the one to quote
    }
    if (!a.skel) {
        why = "cannot " + a.stage + " the BPF trace programs: " + sys::errno_text(a.err, sys::ErrnoNumber::Shown) +
              bpf::load_hint(a.err);
        if (const std::string prog = bpf::failed_program(a.log); !prog.empty()) {
            const std::string section = program_section(prog);
            why += "; the kernel refused " + prog + (section.empty() ? "" : " (" + section + ")");
        }
        if (std::string t = bpf::tail_lines(a.log, 6); !t.empty()) why += "\n" + t;
        return nullptr;
    }
    std::unique_ptr<TraceProgram> p(new TraceProgram());
    p->skel_ = a.skel;
    p->task_storage_ = o.task_storage;
    p->cfi_walk_ = o.cfi_walk;
    p->ring_bytes_ = ring;
    p->skel_->bss->wakeup_bytes = ring / 4;
    p->skel_->bss->stack_bytes = 0;
    if (!fill_tables(p->skel_, why)) return nullptr;
    if (p->cfi_walk_) p->load_cfi_signatures();
    p->ring_ = ring_buffer__new(bpf_map__fd(p->skel_->maps.ring), &TraceProgram::sample, p.get(), nullptr);
    if (!p->ring_) {
        why = "cannot map the BPF ring buffer: " + sys::errno_text(errno, sys::ErrnoNumber::Shown);
        return nullptr;
    }
    return p;
}

TraceProgram::~TraceProgram() {
    detach();
    if (ring_) ring_buffer__free(ring_);
    if (skel_) fds_trace__destroy(skel_);
}

bool TraceProgram::attach(std::string& why) {
    // Process events first: a fork between two attaches must not escape.
    bpf_program* progs[] = {skel_->progs.fds_fork, skel_->progs.fds_exec, skel_->progs.fds_exit,
                            skel_->progs.fds_sys_enter, skel_->progs.fds_sys_exit};
    for (bpf_program* prog : progs) {
        bpf_link* link = bpf_program__attach(prog);
        if (!link) {
            const int err = errno;
            const std::string name = bpf_program__name(prog);
            why = "cannot attach " + name + " (" + program_section(name) + "): " +
                  sys::errno_text(err, sys::ErrnoNumber::Shown) + bpf::load_hint(err);
            detach();
            return false;
        }
        links_.push_back(link);
    }
    return true;
}

void TraceProgram::detach() {
    // sys_exit first: no exit record may wait for an enter that can no
    // longer be stored.
    for (auto it = links_.rbegin(); it != links_.rend(); ++it) bpf_link__destroy(*it);
    links_.clear();
}

namespace {

void clear_hash(int fd) {
    __u32 key = 0;
    while (bpf_map_get_next_key(fd, nullptr, &key) == 0)
        if (bpf_map_delete_elem(fd, &key) != 0) break;
}

void clear_cfi_rules(int fd, bool (*drop)(const fds_cfi_key&, pid_t), pid_t tgid) {
    std::vector<fds_cfi_key> keys;
    fds_cfi_key key{}, next{};
    const fds_cfi_key* prev = nullptr;
    while (bpf_map_get_next_key(fd, prev, &next) == 0) {
        if (drop(next, tgid)) keys.push_back(next);
        key = next;
        prev = &key;
    }
    for (const fds_cfi_key& k : keys) bpf_map_delete_elem(fd, &k);
}

}  // namespace

namespace {

fds_cfi_rule rule_value(const CfiRule& rule) {
    fds_cfi_rule value{};
    value.cfa_off = rule.cfa_off;
    value.ra_off = rule.ra_off;
    value.bp_off = rule.bp_off;
    value.cfa_bp = rule.cfa_bp ? 1 : 0;
    value.bp_saved = rule.bp_saved ? 1 : 0;
    return value;
}

}  // namespace

std::size_t TraceProgram::load_cfi_signatures() {
    for (const std::string& path : own_c_library_files()) add_cfi_signatures(path);
    return cfi_signatures_;
}

std::size_t TraceProgram::add_cfi_signatures(const std::string& path) {
    if (!cfi_walk_) return 0;
    std::size_t loaded = 0;
    const int fd = bpf_map__fd(skel_->maps.cfi_sigs);
    for (const CfiSignature& s : unambiguous(file_signatures(path))) {
        if (cfi_signatures_ + loaded >= FDS_CFI_SIGS_MAX) break;
        fds_cfi_sig key{};
        key.page_off = s.page_off;
        std::copy(s.code.begin(), s.code.end(), key.code);
        const fds_cfi_rule value = rule_value(s.rule);
        // BPF_NOEXIST: a key another file already gave keeps its rule.
        if (bpf_map_update_elem(fd, &key, &value, BPF_NOEXIST) == 0) ++loaded;
    }
    cfi_signatures_ += loaded;
    return loaded;
}

bool TraceProgram::set_cfi_rule(pid_t tgid, std::uint64_t ip, const CfiRule& rule) {
    if (!cfi_walk_) return false;
    fds_cfi_key key{};
    key.ip = ip;
    key.tgid = static_cast<__u32>(tgid);
    const fds_cfi_rule value = rule_value(rule);
    return bpf_map_update_elem(bpf_map__fd(skel_->maps.cfi_rules), &key, &value, BPF_ANY) == 0;
}

void TraceProgram::forget_cfi_rules(pid_t tgid) {
    clear_cfi_rules(
        bpf_map__fd(skel_->maps.cfi_rules), [](const fds_cfi_key& k, pid_t t) { return k.tgid == static_cast<__u32>(t); },
        tgid);
}

void TraceProgram::reset() {
    detach();
    clear_hash(bpf_map__fd(skel_->maps.traced));
    clear_hash(bpf_map__fd(skel_->maps.lost_by_tgid));
    clear_cfi_rules(bpf_map__fd(skel_->maps.cfi_rules), [](const fds_cfi_key&, pid_t) { return true; }, 0);
    if (!task_storage_) clear_hash(bpf_map__fd(skel_->maps.enter_tid));
    const int ncpu = libbpf_num_possible_cpus();
    if (ncpu > 0) {
        const std::vector<__u64> zeros(static_cast<std::size_t>(ncpu), 0);
        const __u32 zero = 0;
        bpf_map_update_elem(bpf_map__fd(skel_->maps.lost), &zero, zeros.data(), BPF_ANY);
    }
    skel_->bss->compat_calls = 0;
    ring_buffer__consume(ring_);  // no callback is set: the samples are dropped
}

bool TraceProgram::trace(pid_t tgid) {
    const auto key = static_cast<__u32>(tgid);
    const __u8 one = 1;
    return bpf_map_update_elem(bpf_map__fd(skel_->maps.traced), &key, &one, BPF_ANY) == 0;
}

bool TraceProgram::traced(pid_t tgid) const {
    const auto key = static_cast<__u32>(tgid);
    __u8 v = 0;
    return bpf_map_lookup_elem(bpf_map__fd(skel_->maps.traced), &key, &v) == 0;
}

void TraceProgram::set_stack_frames(unsigned frames) {
    if (frames > FDS_STACK_MAX) frames = FDS_STACK_MAX;
    skel_->bss->stack_bytes = frames * 8;
}

int TraceProgram::sample(void* self, void* data, std::size_t size) {
    auto* p = static_cast<TraceProgram*>(self);
    if (p->on_sample_) (*p->on_sample_)(std::string_view(static_cast<const char*>(data), size));
    return 0;
}

int TraceProgram::poll(int timeout_ms, const std::function<void(std::string_view)>& fn) {
    on_sample_ = &fn;
    // Syscall records do not wake the reader (trace.bpf.c's send()): epoll
    // only says when a process event or a filling ring did, so the ring is
    // read after every wait, woken or not.
    int n = ring_buffer__poll(ring_, timeout_ms);
    if (n >= 0) {
        const int more = ring_buffer__consume(ring_);
        n = more < 0 ? more : n + more;
    }
    on_sample_ = nullptr;
    return n;
}

std::uint64_t TraceProgram::lost_total() const {
    const int ncpu = libbpf_num_possible_cpus();
    if (ncpu <= 0) return 0;
    std::vector<__u64> per_cpu(static_cast<std::size_t>(ncpu));
    const __u32 zero = 0;
    if (bpf_map_lookup_elem(bpf_map__fd(skel_->maps.lost), &zero, per_cpu.data())) return 0;
    std::uint64_t sum = 0;
    for (__u64 v : per_cpu) sum += v;
    return sum;
}

std::vector<std::pair<pid_t, std::uint64_t>> TraceProgram::lost_by_process() const {
    std::vector<std::pair<pid_t, std::uint64_t>> out;
    const int fd = bpf_map__fd(skel_->maps.lost_by_tgid);
    __u32 key = 0, next = 0;
    const __u32* prev = nullptr;
    while (bpf_map_get_next_key(fd, prev, &next) == 0) {
        __u64 n = 0;
        if (bpf_map_lookup_elem(fd, &next, &n) == 0) out.emplace_back(static_cast<pid_t>(next), n);
        key = next;
        prev = &key;
    }
    return out;
}

std::uint64_t TraceProgram::compat_calls() const { return skel_->bss->compat_calls; }

bool TraceProgram::tables_of(pid_t tgid, std::vector<TaskRecord>& out, std::string& why) {
    union bpf_iter_link_info info {};
    info.task.pid = static_cast<__u32>(tgid);
    DECLARE_LIBBPF_OPTS(bpf_iter_attach_opts, opts);
    opts.link_info = &info;
    opts.link_info_len = sizeof info;
    bpf_link* link = bpf_program__attach_iter(skel_->progs.fds_tables, &opts);
    if (!link) {
        why = "cannot run the fd-table iterator: " + sys::errno_text(errno, sys::ErrnoNumber::Shown);
        return false;
    }
    const int fd = bpf_iter_create(bpf_link__fd(link));
    std::string bytes;
    bool ok = fd >= 0;
    if (!ok) why = "cannot start the fd-table iterator: " + sys::errno_text(errno, sys::ErrnoNumber::Shown);
    while (ok) {
        char chunk[4096];
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n > 0) bytes.append(chunk, static_cast<std::size_t>(n));
        else if (n == 0) break;
        else if (errno != EINTR) {
            why = "reading the fd-table iterator failed: " + sys::errno_text(errno, sys::ErrnoNumber::Shown);
            ok = false;
        }
    }
    if (fd >= 0) ::close(fd);
    bpf_link__destroy(link);
    if (!ok) return false;
    if (!parse_task_records(bytes, [&](const TaskRecord& t) { out.push_back(t); })) {
        why = "the fd-table iterator wrote a malformed record";
        return false;
    }
    return true;
}

}  // namespace fdscope::trace
