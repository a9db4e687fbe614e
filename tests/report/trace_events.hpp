// Test helper: hand-built trace event sequences for the ledger, the report
// and the view, one millisecond apart from `start_ns`.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/event.hpp"

namespace fdscope::testing {

struct TraceEvents {
    std::uint64_t start_ns = 0;
    std::vector<FdEvent> list;

    // The returned reference is valid until the next event is added.
    FdEvent& add(Op op, std::int32_t pid, std::int32_t tid = 0, FdTableId table = 1) {
        FdEvent e;
        e.op = op;
        e.pid = pid;
        e.tid = tid ? tid : pid;
        e.table = table;
        e.time_ns = start_ns + list.size() * 1'000'000;
        list.push_back(e);
        return list.back();
    }
    FdEvent& create(Op op, int fd, StackId stack, Kind kind, std::string name, std::int32_t pid = 100,
                    std::int32_t tid = 0, FdTableId table = 1) {
        FdEvent& e = add(op, pid, tid, table);
        e.fd = fd;
        e.result = fd;
        e.stack = stack;
        e.kind = kind;
        e.name = std::move(name);
        return e;
    }
    FdEvent& close(int fd, StackId stack, std::int32_t tid = 100, int error = 0) {
        FdEvent& e = add(Op::Close, 100, tid);
        e.fd = fd;
        e.stack = stack;
        e.error = error;
        return e;
    }
};

}  // namespace fdscope::testing
