// C++ names as people read them.
#pragma once
#include <string>
#include <string_view>

namespace fdscope::symbolize {

// "_ZN2ns1fEi" -> "ns::f(int)"; anything that is not an Itanium-mangled
// name (C functions, "main", already readable text) comes back unchanged.
//
// abi::__cxa_demangle rather than libdw: libdw 0.188 has no public
// demangler (eu-addr2line -C calls __cxa_demangle itself), and the C++
// runtime we link anyway is the authority on the ABI it mangles for.
std::string demangle(std::string_view name);

}  // namespace fdscope::symbolize
