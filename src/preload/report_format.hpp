// The pure parts of the FDSCOPE_REPORT writer (report_writer.hpp): a JSON
// writer into caller-owned memory, the maps-line parser that turns a pc
// into module + file offset, and the grouping of fds by creation stack.
// No allocation, no syscalls, no exceptions: they run inside the traced
// process, possibly in a signal handler, and the unit tests and the fuzz
// target (fuzz/fuzz_preload_maps.cpp) call them directly.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fdscope::preload {

// Bytes appended to caller-owned memory. When an append does not fit, the
// grow hook (if any) is asked for at least `need` bytes of capacity; without
// one, or when it fails, the writer is marked failed and ignores the rest.
class JsonOut {
public:
    using Grow = bool (*)(JsonOut& out, std::size_t need, void* context) noexcept;
    JsonOut(char* data, std::size_t capacity, Grow grow = nullptr, void* context = nullptr) noexcept
        : data_(data), capacity_(capacity), grow_(grow), context_(context) {}

    void raw(const char* s, std::size_t n) noexcept;
    void raw(const char* s) noexcept;  // NUL-terminated
    void ch(char c) noexcept { raw(&c, 1); }
    void unsigned_number(std::uint64_t v) noexcept;
    void signed_number(std::int64_t v) noexcept;
    // Nanoseconds as seconds with six decimals ("12.000345").
    void seconds(std::uint64_t ns) noexcept;
    // A JSON string, quotes included, escaped as fdscope escapes names
    // (render/escape.cpp's append_json_string, docs/json.md): valid UTF-8
    // kept; \" \\ \n \t \r \b \f; other control bytes, DEL and C1 controls
    // as \u00XX; a byte that is not valid UTF-8 as the text \xHH (in JSON
    // source "\\xHH"). Returns true when such a byte was written (the
    // caller adds "name_escaped": true).
    bool string(const char* s, std::size_t n) noexcept;
    // "key": (with the comma before it unless first)
    void key(const char* k, bool first = false) noexcept;

    // The grow hook hands in new memory (contents up to size() copied by it).
    void reset_memory(char* data, std::size_t capacity) noexcept {
        data_ = data;
        capacity_ = capacity;
    }
    char* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return capacity_; }
    bool failed() const noexcept { return failed_; }

private:
    bool reserve(std::size_t more) noexcept;
    char* data_;
    std::size_t capacity_;
    std::size_t size_ = 0;
    bool failed_ = false;
    Grow grow_;
    void* context_;
};

// Length of the valid UTF-8 sequence at s[i] (overlong forms, surrogates
// and code points above U+10FFFF are invalid), 0 when none starts there.
std::size_t utf8_sequence(const char* s, std::size_t n, std::size_t i, std::uint32_t& cp) noexcept;

// One line of /proc/PID/maps: "start-end perms offset dev inode   path".
// `path` points into the line (not NUL-terminated), empty for anonymous
// mappings; the kernel escapes a newline in a path as "\012", so lines
// split on '\n'.
struct MapsLine {
    std::uint64_t start = 0, end = 0, offset = 0;
    bool executable = false;
    const char* path = nullptr;
    std::size_t path_len = 0;
};
// False when the line is not one (then `out` is unspecified).
bool parse_maps_line(const char* line, std::size_t n, MapsLine& out) noexcept;

// A file-backed executable mapping, as the frame lookup keeps it.
struct Module {
    std::uint64_t start = 0, end = 0, offset = 0;
    const char* path = nullptr;
    std::size_t path_len = 0;
};
// The executable file-backed mappings of a maps text, in its order
// (ascending, as the kernel writes them), at most `capacity`. Returns how
// many were stored; lines that are not maps lines are skipped.
std::size_t parse_modules(const char* text, std::size_t n, Module* out, std::size_t capacity) noexcept;
// The module covering pc in `mods` (ascending, non-overlapping), or nullptr.
const Module* find_module(const Module* mods, std::size_t count, std::uint64_t pc) noexcept;

// One open fd to be grouped: its creation stack (a StackRef of the table,
// 0 = none), whether a fork parent made it, its fd number and its slot.
struct GroupKey {
    std::uint32_t stack = 0;
    bool inherited = false;
    std::int32_t fd = 0;
    std::uint32_t index = 0;  // the caller's: where its facts of this fd are
};
// Sorts so that each group (same stack, same inherited) is one run, fds
// ascending inside it; in place, no allocation.
void sort_group_keys(GroupKey* keys, std::size_t n) noexcept;
// Where the group that starts at `from` ends.
std::size_t group_end(const GroupKey* keys, std::size_t n, std::size_t from) noexcept;

// A group as a run of sorted keys.
struct GroupRun {
    std::uint32_t from = 0, count = 0;
};
// The runs of sorted `keys` into `runs` (capacity n is always enough),
// most fds first, then by stack and fd: the order the report lists them.
std::size_t group_runs(const GroupKey* keys, std::size_t n, GroupRun* runs) noexcept;

// "report.%p" with every %p as `pid` into out (NUL-terminated); false when
// it does not fit.
bool expand_path(const char* templ, int pid, char* out, std::size_t capacity) noexcept;

}  // namespace fdscope::preload
