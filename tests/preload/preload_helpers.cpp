#include "preload/preload_helpers.hpp"

#include <cerrno>
#include <climits>
#include <cstring>
#include <dirent.h>
#include <sys/uio.h>
#include <unistd.h>

#include "support/support.hpp"
#include "sys/files.hpp"
#include "sys/preload_locate.hpp"

namespace fdscope::test::preload {

namespace layout = sys::preload;

std::string library_path() { return std::string(FDSCOPE_BUILD_DIR) + "/libfdscope-preload.so"; }
std::string preload_fixture(const std::string& name) { return std::string(FDSCOPE_FIXTURES) + "/preload/" + name; }

std::vector<std::string> preload_env(const std::vector<std::string>& more) {
    std::vector<std::string> env{"LD_PRELOAD=" + library_path()};
    env.insert(env.end(), more.begin(), more.end());
    return env;
}

std::vector<std::string> preload_wrapper(const std::vector<std::string>& more) {
    std::vector<std::string> argv{"env"};
    for (const auto& e : preload_env(more)) argv.push_back(e);
    return argv;
}

std::map<int, std::string> proc_fds(pid_t pid) {
    std::map<int, std::string> out;
    const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
    DIR* d = opendir(dir.c_str());
    if (!d) return out;
    while (dirent* e = readdir(d)) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        char buf[PATH_MAX];
        ssize_t n = readlink((dir + "/" + e->d_name).c_str(), buf, sizeof buf);
        out[std::stoi(e->d_name)] = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
    }
    closedir(d);
    return out;
}

namespace {

std::string maps_text(pid_t pid) {
    std::string text;
    (void)sys::read_all(("/proc/" + std::to_string(pid) + "/maps").c_str(), text);
    return text;
}

bool copy_from(pid_t pid, std::uint64_t addr, void* dst, std::size_t len) {
    std::size_t done = 0;
    while (done < len) {
        iovec local{static_cast<char*>(dst) + done, len - done};
        iovec remote{reinterpret_cast<void*>(addr + done), len - done};
        ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

bool maps_contain(pid_t pid, const std::string& needle) { return maps_text(pid).find(needle) != std::string::npos; }

Table read_table(pid_t pid, std::size_t slot_limit) {
    Table t;
    // Where it is: the [anon:fdscope-table] mapping, or (kernels without
    // CONFIG_ANON_VMA_NAME) the library's exported Locator.
    const auto where = layout::locate_table(pid, maps_text(pid));
    t.found = where.has_value();
    if (where) {
        t.start = where->addr;
        t.length = where->bytes;
    }
    if (!t.found) return t;
    auto fail = [&](const std::string& why) {
        t.error = why;
        return std::move(t);  // returned at once: t is not used again
    };
    if (!copy_from(pid, t.start, t.header.get(), sizeof(layout::TableHeader))) return fail("process_vm_readv header: " + std::string(std::strerror(errno)));
    const auto& h = *t.header;
    if (h.magic != layout::kMagic) return fail("bad magic");
    if (h.version != layout::kVersion) return fail("version " + std::to_string(h.version));
    if (h.header_bytes != sizeof(layout::TableHeader) || h.slot_bytes != sizeof(layout::Slot)) return fail("bad sizes");
    if (h.total_bytes > t.length) return fail("total_bytes beyond the mapping");
    auto inside = [&](std::uint64_t off, std::uint64_t count, std::uint64_t size) {
        const std::uint64_t e = layout::region_end(off, count, size);
        return e != 0 && e <= h.total_bytes;
    };
    if (!inside(h.slots_offset, h.slot_count, sizeof(layout::Slot))) return fail("slots beyond total_bytes");
    if (!inside(h.index_offset, h.index_buckets, sizeof(layout::StackRef))) return fail("index beyond total_bytes");
    if (!inside(h.arena_offset, h.arena_bytes, 1)) return fail("arena beyond total_bytes");
    if (!inside(h.incidents_offset, h.incident_capacity, sizeof(layout::Incident))) return fail("incidents beyond total_bytes");
    const std::uint64_t used = h.arena_used.load(std::memory_order_relaxed);
    if (used > h.arena_bytes) return fail("arena_used beyond arena_bytes");

    const std::size_t n = std::min<std::size_t>(h.slot_count, slot_limit);
    std::vector<layout::Slot> raw(n);
    if (n && !copy_from(pid, t.start + h.slots_offset, raw.data(), n * sizeof(layout::Slot))) return fail("process_vm_readv slots");
    // Seqlock: a slot is good once its copy has an even seq equal to a second read's.
    for (std::size_t i = 0; i < n; ++i) {
        bool ok = false;
        for (int attempt = 0; attempt < 100 && !ok; ++attempt) {
            const std::uint32_t s1 = raw[i].seq.load(std::memory_order_relaxed);
            layout::Slot again;
            if (!copy_from(pid, t.start + h.slots_offset + i * sizeof(layout::Slot), &again, sizeof again))
                return fail("process_vm_readv slot");
            const std::uint32_t s2 = again.seq.load(std::memory_order_relaxed);
            if (s1 % 2 == 0 && s1 == s2) {
                ok = true;
            } else {
                std::memcpy(static_cast<void*>(&raw[i]), &again, sizeof again);
            }
        }
        if (!ok) return fail("slot " + std::to_string(i) + " unstable");
    }
    t.slots = std::move(raw);
    t.arena.resize(used);
    if (used && !copy_from(pid, t.start + h.arena_offset, t.arena.data(), used)) return fail("process_vm_readv arena");
    return t;
}

std::map<int, const layout::Slot*> open_slots(const Table& t) {
    std::map<int, const layout::Slot*> out;
    for (std::size_t i = 0; i < t.slots.size(); ++i)
        if (t.slots[i].state == static_cast<std::uint8_t>(layout::SlotState::Open)) out[static_cast<int>(i)] = &t.slots[i];
    return out;
}

std::optional<std::vector<std::uint64_t>> stack_of(const Table& t, layout::StackRef ref) {
    if (ref == 0) return std::vector<std::uint64_t>{};
    const std::uint64_t off = (static_cast<std::uint64_t>(ref) - 1) * 8;
    if (off + sizeof(layout::StackRecord) > t.arena.size()) return std::nullopt;
    layout::StackRecord rec;
    std::memcpy(&rec, t.arena.data() + off, sizeof rec);
    if (rec.depth > layout::kMaxDepth) return std::nullopt;
    const std::uint64_t end = off + sizeof rec + std::uint64_t{rec.depth} * 8;
    if (end > t.arena.size()) return std::nullopt;
    std::vector<std::uint64_t> pcs(rec.depth);
    std::memcpy(pcs.data(), t.arena.data() + off + sizeof rec, pcs.size() * 8);
    return pcs;
}

}  // namespace fdscope::test::preload
