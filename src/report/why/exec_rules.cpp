#include "report/why/exec_rules.hpp"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "report/why/busy_rules.hpp"
#include "report/why/check_make.hpp"
#include "report/why/inode_permission.hpp"
#include "report/why/inode_type.hpp"
#include "report/why/mount_rules.hpp"
#include "report/why/walk_rules.hpp"

namespace fdscope::report::why {

// After the checks, the binfmt search (fs/exec.c bprm_execve): a script's
// #! interpreter is opened like a program (missing: ENOENT, the classic
// "#!/bin/sh\r" of a file with CRLF line ends), an ELF program's
// PT_INTERP too; a file that is neither is ENOEXEC.
namespace {

Check exec_format_check(const Facts& facts, const std::string& path) {
    using Kind = fdscope::why::ExecFormat::Kind;
    const auto& f = facts.exec_format;
    switch (f.kind) {
    case Kind::Unread:
        return skipped(Layer::Path, path, f.unread.empty() ? "the file's format was not read" : "format not read: " + f.unread);
    case Kind::Other:
        return failed(Layer::Path, path, ENOEXEC, "neither an ELF program nor a #! script",
                      fmt::format("{} is not in a format the kernel runs (no ELF header, no #! line): execve fails "
                                  "ENOEXEC (a shell would then run it as a shell script)",
                                  path),
                      fmt::format("add a #! line naming its interpreter to {}, or run it with its interpreter", path));
    case Kind::Elf:
    case Kind::Script:
        break;
    }
    const bool script = f.kind == Kind::Script;
    if (f.interpreter.empty())
        return passed(Layer::Path, path, script ? "a #! line without an interpreter" : "a static ELF program");
    const std::string shown = "'" + f.interpreter + "'";  // a CR shows as \r once rendered
    if (f.interpreter_exists)
        return passed(Layer::Path, path, fmt::format("{} interpreter {} exists", script ? "#!" : "ELF", shown));
    const bool crlf = script && !f.interpreter.empty() && f.interpreter.back() == '\r';
    Check c = failed(
        Layer::Path, path, ENOENT,
        fmt::format("{} interpreter {} not found ({})", script ? "#!" : "ELF", shown,
                    f.interpreter_error ? strerrorname_np(f.interpreter_error) : "missing"),
        crlf ? fmt::format("the #! line of {} ends in a carriage return: the interpreter {} does not exist "
                           "(the file has Windows CRLF line ends)",
                           path, shown)
             : fmt::format("{} names the interpreter {}, which does not exist as the subject sees it: execve "
                           "reports ENOENT as if {} itself were missing",
                           path, shown, path),
        crlf ? fmt::format("sed -i 's/\\r$//' {} (or dos2unix)", path)
             : fmt::format("install {} or point {} at an interpreter that exists", shown, path));
    return c;
}

}  // namespace

std::vector<Check> exec_checks(const Facts& facts) {
    std::vector<Check> out;
    out.push_back(path_length_check(facts.operation.path, "the path"));
    append_checks(out, walk_checks(facts, facts.walk, {true, false, false}));
    const WalkEnd end = walk_end(facts.walk, true);
    if (!end.reached || end.object == nullptr) {
        if (end.reached) return out;  // the walk said ENOENT
        out.push_back(not_reached(Layer::Mode, facts.operation.path, "executing the file"));
        return out;
    }
    const Inode& obj = *end.object;
    const std::string& path = end.path;
    // may_open() with MAY_EXEC: only regular files, not on noexec mounts.
    if (!is_reg(obj)) {
        out.push_back(failed(Layer::Path, path, EACCES, fmt::format("a {}", type_word(obj)),
                             fmt::format("{} is a {}: only regular files can be executed", path, type_word(obj)),
                             "execute a regular file"));
        return out;
    }
    out.push_back(noexec_check(facts, obj, path));
    append_checks(out, inode_permission_checks(facts, obj, {path, kMayExec, false, true}));
    // deny_write_access(): not while someone writes it.
    out.push_back(text_busy_for_exec(facts, path));
    out.push_back(setid_exec_check(facts, obj, path));
    out.push_back(exec_format_check(facts, path));
    return out;
}

std::vector<Check> chdir_checks(const Facts& facts) {
    std::vector<Check> out;
    out.push_back(path_length_check(facts.operation.path, "the path"));
    append_checks(out, walk_checks(facts, facts.walk, {true, false, false}));
    const WalkEnd end = walk_end(facts.walk, true);
    if (!end.reached || end.object == nullptr) {
        if (!end.reached) out.push_back(not_reached(Layer::Search, facts.operation.path, "entering the directory"));
        return out;
    }
    const Inode& obj = *end.object;
    if (!is_dir(obj)) {
        out.push_back(failed(Layer::Path, end.path, ENOTDIR, fmt::format("a {}", type_word(obj)),
                             fmt::format("{} is a {}, not a directory", end.path, type_word(obj)),
                             "chdir into a directory"));
        return out;
    }
    append_checks(out, inode_permission_checks(facts, obj, {end.path, kMayExec, true, true}));
    return out;
}

}  // namespace fdscope::report::why
