#include "trace/dwarf_unwind.hpp"

#include <dwarf.h>
#include <elfutils/libdwfl.h>

#include "symbolize/dwfl_session.hpp"

namespace fdscope::trace {

// What the thread callbacks see of the unwind in progress: libdwfl hands
// the same pointer to every callback of the session.
struct DwarfUnwinder::Session {
    symbolize::DwflPtr dwfl;
    const Registers* regs = nullptr;
    StackWindow* memory = nullptr;
};

namespace {

using Session = DwarfUnwinder::Session;

pid_t no_thread_list(Dwfl*, void*, void**) { return 0; }  // we name the thread, never iterate

bool get_thread(Dwfl*, pid_t, void* dwfl_arg, void** thread_arg) {
    *thread_arg = dwfl_arg;
    return true;
}

bool memory_read(Dwfl*, Dwarf_Addr addr, Dwarf_Word* result, void* dwfl_arg) {
    auto* s = static_cast<Session*>(dwfl_arg);
    auto w = s->memory->word(addr);
    if (!w) return false;
    *result = *w;
    return true;
}

bool set_initial_registers(Dwfl_Thread* thread, void* thread_arg) {
    auto* s = static_cast<Session*>(thread_arg);
    const auto& r = s->regs->dwarf;
    if (!dwfl_thread_state_registers(thread, 0, static_cast<unsigned>(r.size()), r.data())) return false;
    dwfl_thread_state_register_pc(thread, s->regs->ip);
    return true;
}

const Dwfl_Thread_Callbacks kCallbacks = {
    .next_thread = no_thread_list,
    .get_thread = get_thread,
    .memory_read = memory_read,
    .set_initial_registers = set_initial_registers,
    .detach = nullptr,
    .thread_detach = nullptr,
};

struct Walk {
    pid_t pid;
    unsigned depth;
    ModuleMap* modules;
    std::vector<RawFrame> frames;
};

int on_frame(Dwfl_Frame* frame, void* arg) {
    auto* w = static_cast<Walk*>(arg);
    Dwarf_Addr pc = 0;
    bool activation = false;
    if (!dwfl_frame_pc(frame, &pc, &activation)) return DWARF_CB_ABORT;
    // An activation is the interrupted instruction itself (the innermost
    // frame, or a signal frame); every other pc is a return address.
    w->frames.push_back(w->modules->frame(w->pid, pc, !activation));
    return w->frames.size() >= w->depth ? DWARF_CB_ABORT : DWARF_CB_OK;
}

}  // namespace

DwarfUnwinder::DwarfUnwinder() = default;
DwarfUnwinder::~DwarfUnwinder() = default;

DwarfUnwinder::Session* DwarfUnwinder::session(pid_t pid, std::uint64_t ip) {
    auto it = sessions_.find(pid);
    // A pc outside every module the session knows: a dlopen (or an exec
    // not forgotten yet) since it was made; make a new one.
    if (it != sessions_.end() && dwfl_addrmodule(it->second->dwfl.get(), ip)) return it->second.get();
    auto s = std::make_unique<Session>();
    s->dwfl = symbolize::process_session();
    if (!s->dwfl) return nullptr;
    dwfl_report_begin(s->dwfl.get());
    if (dwfl_linux_proc_report(s->dwfl.get(), pid) != 0) return nullptr;
    if (dwfl_report_end(s->dwfl.get(), nullptr, nullptr) != 0) return nullptr;
    if (!dwfl_attach_state(s->dwfl.get(), nullptr, pid, &kCallbacks, s.get())) return nullptr;
    Session* raw = s.get();
    sessions_[pid] = std::move(s);
    return raw;
}

std::vector<RawFrame> DwarfUnwinder::unwind(pid_t pid, pid_t tid, const Registers& regs, unsigned depth,
                                            ModuleMap& modules, StackWindow& memory, std::string& truncated_at) {
    truncated_at.clear();
    if (depth == 0) return {};
    Session* s = session(pid, regs.ip);
    if (!s) return {};
    s->regs = &regs;
    s->memory = &memory;
    Walk walk{pid, depth, &modules, {}};
    int rc = dwfl_getthread_frames(s->dwfl.get(), tid, on_frame, &walk);
    // -1 with frames short of `depth`: the CFI (or the memory it needs)
    // ran out before the outermost frame, whose return address CFI marks
    // undefined (that ends the walk with 0).
    if (rc == -1 && walk.frames.size() < depth && !walk.frames.empty()) truncated_at = walk.frames.back().module;
    s->regs = nullptr;
    s->memory = nullptr;
    return walk.frames;
}

void DwarfUnwinder::forget(pid_t pid) { sessions_.erase(pid); }

}  // namespace fdscope::trace
