// Values of /proc/sys files.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace fdscope::procfs {

// A file holding one integer ("1\n").
std::optional<std::int64_t> parse_sysctl_int(std::string_view text);

struct FileNr {
    std::uint64_t allocated = 0, unused = 0, max = 0;
};
// /proc/sys/fs/file-nr: "allocated unused max".
std::optional<FileNr> parse_file_nr(std::string_view text);

}  // namespace fdscope::procfs
