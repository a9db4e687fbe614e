#include "report/trace_classes.hpp"

#include <array>

namespace fdscope::report {
namespace {

constexpr std::array<std::string_view, 8> kNames = {"open", "socket", "pipe", "dup", "close", "exec", "pass", "all"};

// The class an op is printed under (All for the reconciliation events).
EventClass class_of(Op op) {
    switch (op) {
        case Op::Socket:
        case Op::Socketpair:
        case Op::Accept:
        case Op::Accept4: return EventClass::Socket;
        case Op::Pipe:
        case Op::Pipe2: return EventClass::Pipe;
        case Op::RecvmsgRights:
        case Op::PidfdGetfd: return EventClass::Pass;
        case Op::Present:
        case Op::Reconcile:
        case Op::Lost: return EventClass::All;
        default: break;
    }
    switch (op_class(op)) {
        case OpClass::Create: return EventClass::Open;
        case OpClass::Duplicate: return EventClass::Dup;
        case OpClass::Close:
        case OpClass::Reflag: return EventClass::Close;
        case OpClass::Process: return EventClass::Exec;
        case OpClass::Meta: return EventClass::All;
    }
    return EventClass::All;
}

}  // namespace

std::optional<EventClass> event_class_from_name(std::string_view name) {
    for (std::size_t i = 0; i < kNames.size(); ++i)
        if (kNames[i] == name) return static_cast<EventClass>(i);
    return std::nullopt;
}

std::string_view event_class_name(EventClass c) { return kNames[static_cast<std::size_t>(c)]; }

bool in_class(Op op, EventClass c) {
    if (c == EventClass::All || op == Op::Lost) return true;
    return class_of(op) == c;
}

}  // namespace fdscope::report
