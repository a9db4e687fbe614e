#include "report/why/capability_names.hpp"

#include <sys/capability.h>

#include <cctype>

namespace fdscope::report::why {

std::string capability_name(unsigned bit) {
    char* n = cap_to_name(static_cast<cap_value_t>(bit));
    std::string out = n ? n : "";
    if (n) cap_free(n);
    if (out.empty()) return "CAP_" + std::to_string(bit);
    // libcap spells them "cap_dac_override"; unknown bits come back as the number.
    if (std::isdigit(static_cast<unsigned char>(out[0]))) return "CAP_" + out;
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

std::vector<std::string> capability_names(std::uint64_t mask) {
    std::vector<std::string> out;
    for (unsigned bit = 0; bit < 64; ++bit)
        if (mask & (std::uint64_t{1} << bit)) out.push_back(capability_name(bit));
    return out;
}

}  // namespace fdscope::report::why
