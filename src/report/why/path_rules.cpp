// path_operation_checks(): the walk and the object for each path
// operation, in the kernel's order.
#include "report/why/create_rules.hpp"
#include "report/why/delete_rules.hpp"
#include "report/why/exec_rules.hpp"
#include "report/why/layers.hpp"
#include "report/why/open_rules.hpp"
#include "report/why/rename_rules.hpp"
#include "report/why/unix_rules.hpp"

namespace fdscope::report::why {

std::vector<Check> path_operation_checks(const Facts& facts) {
    using fdscope::why::Op;
    switch (facts.operation.op) {
    case Op::Open: return open_checks(facts);
    case Op::Mkdir: return mkdir_checks(facts);
    case Op::Rmdir: return rmdir_checks(facts);
    case Op::Unlink: return unlink_checks(facts);
    case Op::Rename: return rename_checks(facts);
    case Op::Link: return link_checks(facts);
    case Op::Symlink: return symlink_checks(facts);
    case Op::Exec: return exec_checks(facts);
    case Op::Chdir: return chdir_checks(facts);
    case Op::BindUnix: return bind_unix_checks(facts);
    case Op::ConnectUnix: return connect_unix_checks(facts);
    case Op::BindInet:
    case Op::Write:
    case Op::Read: return {};
    }
    return {};
}

}  // namespace fdscope::report::why
