// parse_records must never read outside its input, whatever it holds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bpf/iter/records.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace fdscope::bpf;
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    std::size_t sum = 0;
    auto r = parse_records(bytes, {[&](const FileRecord& f) {
                                       for (char c : f.path) sum += static_cast<unsigned char>(c);
                                   },
                                   [&](const VmaRecord& v) {
                                       for (char c : v.path) sum += static_cast<unsigned char>(c);
                                   },
                                   [&](const TaskRecord& t) { sum += t.open_fds; }});
    if (r.consumed > size) __builtin_trap();
    // Every file record's offset decodes to the same record again.
    parse_records(bytes, {[&](const FileRecord& f) {
                              FileRecord again = file_record_at(bytes, f.offset);
                              if (again.file_id != f.file_id || again.path != f.path) __builtin_trap();
                          },
                          {}, {}});
    return static_cast<int>(sum & 0);
}
