// The path facts of an operation: its walks in the subject's view and the
// mounts they went through.
#pragma once
#include <string>

#include "model/why_facts.hpp"

namespace fdscope::why {

// Where fdscope reaches the subject's filesystem view from: its root and
// cwd (magic links into its mount namespace for a process) and its
// mountinfo.
struct SubjectView {
    std::string root, cwd, mountinfo;
};
SubjectView subject_view(const Subject& subject);

// Fills facts.walk (OLD for rename/link, the link's PATH for symlink; the
// TARGET of a symlink is never resolved), facts.walk2 (NEW for rename and
// link) and facts.mounts (every mount the walks touched), as
// facts.subject sees them; what could not be read goes to
// facts.unreadable. Operations without a path (bind inet, read, write)
// leave them empty.
void gather_path_facts(Facts& facts);

}  // namespace fdscope::why
