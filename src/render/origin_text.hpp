// Creation sites from the preload tables as ls, watch and top show them:
// the innermost useful frame of a stack as text, the origin column's cell
// and ls --json's "origin" object (docs/json.md).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "model/origin.hpp"
#include "model/stack.hpp"

namespace fdscope::render {

class JsonWriter;

// Whether a module is the C runtime or the preload library itself (libc,
// ld.so, libpthread, libdl, libfdscope-preload.so): frames there say how,
// not who.
bool runtime_module(std::string_view module);

// "db_connect (pool.c:88)", "app+0x1a2b" without symbols: the first frame
// (innermost first) outside the runtime modules; "-" when there is none.
std::string origin_site(const std::vector<SymbolizedFrame>& frames);

// The origin column: the creation site ("db_connect (pool.c:88)"), with
// " (inherited)" for an fd a fork parent made, "quarantined, closed at
// SITE" for a quarantine placeholder, "fdscope log" for the library's own;
// nothing for an fd the library did not see. Safe for a table
// (frame_text escapes).
void origin_cell(const ProcessOrigins& table, const Origin& o, std::string& out);

// "origin": null for `o` null, else the object docs/json.md describes.
void write_origin_json(JsonWriter& j, const ProcessOrigins* table, const Origin* o);

}  // namespace fdscope::render
