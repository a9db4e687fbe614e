#include "report/why/unix_rules.hpp"

#include <cerrno>

#include <fmt/format.h>

#include "report/why/busy_rules.hpp"
#include "report/why/check_make.hpp"
#include "report/why/create_rules.hpp"
#include "report/why/inode_permission.hpp"
#include "report/why/inode_type.hpp"
#include "report/why/walk_rules.hpp"

namespace fdscope::report::why {

Check sun_path_check(const std::string& path) {
    if (path.size() > kSunPathMax)
        return failed(Layer::Path, path, EINVAL,
                      fmt::format("{} bytes; sun_path holds {}", path.size(), kSunPathMax),
                      fmt::format("the socket path is {} bytes: a UNIX socket address holds at most {} (107 and "
                                  "its NUL)",
                                  path.size(), kSunPathMax),
                      "use a shorter path (a relative one from a directory closer to it)");
    if (path.size() == kSunPathMax)
        return noted(Layer::Path, path,
                     "108 bytes fill sun_path with no room for its NUL: the kernel takes it, but most callers "
                     "(C with a terminated string, Go) refuse it first");
    return passed(Layer::Path, path, fmt::format("{} bytes, within sun_path ({} with its NUL)", path.size(),
                                                 kSunPathMax));
}

std::vector<Check> bind_unix_checks(const Facts& facts) {
    std::vector<Check> out;
    out.push_back(sun_path_check(facts.operation.path));
    append_checks(out, walk_checks(facts, facts.walk, {false, true, false}));
    append_checks(out, filename_create_checks(facts, facts.walk, Creates::Socket));
    return out;
}

std::vector<Check> connect_unix_checks(const Facts& facts) {
    std::vector<Check> out;
    out.push_back(sun_path_check(facts.operation.path));
    append_checks(out, walk_checks(facts, facts.walk, {true, false, false}));
    const WalkEnd end = walk_end(facts.walk, true);
    if (!end.reached || end.object == nullptr) {
        if (!end.reached) out.push_back(not_reached(Layer::Mode, facts.operation.path, "connecting"));
        return out;
    }
    const Inode& obj = *end.object;
    // path_permission(MAY_WRITE) on whatever the path names.
    append_checks(out, inode_permission_checks(facts, obj, {end.path, kMayWrite, false, true}));
    if (!is_socket(obj)) {
        out.push_back(failed(Layer::Path, end.path, ECONNREFUSED, fmt::format("a {}", type_word(obj)),
                             fmt::format("{} is a {}, not a socket", end.path, type_word(obj)),
                             "connect to the server's socket path"));
        return out;
    }
    out.push_back(unix_listener_check(facts, end.path));
    return out;
}

}  // namespace fdscope::report::why
