#include "symbolize/demangle.hpp"

#include <cstdlib>
#include <cxxabi.h>
#include <memory>

namespace fdscope::symbolize {

std::string demangle(std::string_view name) {
    if (!name.starts_with("_Z")) return std::string(name);
    std::string mangled(name);  // __cxa_demangle wants a NUL-terminated string
    int status = 0;
    std::unique_ptr<char, decltype(&std::free)> out(abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status),
                                                    &std::free);
    return status == 0 && out ? std::string(out.get()) : mangled;
}

}  // namespace fdscope::symbolize
