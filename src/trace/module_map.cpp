#include <algorithm>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <unordered_set>

#include "collect/read_process.hpp"
#include "procfs/parse_maps.hpp"
#include "sys/proc_io.hpp"
#include "sys/unique_fd.hpp"
#include "trace/elf_facts.hpp"
#include "trace/stacks.hpp"

namespace fdscope::trace {

// Pcs that stayed uncovered after a re-read: a frame-pointer walk through
// code without frame pointers offers garbage words as return addresses,
// and each must not cost a maps read. Cleared by the next re-read.
constexpr std::size_t kMaxMisses = 4096;

struct ModuleMap::Process {
    std::vector<Mapping> mappings;  // ascending, non-overlapping
    std::unordered_set<std::uint64_t> misses;
    bool read = false;

    const Mapping* find(std::uint64_t pc) const {
        auto it = std::upper_bound(mappings.begin(), mappings.end(), pc,
                                   [](std::uint64_t v, const Mapping& m) { return v < m.start; });
        if (it == mappings.begin()) return nullptr;
        --it;
        return pc < it->end ? &*it : nullptr;
    }
};

std::vector<Mapping> executable_mappings(std::string_view maps_text) {
    std::vector<Mapping> out;
    procfs::parse_maps(maps_text, [&](const procfs::MapEntry& e) {
        // File-backed: an absolute path; "[vdso]", "[anon:...]" and memfd
        // names without a slash are not files a symbolizer can open.
        if (e.perms[2] != 'x' || e.path.empty() || e.path[0] != '/' || e.inode == 0) return;
        Mapping m;
        m.start = e.start, m.end = e.end, m.pgoff = e.offset;
        m.path = std::string(e.path);
        m.dev = (std::uint64_t{e.major} << 32) | e.minor;
        m.inode = e.inode;
        out.push_back(std::move(m));
    });
    std::sort(out.begin(), out.end(), [](const Mapping& a, const Mapping& b) { return a.start < b.start; });
    return out;
}

ModuleMap::Process& ModuleMap::process(pid_t pid) {
    auto& slot = processes_[pid];
    if (!slot) slot = std::make_shared<Process>();
    if (!slot->read) refresh(pid, *slot);
    return *slot;
}

void ModuleMap::refresh(pid_t pid, Process& p) {
    std::string text;
    ++maps_reads_;
    p.read = true;
    p.misses.clear();
    // A process that is gone keeps what was read before: its frames
    // captured a moment ago still resolve.
    if (sys::read_file_at(AT_FDCWD, fmt::format("/proc/{}/maps", pid).c_str(), text, sys::ReadMode::Stream) != 0)
        return;
    if (text.empty()) return;  // a zombie's maps: its memory is gone, not its code
    p.mappings = executable_mappings(text);
    for (auto& m : p.mappings) {
        const ElfEntry& e = elf(pid, {m.dev, m.inode, m.path}, m.start, m.end);
        m.build_id = e.build_id;
        m.has_frame_pointers = e.has_frame_pointers;
    }
}

const ModuleMap::ElfEntry& ModuleMap::elf(pid_t pid, const ElfKey& key, std::uint64_t start, std::uint64_t end) {
    auto it = elves_.find(key);
    if (it != elves_.end()) return it->second;
    // map_files opens the very inode mapped, even when the path was
    // deleted or replaced since; the path is the fallback where map_files
    // is refused (it needs CAP_SYS_ADMIN on older kernels).
    std::string via = fmt::format("/proc/{}/{}", pid, collect::map_files_name(start, end));
    sys::UniqueFd fd(::open(via.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) fd = sys::UniqueFd(::open(key.path.c_str(), O_RDONLY | O_CLOEXEC));
    ElfEntry entry;
    if (fd) {
        ElfFacts facts = read_elf_facts(fd.get());
        entry.build_id = facts.build_id;
        entry.has_frame_pointers = facts.has_frame_pointers;
    }
    return elves_.emplace(key, entry).first->second;
}

const Mapping* ModuleMap::mapping(pid_t pid, std::uint64_t pc) {
    Process& p = process(pid);
    if (const Mapping* m = p.find(pc)) return m;
    if (p.misses.contains(pc)) return nullptr;
    refresh(pid, p);
    if (const Mapping* m = p.find(pc)) return m;
    if (p.misses.size() >= kMaxMisses) p.misses.clear();
    p.misses.insert(pc);
    return nullptr;
}

RawFrame ModuleMap::frame(pid_t pid, std::uint64_t pc, bool is_return_address) {
    RawFrame f;
    f.pc = pc;
    f.is_return_address = is_return_address;
    if (const Mapping* m = mapping(pid, pc)) {
        f.build_id = m->build_id;
        f.offset = m->pgoff + (pc - m->start);
        f.module = m->path;
    }
    return f;
}

void ModuleMap::forget(pid_t pid) { processes_.erase(pid); }

std::vector<RawFrame> frames_from_pcs(pid_t pid, std::span<const std::uint64_t> pcs, ModuleMap& modules) {
    std::vector<RawFrame> out;
    out.reserve(pcs.size());
    for (std::size_t i = 0; i < pcs.size(); ++i) out.push_back(modules.frame(pid, pcs[i], i != 0));
    return out;
}

}  // namespace fdscope::trace
