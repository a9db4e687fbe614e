#include "sys/proc_path.hpp"

#include <charconv>

namespace fdscope::sys {
namespace {

char* append(char* p, char* end, const char* s) {
    while (*s && p < end) *p++ = *s++;
    return p;
}

}  // namespace

ProcPath::ProcPath(std::int64_t n) { *std::to_chars(text, text + sizeof text - 1, n).ptr = 0; }

ProcPath::ProcPath(pid_t pid, pid_t tid, const char* rest) {
    char* end = text + sizeof text - 1;
    char* p = std::to_chars(text, end, pid).ptr;
    if (tid) p = std::to_chars(append(p, end, "/task/"), end, tid).ptr;
    p = append(p, end, "/");
    *append(p, end, rest) = 0;
}

}  // namespace fdscope::sys
