// The judgement of `fdscope why`: one Check per thing the kernel looks at,
// in the kernel's order for the operation, and the verdict they add up to.
// Layer names are the JSON contract (docs/json.md).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/why_facts.hpp"

namespace fdscope::report::why {

using fdscope::why::Facts;
using fdscope::why::Holder;

// "path", "search", "mode", "acl", "capability", "attribute", "mount",
// "sticky", "protected", "lsm", "seccomp", "space", "quota", "limit",
// "busy", "cgroup", "filesystem", "fd".
enum class Layer {
    Path, Search, Mode, Acl, Capability, Attribute, Mount, Sticky, Protected,
    Lsm, Seccomp, Space, Quota, Limit, Busy, Cgroup, Filesystem, Fd,
};
std::string_view layer_name(Layer layer);

enum class Result {
    Pass,     // this check lets the operation through
    Fail,     // the kernel refuses here (error says with what)
    Skip,     // does not apply to this operation or object
    Unknown,  // a needed fact is missing, or a layer fdscope cannot evaluate may apply
    Note,     // not a failure but worth saying (setuid ignored, writes will block in reclaim)
};
std::string_view result_name(Result result);

struct Check {
    Layer layer = Layer::Path;
    std::string path;            // what it is about: a path, "fd 5", "127.0.0.1:80", "" for the process
    Result result = Result::Pass;
    int error = 0;               // Fail: the errno the kernel returns
    std::string detail;          // the facts used, in one line
    std::string explain;         // Fail/Unknown: one sentence a person can act on
    std::string fix;             // Fail: the command or setting that fixes it
    std::vector<Holder> holders; // the other processes that are the cause
};

enum class Outcome { Allowed, Denied, Unknown };
std::string_view outcome_name(Outcome outcome);

// What the kernel said when fdscope asked it (the probe).
struct Tried {
    int error = 0;               // 0: the probe succeeded
    bool agrees = true;
    std::string how;             // "probe child: open O_RDONLY|O_NONBLOCK", "in target thread 4243"
    bool exact = false;          // made by the subject itself (--in-target): every layer applied
    int signal = 0;              // the attempt was killed by this signal (SIGSYS: seccomp KILL or TRAP)
    std::string not_reproduced;  // what the probe could not copy of the subject, "; " between items
    // The probe stood in for the final name (mkdir of a random name,
    // O_TMPFILE, an open without O_CREAT): checks of that name itself
    // (EEXIST, its length, protected_*, sticky) were not asked.
    std::string stand_in_for;
};

struct Verdict {
    Outcome outcome = Outcome::Allowed;
    int error = 0;               // the errno the kernel reports first; 0 when allowed
    std::vector<Check> checks;   // every check, in the kernel's order
    std::vector<std::size_t> blocking;  // indices into checks of every Fail, first = the kernel's
    std::vector<std::string> unknowns;  // why the outcome is Unknown (facts unread, unseen layers, probe disagreement)
    std::optional<Tried> tried;
};

// The verdict checks add up to: the first Fail decides; an Unknown before
// it (or with no Fail at all) makes the outcome Unknown.
Verdict verdict_from(std::vector<Check> checks, const Facts& facts);

}  // namespace fdscope::report::why
