// What `fdscope --version` says: which fdscope this is and what it can read.
#pragma once
#include <string>

namespace fdscope::cli {

// "fdscope 0.1.0\nrevision: 67c8961a2b3c\nbackends: bpf procfs": the project
// version, the git revision it was built from ("unknown" when the source
// had no git metadata; "-dirty" when it had uncommitted changes), and the
// backends compiled in.
std::string version_text();

}  // namespace fdscope::cli
