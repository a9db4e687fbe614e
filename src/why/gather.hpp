// Gathering every fact `fdscope why` judges, for one operation and one
// subject: the subject's credentials and context, the walk of its paths in
// its mount namespace, the mounts, the machine's sysctls, and the other
// processes that matter (holders).
#pragma once
#include <optional>
#include <string>
#include <sys/types.h>

#include "model/why_facts.hpp"

namespace fdscope::why {

struct SubjectSpec {
    SubjectKind kind = SubjectKind::Caller;
    std::string user;   // SubjectKind::User: a name or a uid
    pid_t pid = 0;      // SubjectKind::Process
    pid_t tid = 0;      // --as-thread; 0: the process's main thread
};

struct GatherError {
    std::string message;  // "no process 42", "no user 'bob'"
    bool usage = false;   // the question itself is wrong (exit 2), else it cannot be answered (exit 1)
};

// nullopt with `error` when the subject does not exist or cannot be read at
// all; facts that cannot be read are listed in Facts::unreadable instead.
std::optional<Facts> gather(const Operation& op, const SubjectSpec& spec, GatherError& error);

}  // namespace fdscope::why
