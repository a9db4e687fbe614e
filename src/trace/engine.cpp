#include "trace/engine.hpp"

namespace fdscope::trace {

std::string_view engine_name(EngineKind k) {
    switch (k) {
    case EngineKind::Ptrace: return "ptrace";
    case EngineKind::Bpf: return "bpf";
    case EngineKind::Preload: return "preload";
    }
    return "ptrace";
}

}  // namespace fdscope::trace
