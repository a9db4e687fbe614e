// Feeds arbitrary bytes to the web config parse (--web.config.file) and, for
// what it accepts, to the basic auth header check with a fixed hash.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "export/web_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace fdscope::exporter;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto r = parse_web_config(text);
    if (auto* cfg = std::get_if<WebConfig>(&r)) {
        volatile std::size_t sink = cfg->basic_auth_users.size() + cfg->headers.size();
        resolve_paths(*cfg, "/etc/fdscope");
        if (cfg->tls) sink = sink + cfg->tls->cert_file.size();
        (void)sink;
    }
    // The Authorization header is attacker-chosen too (bcrypt cost 4: cheap per input).
    static const WebConfig users = [] {
        WebConfig c;
        c.basic_auth_users["u"] = "$2b$04$f3zLHaEZmtTe74ELopuuFuJZ4NdBmCnxl9K3.GaUNMCyCHX0Qtc7u";
        return c;
    }();
    (void)authorized(users, text);
    return 0;
}
