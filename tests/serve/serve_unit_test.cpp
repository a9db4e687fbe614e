// The daemon's pure pieces: listen addresses, scrape budgets,
// Accept-Encoding, the web config parse, bcrypt checks.
#include <gtest/gtest.h>

#include <variant>

#include "export/collector.hpp"
#include "export/server.hpp"
#include "export/web_config.hpp"
#include "support/support.hpp"

namespace fdscope::exporter {
namespace {

TEST(ListenAddress, Forms) {
    auto a = parse_listen_address("127.0.0.1:10253");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "127.0.0.1");
    EXPECT_EQ(a->port, 10253);
    a = parse_listen_address("[::1]:0");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "::1");
    EXPECT_EQ(a->port, 0);
    a = parse_listen_address(":9");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "0.0.0.0") << "an empty host is every interface, as in node_exporter";
    EXPECT_EQ(a->port, 9);
    a = parse_listen_address("localhost:8080");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "localhost");
    for (const char* bad : {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:80x", "::1:80",
                            "[::1]80", "[]:80", "a b:80", "[::1:80"})
        EXPECT_FALSE(parse_listen_address(bad)) << bad;
}

TEST(ScrapeBudget, TimeoutLessHalfASecondCapped) {
    EXPECT_DOUBLE_EQ(scrape_budget("", 10), 10);
    EXPECT_DOUBLE_EQ(scrape_budget("1", 10), 0.5);
    EXPECT_DOUBLE_EQ(scrape_budget("15", 10), 10);
    EXPECT_DOUBLE_EQ(scrape_budget("0.2", 10), 0.1) << "never below 0.1 s";
    for (const char* bad : {"abc", "-3", "nan", "inf", "0"}) EXPECT_DOUBLE_EQ(scrape_budget(bad, 10), 10) << bad;
}

TEST(AcceptEncoding, GzipUnlessRefused) {
    EXPECT_TRUE(accepts_gzip("gzip"));
    EXPECT_TRUE(accepts_gzip("br, GZIP;q=0.5"));
    EXPECT_TRUE(accepts_gzip("*"));
    EXPECT_FALSE(accepts_gzip(""));
    EXPECT_FALSE(accepts_gzip("identity"));
    EXPECT_FALSE(accepts_gzip("gzip;q=0"));
    EXPECT_FALSE(accepts_gzip("gzipx"));
}

TEST(Gzip, MagicAndSize) {
    const std::string text(10000, 'a');
    const std::string z = gzip(text);
    ASSERT_GE(z.size(), 18u);
    EXPECT_EQ(static_cast<unsigned char>(z[0]), 0x1f);
    EXPECT_EQ(static_cast<unsigned char>(z[1]), 0x8b);
    EXPECT_LT(z.size(), 200u);
}

WebConfig ok(std::string_view text) {
    auto r = parse_web_config(text);
    if (auto* e = std::get_if<WebConfigError>(&r)) ADD_FAILURE() << text << ": " << e->message;
    return std::get_if<WebConfig>(&r) ? std::get<WebConfig>(r) : WebConfig{};
}

std::string err(std::string_view text) {
    auto r = parse_web_config(text);
    if (auto* e = std::get_if<WebConfigError>(&r)) return e->message;
    ADD_FAILURE() << "accepted: " << text;
    return {};
}

TEST(WebConfig, ExporterToolkitFile) {
    const WebConfig c = ok(
        "tls_server_config:\n"
        "  cert_file: server.crt\n"
        "  key_file: server.key\n"
        "  client_ca_file: ca.crt\n"
        "  client_auth_type: RequireAndVerifyClientCert\n"
        "  min_version: TLS13\n"
        "http_server_config:\n"
        "  http2: true\n"
        "  headers:\n"
        "    X-Frame-Options: deny\n"
        "basic_auth_users:\n"
        "  alice: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\n");
    ASSERT_TRUE(c.tls);
    EXPECT_EQ(c.tls->cert_file, "server.crt");
    EXPECT_EQ(c.tls->client_auth, ClientAuth::RequireAndVerifyClientCert);
    EXPECT_EQ(c.tls->min_version, "TLS13");
    EXPECT_EQ(c.headers.at("X-Frame-Options"), "deny");
    EXPECT_EQ(c.basic_auth_users.size(), 1u);
    WebConfig r = c;
    resolve_paths(r, "/etc/fdscope");
    EXPECT_EQ(r.tls->cert_file, "/etc/fdscope/server.crt");
    EXPECT_EQ(r.tls->client_ca_file, "/etc/fdscope/ca.crt");
    EXPECT_FALSE(ok("").tls) << "an empty file: plain HTTP";
    EXPECT_EQ(ok("tls_server_config:\n  cert_file: a\n  key_file: b\n").tls->min_version, "TLS12");
}

