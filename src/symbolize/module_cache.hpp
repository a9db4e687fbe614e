// ELF files opened for offline lookups, cached by build-id: the frames of
// a process that has exited resolve against any copy of the file whose
// build-id matches, however many frames name it.
#pragma once
#include <map>
#include <string>

#include "model/stack.hpp"
#include "symbolize/dwfl_session.hpp"

namespace fdscope::symbolize {

struct OfflineModule {
    DwflPtr session;             // this ELF alone, reported at address 0
    Dwfl_Module* mod = nullptr;  // owned by session
    Dwarf_Addr bias = 0;         // session address = ELF vaddr + bias
    std::string path;
};

class ModuleCache {
public:
    // The module holding the frame, or nullptr when no file matches: the
    // frame's path when its build-id matches (or the frame has none), else
    // /usr/lib/debug/.build-id/xx/rest.debug. A miss is cached too.
    const OfflineModule* find(const RawFrame& frame);

private:
    std::map<std::string, OfflineModule> modules_;  // by build-id hex, or "path:" + path without one
};

// Reports the ELF at `path` in a session of its own; nullptr-module on failure.
OfflineModule open_offline_module(const std::string& path);

}  // namespace fdscope::symbolize
