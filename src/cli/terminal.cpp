#include "cli/terminal.hpp"

#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/ioctl.h>
#include <unistd.h>

namespace fdscope::cli {

std::size_t terminal_width() {
    // A pipe or a file is never cut, whatever COLUMNS says: a shell exports
    // it to every child, scripts included.
    if (!::isatty(1)) return 0;
    if (const char* c = std::getenv("COLUMNS"); c && *c) {
        long v = std::strtol(c, nullptr, 10);
        if (v > 0) return static_cast<std::size_t>(v);
    }
    struct winsize ws {};
    if (::ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
}

bool use_color() {
    // no-color.org: only a non-empty NO_COLOR disables colour.
    if (const char* nc = std::getenv("NO_COLOR"); nc && *nc) return false;
    const char* term = std::getenv("TERM");
    if (term && std::strcmp(term, "dumb") == 0) return false;
    return ::isatty(1) != 0;
}

}  // namespace fdscope::cli
