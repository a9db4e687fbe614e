#include "symbolize/module_cache.hpp"

#include <vector>

namespace fdscope::symbolize {
namespace {

std::string cache_key(const RawFrame& frame) {
    return frame.build_id.empty() ? "path:" + frame.module : build_id_hex(frame.build_id);
}

// Where distributions install separate debug files (and full ELFs, with
// debuginfod or a debug package), by build-id.
std::string debug_store_path(const BuildId& id) {
    std::string hex = build_id_hex(id);
    return "/usr/lib/debug/.build-id/" + hex.substr(0, 2) + "/" + hex.substr(2) + ".debug";
}

}  // namespace

OfflineModule open_offline_module(const std::string& path) {
    OfflineModule m;
    m.session = offline_session();
    if (!m.session) return m;
    // add_p_vaddr = false: the session's addresses are the file's own vaddrs (bias 0 for PIE).
    Dwfl_Module* mod = dwfl_report_elf(m.session.get(), path.c_str(), path.c_str(), -1, 0, false);
    dwfl_report_end(m.session.get(), nullptr, nullptr);
    if (!mod || !dwfl_module_getelf(mod, &m.bias)) return m;
    m.mod = mod;
    m.path = path;
    return m;
}

const OfflineModule* ModuleCache::find(const RawFrame& frame) {
    std::string key = cache_key(frame);
    if (auto it = modules_.find(key); it != modules_.end()) return it->second.mod ? &it->second : nullptr;

    std::vector<std::string> candidates;
    if (!frame.module.empty()) candidates.push_back(frame.module);
    if (!frame.build_id.empty()) candidates.push_back(debug_store_path(frame.build_id));
    OfflineModule found;
    for (const std::string& path : candidates) {
        OfflineModule m = open_offline_module(path);
        if (m.mod && (frame.build_id.empty() || module_build_id(m.mod) == frame.build_id)) {
            found = std::move(m);
            break;
        }
    }
    auto& slot = modules_[key] = std::move(found);
    return slot.mod ? &slot : nullptr;
}

}  // namespace fdscope::symbolize
