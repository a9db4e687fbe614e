#include "symbolize/dwfl_session.hpp"

namespace fdscope::symbolize {
namespace {

// libdwfl keeps the pointer for the session's life: static storage.
char* g_debuginfo_path = nullptr;

const Dwfl_Callbacks kProcessCallbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = nullptr,
    .debuginfo_path = &g_debuginfo_path,
};

const Dwfl_Callbacks kOfflineCallbacks = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = &g_debuginfo_path,
};

}  // namespace

DwflPtr process_session() { return DwflPtr(dwfl_begin(&kProcessCallbacks)); }
DwflPtr offline_session() { return DwflPtr(dwfl_begin(&kOfflineCallbacks)); }

std::string dwfl_error() {
    const char* msg = dwfl_errmsg(-1);
    return msg ? msg : "unknown libdwfl error";
}

BuildId module_build_id(Dwfl_Module* mod) {
    const unsigned char* bits = nullptr;
    GElf_Addr vaddr = 0;
    int len = dwfl_module_build_id(mod, &bits, &vaddr);
    if (len <= 0 || !bits) return {};
    auto id = build_id_from_bytes({bits, static_cast<std::size_t>(len)});
    return id ? *id : BuildId{};
}

std::string module_path(Dwfl_Module* mod) {
    const char* name = dwfl_module_info(mod, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
    return name ? name : "";
}

}  // namespace fdscope::symbolize
