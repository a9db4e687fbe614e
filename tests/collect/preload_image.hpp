// A preload table built by hand in a buffer (sys/preload_layout.hpp), for
// the parser tests: a valid table to start from, then scribbled on.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <new>
#include <span>
#include <vector>

#include "sys/preload_layout.hpp"

namespace fdscope::test {

namespace pl = sys::preload;

struct PreloadImage {
    static constexpr std::uint32_t kSlots = 32;
    static constexpr std::uint64_t kSlotsAt = 256;
    static constexpr std::uint64_t kIndexAt = kSlotsAt + kSlots * sizeof(pl::Slot);
    static constexpr std::uint64_t kArenaAt = (kIndexAt + 64 * 4 + 63) / 64 * 64;
    static constexpr std::uint64_t kArenaBytes = 2048;
    static constexpr std::uint64_t kIncidentsAt = kArenaAt + kArenaBytes;
    static constexpr std::uint64_t kTotal = kIncidentsAt + 4 * sizeof(pl::Incident);

    std::vector<std::byte> bytes = std::vector<std::byte>(kTotal);

    PreloadImage() {
        auto* h = new (bytes.data()) pl::TableHeader{};
        h->magic = pl::kMagic;
        h->version = pl::kVersion;
        h->header_bytes = sizeof(pl::TableHeader);
        h->total_bytes = kTotal;
        h->slot_bytes = sizeof(pl::Slot);
        h->slot_count = kSlots;
        h->slots_offset = kSlotsAt;
        h->index_offset = kIndexAt;
        h->index_buckets = 64;
        h->max_depth = pl::kMaxDepth;
        h->arena_offset = kArenaAt;
        h->arena_bytes = kArenaBytes;
        h->pid = 4242;
        h->realtime_offset_ns = 1'700'000'000'000'000'000;
        h->incidents_offset = kIncidentsAt;
        h->incident_capacity = 4;
        h->log_fd = -1;
        h->placeholder_fd = -1;
        h->unwind_fds[0] = h->unwind_fds[1] = -1;
        for (std::uint32_t i = 0; i < kSlots; ++i) new (&slot(static_cast<int>(i))) pl::Slot{};
    }
    PreloadImage(const PreloadImage&) = delete;

    pl::TableHeader& header() { return *reinterpret_cast<pl::TableHeader*>(bytes.data()); }
    pl::Slot& slot(int fd) { return reinterpret_cast<pl::Slot*>(bytes.data() + kSlotsAt)[fd]; }

    pl::StackRef add_stack(std::initializer_list<std::uint64_t> pcs) {
        const std::uint64_t used = header().arena_used.load();
        auto* rec = reinterpret_cast<pl::StackRecord*>(bytes.data() + kArenaAt + used);
        rec->hash = 1;
        rec->depth = static_cast<std::uint16_t>(pcs.size());
        std::memcpy(rec + 1, std::data(pcs), pcs.size() * 8);
        header().arena_used.store(used + 8 + pcs.size() * 8);
        return static_cast<pl::StackRef>(used / 8 + 1);
    }
    pl::StackRecord& record(pl::StackRef ref) {
        return *reinterpret_cast<pl::StackRecord*>(bytes.data() + kArenaAt + (ref - 1) * 8);
    }

    void open_slot(int fd, pl::CreateOp op, pl::StackRef stack, std::uint16_t flags = 0, std::int32_t creator = 4242,
                   pl::SlotState state = pl::SlotState::Open) {
        pl::Slot& s = slot(fd);
        s.seq.store(s.seq.load() + 2);
        s.state = static_cast<std::uint8_t>(state);
        s.op = static_cast<std::uint8_t>(op);
        s.flags = flags;
        s.creator_pid = creator;
        s.tid = 4243;
        s.stack = stack;
        s.time_ns = 5'000'000'000;
    }
};

}  // namespace fdscope::test
