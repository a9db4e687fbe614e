#include "export/web_config.hpp"

#include <cctype>
#include <crypt.h>
#include <cstring>
#include <memory>
#include <set>
#include <yaml-cpp/yaml.h>

#include "sys/files.hpp"

namespace fdscope::exporter {
namespace {

using Result = std::variant<WebConfig, WebConfigError>;

WebConfigError error(std::string msg) { return WebConfigError{std::move(msg)}; }

// Keys of a mapping that are not in `known`: the first one, or "".
std::string unknown_key(const YAML::Node& map, const std::set<std::string>& known) {
    for (const auto& kv : map) {
        const std::string k = kv.first.Scalar();
        if (!known.count(k)) return k.empty() ? std::string("(non-scalar key)") : k;
    }
    return {};
}

bool scalar(const YAML::Node& n, std::string& out) {
    if (n.IsNull()) {
        out.clear();
        return true;
    }
    if (!n.IsScalar()) return false;
    out = n.Scalar();
    return true;
}

std::optional<ClientAuth> client_auth_from(std::string_view s) {
    if (s.empty() || s == "NoClientCert") return ClientAuth::NoClientCert;
    if (s == "RequestClientCert") return ClientAuth::RequestClientCert;
    if (s == "RequireAnyClientCert") return ClientAuth::RequireAnyClientCert;
    if (s == "VerifyClientCertIfGiven") return ClientAuth::VerifyClientCertIfGiven;
    if (s == "RequireAndVerifyClientCert") return ClientAuth::RequireAndVerifyClientCert;
    return std::nullopt;
}

bool tls_version(std::string_view s) { return s == "TLS10" || s == "TLS11" || s == "TLS12" || s == "TLS13"; }

std::optional<WebConfigError> parse_tls(const YAML::Node& n, TlsConfig& tls) {
    if (!n.IsMap()) return error("tls_server_config: expected a mapping");
    // exporter-toolkit's other keys (cipher_suites, curve_preferences,
    // prefer_server_cipher_suites, client_allowed_sans, cert/key inline)
    // are refused rather than ignored: a file that relies on them must not
    // be served without what it asked for.
    const std::string bad = unknown_key(n, {"cert_file", "key_file", "client_ca_file", "client_auth_type", "min_version", "max_version"});
    if (!bad.empty()) return error("tls_server_config: unknown or unsupported key: " + bad);
    std::string auth;
    for (auto [key, out] : {std::pair{"cert_file", &tls.cert_file}, {"key_file", &tls.key_file},
                            {"client_ca_file", &tls.client_ca_file}, {"client_auth_type", &auth},
                            {"min_version", &tls.min_version}, {"max_version", &tls.max_version}}) {
        if (!n[key]) continue;
        if (!scalar(n[key], *out)) return error(std::string("tls_server_config.") + key + ": expected a string");
    }
    if (tls.min_version.empty()) tls.min_version = "TLS12";
    if (tls.cert_file.empty() || tls.key_file.empty()) return error("tls_server_config: cert_file and key_file are both required");
    const auto ca = client_auth_from(auth);
    if (!ca) return error("tls_server_config.client_auth_type: unknown value: " + auth);
    tls.client_auth = *ca;
    if ((tls.client_auth == ClientAuth::VerifyClientCertIfGiven || tls.client_auth == ClientAuth::RequireAndVerifyClientCert) &&
        tls.client_ca_file.empty())
        return error("tls_server_config: client_auth_type " + auth + " needs client_ca_file");
    if (!tls_version(tls.min_version)) return error("tls_server_config.min_version: unknown value: " + tls.min_version);
    if (!tls.max_version.empty() && !tls_version(tls.max_version))
        return error("tls_server_config.max_version: unknown value: " + tls.max_version);
    return std::nullopt;
}

bool header_name_ok(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
    return true;
}

bool header_value_ok(std::string_view s) {
    for (char c : s)
        if (c == '\r' || c == '\n' || c == '\0') return false;
    return true;
}

Result parse_node(const YAML::Node& root) {
    WebConfig cfg;
    if (root.IsNull()) return cfg;  // an empty file: plain HTTP, no auth
    if (!root.IsMap()) return error("expected a mapping at the top level");
    const std::string bad = unknown_key(root, {"tls_server_config", "basic_auth_users", "http_server_config"});
    if (!bad.empty()) return error("unknown or unsupported key: " + bad);
    if (const YAML::Node t = root["tls_server_config"]; t && !t.IsNull()) {
        TlsConfig tls;
        if (auto e = parse_tls(t, tls)) return *e;
        cfg.tls = std::move(tls);
    }
    if (const YAML::Node u = root["basic_auth_users"]; u && !u.IsNull()) {
        if (!u.IsMap()) return error("basic_auth_users: expected a mapping of user: bcrypt hash");
        for (const auto& kv : u) {
            std::string user, hash;
            if (!scalar(kv.first, user) || !scalar(kv.second, hash) || user.empty())
                return error("basic_auth_users: expected user: bcrypt hash");
            if (user.find(':') != std::string::npos) return error("basic_auth_users: a user name cannot contain ':': " + user);
            if (hash.rfind("$2", 0) != 0) return error("basic_auth_users." + user + ": not a bcrypt hash ($2a$, $2b$ or $2y$)");
            cfg.basic_auth_users[user] = hash;
        }
    }
    if (const YAML::Node h = root["http_server_config"]; h && !h.IsNull()) {
        if (!h.IsMap()) return error("http_server_config: expected a mapping");
        const std::string badh = unknown_key(h, {"headers", "http2"});
        if (!badh.empty()) return error("http_server_config: unknown or unsupported key: " + badh);
        if (const YAML::Node hh = h["headers"]; hh && !hh.IsNull()) {
            if (!hh.IsMap()) return error("http_server_config.headers: expected a mapping");
            for (const auto& kv : hh) {
                std::string name, value;
                if (!scalar(kv.first, name) || !scalar(kv.second, value) || !header_name_ok(name) || !header_value_ok(value))
                    return error("http_server_config.headers: expected Header-Name: value on one line");
                cfg.headers[name] = value;
            }
        }
        if (const YAML::Node h2 = h["http2"]; h2 && !h2.IsNull()) {
            std::string v;
            if (!scalar(h2, v) || (v != "true" && v != "false")) return error("http_server_config.http2: expected true or false");
            // fdscope serves HTTP/1.1 only; exporter-toolkit's default is true and the
            // flag only allows HTTP/2, so either value serves the same scrapes.
        }
    }
    return cfg;
}

}  // namespace

Result parse_web_config(std::string_view text) {
    try {
        return parse_node(YAML::Load(std::string(text)));
    } catch (const YAML::Exception& e) {
        return error(std::string("not valid YAML: ") + e.what());
    }
}

void resolve_paths(WebConfig& cfg, std::string_view dir) {
    if (!cfg.tls || dir.empty()) return;
    for (std::string* p : {&cfg.tls->cert_file, &cfg.tls->key_file, &cfg.tls->client_ca_file})
        if (!p->empty() && (*p)[0] != '/') *p = std::string(dir) + "/" + *p;
}

std::variant<WebConfig, WebConfigError> load_web_config(const std::string& path) {
    std::string text;
    if (const int err = sys::read_all(path.c_str(), text))
        return error(path + ": cannot read: " + std::strerror(err));
    Result r = parse_web_config(text);
    if (auto* e = std::get_if<WebConfigError>(&r)) return error(path + ": " + e->message);
    const std::size_t slash = path.rfind('/');
    resolve_paths(std::get<WebConfig>(r), slash == std::string::npos ? std::string_view(".") : std::string_view(path).substr(0, slash));
    return r;
}

bool check_password(std::string_view password, const std::string& hash) {
    if (password.find('\0') != std::string_view::npos) return false;
    auto data = std::make_unique<crypt_data>();
    std::memset(data.get(), 0, sizeof(crypt_data));
    const std::string pw(password);
    const char* out = ::crypt_r(pw.c_str(), hash.c_str(), data.get());
    if (!out || out[0] == '*') return false;  // libxcrypt's failure token
    const std::size_t n = std::strlen(out);
    if (n != hash.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < n; ++i) diff |= static_cast<unsigned char>(out[i] ^ hash[i]);
    return diff == 0;
}

namespace {

std::optional<std::string> base64_decode(std::string_view in) {
    auto val = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    while (!in.empty() && in.back() == '=') in.remove_suffix(1);
    std::string out;
    unsigned buf = 0;
    int bits = 0;
    for (char c : in) {
        const int v = val(c);
        if (v < 0) return std::nullopt;
        buf = (buf << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buf >> bits) & 0xff));
        }
    }
    return out;
}

}  // namespace

bool authorized(const WebConfig& cfg, std::string_view authorization) {
    if (cfg.basic_auth_users.empty()) return true;
    constexpr std::string_view kBasic = "Basic ";
    if (authorization.size() < kBasic.size()) return false;
    for (std::size_t i = 0; i < kBasic.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(authorization[i])) != std::tolower(static_cast<unsigned char>(kBasic[i]))) return false;
    const auto decoded = base64_decode(authorization.substr(kBasic.size()));
    if (!decoded) return false;
    const std::size_t colon = decoded->find(':');
    if (colon == std::string::npos) return false;
    const std::string user = decoded->substr(0, colon);
    const std::string_view pw = std::string_view(*decoded).substr(colon + 1);
    const auto it = cfg.basic_auth_users.find(user);
    // An unknown user is checked against a known user's hash (then refused):
    // it costs the same bcrypt rounds, so timing does not tell users apart.
    const bool ok = check_password(pw, it == cfg.basic_auth_users.end() ? cfg.basic_auth_users.begin()->second : it->second);
    return ok && it != cfg.basic_auth_users.end();
}

}  // namespace fdscope::exporter
