#include <optional>
#include <set>
#include <string>
#include <sys/ptrace.h>

#include "trace/dwarf_unwind.hpp"
#include "trace/stack_window.hpp"
#include "trace/stacks.hpp"

namespace fdscope::trace {

Registers registers_from(const user_regs_struct& r) {
    Registers out;
    out.ip = r.rip, out.sp = r.rsp, out.bp = r.rbp;
    out.dwarf = {r.rax, r.rdx, r.rcx, r.rbx, r.rsi, r.rdi, r.rbp, r.rsp,
                 r.r8,  r.r9,  r.r10, r.r11, r.r12, r.r13, r.r14, r.r15, r.rip};
    out.full = true;
    return out;
}

std::optional<Registers> read_registers(pid_t tid) {
    user_regs_struct r{};
    if (ptrace(PTRACE_GETREGS, tid, nullptr, &r) != 0) return std::nullopt;
    return registers_from(r);
}

struct Unwinder::State {
    UnwindMethod method = UnwindMethod::Auto;
    StackWindow memory;
    DwarfUnwinder dwarf;
    std::set<std::string> truncating;
};

namespace {

// The frame-pointer walk's result: the frames, and where it stopped early.
struct FpWalk {
    std::vector<RawFrame> frames;
    // The module without frame pointers the walk could not pass ("" for
    // code outside every file: JIT, vdso).
    std::optional<std::string> stopped_in;
};

// Frame 0 is the interrupted pc. At a syscall stop that is a glibc wrapper,
// which (on Debian 12) has no frame of its own: a leaf, so its return
// address is the word at sp and rbp still holds the caller's frame. A
// module with frame pointers at pc has pushed its frame: rbp leads on.
FpWalk walk_frame_pointers(pid_t pid, const Registers& regs, unsigned depth, ModuleMap& modules, StackWindow& mem) {
    FpWalk w;
    w.frames.push_back(modules.frame(pid, regs.ip, false));
    const Mapping* owner = modules.mapping(pid, regs.ip);  // the module of the function owning rbp's frame
    if (!owner || !owner->has_frame_pointers) {
        auto ret = mem.word(regs.sp);
        const Mapping* caller = ret ? modules.mapping(pid, *ret) : nullptr;
        if (!caller) {
            // `owner` may have moved with the maps re-read for *ret.
            const Mapping* m = modules.mapping(pid, regs.ip);
            w.stopped_in = m ? m->path : "";
            return w;
        }
        if (w.frames.size() < depth) w.frames.push_back(modules.frame(pid, *ret, true));
        owner = caller;
    }
    std::uint64_t fp = regs.bp, floor = regs.sp;
    while (w.frames.size() < depth) {
        if (!owner->has_frame_pointers) {
            w.stopped_in = owner->path;
            break;
        }
        // A frame lies above the one it called, 16-byte pairs of saved rbp
        // and return address; anything else is not a frame chain.
        if (fp < floor || fp % 8 != 0) break;
        auto next = mem.word(fp), ret = mem.word(fp + 8);
        if (!next || !ret || *ret == 0) break;
        const Mapping* m = modules.mapping(pid, *ret);
        if (!m) break;
        w.frames.push_back(modules.frame(pid, *ret, true));
        owner = m;
        floor = fp + 16;
        fp = *next;
    }
    return w;
}

}  // namespace

Unwinder::Unwinder() : Unwinder(UnwindMethod::Auto) {}
Unwinder::Unwinder(UnwindMethod method) : state_(std::make_unique<State>()) { state_->method = method; }
Unwinder::~Unwinder() = default;

std::vector<RawFrame> Unwinder::unwind(pid_t pid, pid_t tid, const Registers& regs, unsigned depth, ModuleMap& modules) {
    State& st = *state_;
    if (depth == 0 || regs.ip == 0) return {};
    st.memory.reset(pid);
    const auto dwarf = [&]() -> std::vector<RawFrame> {
        std::optional<Registers> full = regs.full ? std::optional<Registers>(regs) : read_registers(tid);
        if (!full) return {};
        std::string truncated_at;
        auto frames = st.dwarf.unwind(pid, tid, *full, depth, modules, st.memory, truncated_at);
        if (!truncated_at.empty()) st.truncating.insert(truncated_at);
        return frames;
    };
    if (st.method == UnwindMethod::Dwarf) return dwarf();

    FpWalk w = walk_frame_pointers(pid, regs, depth, modules, st.memory);
    // The code that made the call (frame 1, or the interrupted one) lacks
    // frame pointers: the walk says nothing of its callers, CFI does. A
    // walk that got that far and stops deeper (in libc's start code, say)
    // keeps what it has: the caller that matters is named.
    if (st.method == UnwindMethod::Auto && w.stopped_in && w.frames.size() <= 2) {
        auto frames = dwarf();
        if (frames.size() > w.frames.size()) return frames;
    }
    if (w.stopped_in && !w.stopped_in->empty() && w.frames.size() < depth) st.truncating.insert(*w.stopped_in);
    return std::move(w.frames);
}

void Unwinder::forget(pid_t pid) { state_->dwarf.forget(pid); }

std::vector<std::string> Unwinder::truncating_modules() const {
    return {state_->truncating.begin(), state_->truncating.end()};
}

}  // namespace fdscope::trace
