#include "sys/command_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace fdscope::sys {

namespace {

bool runnable(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string default_path() {
    const std::size_t n = ::confstr(_CS_PATH, nullptr, 0);
    if (n == 0) return "/bin:/usr/bin";
    std::string s(n, '\0');
    ::confstr(_CS_PATH, s.data(), n);
    s.resize(n - 1);
    return s;
}

}  // namespace

std::string command_path(const std::string& name, std::string_view search_path) {
    if (name.empty() || name.find('/') != std::string::npos) return name;
    std::size_t start = 0;
    while (start <= search_path.size()) {
        std::size_t end = search_path.find(':', start);
        if (end == std::string_view::npos) end = search_path.size();
        const std::string_view dir = search_path.substr(start, end - start);
        const std::string candidate = (dir.empty() ? std::string(".") : std::string(dir)) + "/" + name;
        if (runnable(candidate)) return candidate;
        start = end + 1;
    }
    return name;
}

std::string command_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    return command_path(name, path ? std::string_view(path) : std::string_view(default_path()));
}

}  // namespace fdscope::sys