TEST(WebConfig, RefusesWhatItCannotHonour) {
    EXPECT_NE(err("tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n").find("cipher_suites"),
              std::string::npos);
    EXPECT_NE(err("basic_auth_user:\n  a: b\n").find("basic_auth_user"), std::string::npos);
    EXPECT_NE(err("tls_server_config:\n  cert_file: a\n").find("key_file"), std::string::npos);
    EXPECT_NE(err("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAndVerifyClientCert\n")
                  .find("client_ca_file"),
              std::string::npos);
    EXPECT_NE(err("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Maybe\n").find("Maybe"), std::string::npos);
    EXPECT_NE(err("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: SSL3\n").find("SSL3"), std::string::npos);
    EXPECT_NE(err("basic_auth_users:\n  alice: plaintext\n").find("bcrypt"), std::string::npos);
    EXPECT_NE(err("basic_auth_users:\n  'a:b': $2y$10$x\n").find("':'"), std::string::npos);
    EXPECT_NE(err("http_server_config:\n  headers:\n    \"X-A\": \"a\\r\\nSet-Cookie: x\"\n").find("headers"), std::string::npos);
    EXPECT_NE(err("- a\n- b\n").find("mapping"), std::string::npos);
    EXPECT_NE(err("tls_server_config: [\n").find("YAML"), std::string::npos);
}

// A hash made by python3's crypt (libxcrypt), checked by crypt_r.
TEST(BasicAuth, BcryptAndTheAuthorizationHeader) {
    const auto r = test::run({"python3", "-W", "ignore", "-c",
                              "import crypt; print(crypt.crypt('pw', crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))"});
    if (r.status != 0 || r.out.rfind("$2", 0) != 0) {
        GTEST_SKIP() << "python3's crypt module cannot make a bcrypt hash here";
    }
    const std::string hash = r.out.substr(0, r.out.find('\n'));
    EXPECT_TRUE(check_password("pw", hash));
    EXPECT_FALSE(check_password("pW", hash));
    EXPECT_FALSE(check_password("", hash));
    EXPECT_FALSE(check_password(std::string_view("pw\0x", 4), hash));
    WebConfig cfg;
    EXPECT_TRUE(authorized(cfg, "")) << "no users: no auth";
    cfg.basic_auth_users["u"] = hash;
    EXPECT_TRUE(authorized(cfg, "Basic dTpwdw=="));   // u:pw
    EXPECT_TRUE(authorized(cfg, "basic dTpwdw=="));   // the scheme is case-insensitive
    EXPECT_FALSE(authorized(cfg, "Basic dTpwVw=="));  // u:pW
    EXPECT_FALSE(authorized(cfg, "Basic djpwdw=="));  // v:pw
    EXPECT_FALSE(authorized(cfg, "Basic dXB3"));      // upw: no colon
    EXPECT_FALSE(authorized(cfg, "Bearer dTpwdw=="));
    EXPECT_FALSE(authorized(cfg, "Basic !!!!"));
    EXPECT_FALSE(authorized(cfg, ""));
}

TEST(LandingPage, LinksTheMetricsAndEscapes) {
    ServerOptions o;
    o.telemetry_path = "/metrics";
    o.version = "<0.1>";
    o.collectors = {{"kinds", "by kind & more", false}};
    const std::string p = landing_page(o);
    EXPECT_NE(p.find("<a href=\"/metrics\">"), std::string::npos);
    EXPECT_NE(p.find("&lt;0.1&gt;"), std::string::npos);
    EXPECT_NE(p.find("<td>kinds</td><td>no</td><td>by kind &amp; more</td>"), std::string::npos) << p;
}

}  // namespace
}  // namespace fdscope::exporter
