// /proc/sys/fs/{file-nr,file-max,nr_open} and other one-number files.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "model/snapshot.hpp"

namespace fdscope::procfs {

std::optional<FileNr> parse_file_nr(std::string_view text);
std::optional<std::uint64_t> parse_u64(std::string_view text);  // trims whitespace
// A /proc directory entry name that is a pid/tid ("123"); nullopt for "self", "acpi", "12a".
std::optional<std::int32_t> parse_pid_name(std::string_view name);

}  // namespace fdscope::procfs
