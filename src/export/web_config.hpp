// The exporter-toolkit web configuration file (--web.config.file), the one
// node_exporter reads: TLS, mutual TLS and bcrypt basic auth. The parse is
// pure (text in, config or error out) and fuzzed; every key it does not
// know is an error, so a file meant for a newer exporter-toolkit fails at
// start instead of serving without the protection it asked for.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace fdscope::exporter {

enum class ClientAuth {
    NoClientCert,
    RequestClientCert,
    RequireAnyClientCert,
    VerifyClientCertIfGiven,
    RequireAndVerifyClientCert,
};

struct TlsConfig {
    std::string cert_file, key_file, client_ca_file;
    ClientAuth client_auth = ClientAuth::NoClientCert;
    std::string min_version = "TLS12";  // TLS10 TLS11 TLS12 TLS13
    std::string max_version;            // empty: the highest OpenSSL has
};

struct WebConfig {
    std::optional<TlsConfig> tls;
    std::map<std::string, std::string> basic_auth_users;  // user -> bcrypt hash
    std::map<std::string, std::string> headers;           // http_server_config.headers: added to every response
};

struct WebConfigError {
    std::string message;
};

// `text` is the file's YAML. Relative file names are kept as written.
std::variant<WebConfig, WebConfigError> parse_web_config(std::string_view text);

// Relative cert/key/CA file names resolved against the config file's
// directory (as exporter-toolkit does).
void resolve_paths(WebConfig& cfg, std::string_view config_dir);

// Reads and parses the file; an error names the file.
std::variant<WebConfig, WebConfigError> load_web_config(const std::string& path);

// Whether `password` matches the bcrypt (or any crypt(3)) `hash`, compared in
// constant time.
bool check_password(std::string_view password, const std::string& hash);

// The basic auth check of one request: `authorization` is the header's
// value. Unknown users cost the same as known ones (a dummy hash is checked).
bool authorized(const WebConfig& cfg, std::string_view authorization);

}  // namespace fdscope::exporter
