// `fdscope serve` behind its web config (TLS, mutual TLS, basic auth), run
// without privilege, and writing a textfile for node_exporter.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

#include "serve/serve_daemon.hpp"
#include "support/support.hpp"

namespace fdscope::test {
namespace {

namespace fs = std::filesystem;

// A private temporary directory, removed with everything in it.
struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/fdscope-serve-XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string operator/(const std::string& name) const { return (path / name).string(); }
};

void write_file(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
}

// A CA, a server certificate for 127.0.0.1 and a client certificate, both
// signed by the CA (openssl req/x509, EC P-256 keys: quick to make).
bool make_certs(const TempDir& dir, std::string& log) {
    const std::string d = dir.path.string();
    write_file(dir / "san.ext", "subjectAltName=IP:127.0.0.1\n");
    const std::string script =
        "set -e; cd '" + d + "';"
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=fdscope-test-ca;"
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1;"
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile san.ext;"
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout client.key -out client.csr -subj /CN=scraper;"
        "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2";
    const auto r = run({"sh", "-c", script});
    log = r.out + r.err;
    return r.status == 0;
}

TEST(ServeTls, MutualTlsNeedsAClientCertificateFromTheCa) {
    if (!have_tool("openssl")) {
        GTEST_SKIP() << "openssl is not installed";
    }
    TempDir dir;
    std::string log;
    ASSERT_TRUE(make_certs(dir, log)) << log;
    // Relative names: resolved against the config file's directory.
    write_file(dir / "web.yml",
               "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_ca_file: ca.crt\n"
               "  client_auth_type: RequireAndVerifyClientCert\n  min_version: TLS12\n");
    ServeDaemon d({"--web.listen-address=127.0.0.1:0", "--web.config.file=" + (dir / "web.yml")});
    EXPECT_EQ(d.url().rfind("https://127.0.0.1:", 0), 0u) << d.ready_line();

    httplib::SSLClient with_cert("127.0.0.1", d.port(), dir / "client.crt", dir / "client.key");
    with_cert.set_ca_cert_path((dir / "ca.crt").c_str());
    with_cert.enable_server_certificate_verification(true);
    auto r = with_cert.Get("/metrics");
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200);
    EXPECT_NE(r->body.find("fdscope_file_handles"), std::string::npos);

    httplib::SSLClient without("127.0.0.1", d.port());
    without.set_ca_cert_path((dir / "ca.crt").c_str());
    without.enable_server_certificate_verification(true);
    auto refused = without.Get("/metrics");
    EXPECT_FALSE(refused) << "served without a client certificate: " << refused->status;

    // A client certificate from another CA is refused too.
    TempDir other;
    ASSERT_TRUE(make_certs(other, log)) << log;
    httplib::SSLClient stranger("127.0.0.1", d.port(), other / "client.crt", other / "client.key");
    stranger.set_ca_cert_path((dir / "ca.crt").c_str());
    auto strange = stranger.Get("/metrics");
    EXPECT_FALSE(strange) << "served a client certificate of another CA";

    httplib::Client plain("127.0.0.1", d.port());
    plain.set_read_timeout(5, 0);
    auto p = plain.Get("/metrics");
    EXPECT_TRUE(!p || p->status != 200) << "plain HTTP served on the TLS port";
}

TEST(ServeTls, TlsWithoutClientCertificates) {
    if (!have_tool("openssl")) {
        GTEST_SKIP() << "openssl is not installed";
    }
    TempDir dir;
    std::string log;
    ASSERT_TRUE(make_certs(dir, log)) << log;
    write_file(dir / "web.yml", "tls_server_config:\n  cert_file: " + (dir / "server.crt") + "\n  key_file: " + (dir / "server.key") + "\n");
    ServeDaemon d({"--web.listen-address=127.0.0.1:0", "--web.config.file=" + (dir / "web.yml")});
    httplib::SSLClient c("127.0.0.1", d.port());
    c.set_ca_cert_path((dir / "ca.crt").c_str());
    c.enable_server_certificate_verification(true);
    auto r = c.Get("/metrics");
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200);
}

std::string bcrypt(const std::string& password) {
    const auto r = run({"python3", "-W", "ignore", "-c",
                        "import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))", password});
    if (r.status != 0) return {};
    return r.out.substr(0, r.out.find('\n'));
}

TEST(ServeAuth, BasicAuthWithBcrypt) {
    const std::string hash = bcrypt("s3cret");
    if (hash.rfind("$2", 0) != 0) {
        GTEST_SKIP() << "python3's crypt module cannot make a bcrypt hash here";
    }
    TempDir dir;
    write_file(dir / "web.yml", "basic_auth_users:\n  prometheus: '" + hash + "'\n");
    ServeDaemon d({"--web.listen-address=127.0.0.1:0", "--web.config.file=" + (dir / "web.yml")});
    httplib::Client c("127.0.0.1", d.port());
    auto none = c.Get("/metrics");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 401);
    EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Basic realm=\"fdscope\"");
    EXPECT_EQ(none->body.find("fdscope_"), std::string::npos);
    c.set_basic_auth("prometheus", "wrong");
    auto wrong = c.Get("/metrics");
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 401);
    c.set_basic_auth("nobody", "s3cret");
    auto stranger = c.Get("/metrics");
    ASSERT_TRUE(stranger);
    EXPECT_EQ(stranger->status, 401);
    c.set_basic_auth("prometheus", "s3cret");
    auto ok = c.Get("/metrics");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
    EXPECT_NE(ok->body.find("fdscope_file_handles"), std::string::npos);
    auto landing = httplib::Client("127.0.0.1", d.port()).Get("/");
    ASSERT_TRUE(landing);
    EXPECT_EQ(landing->status, 401) << "the landing page is protected too";
}

TEST(ServeConfig, BadWebConfigIsAUsageErrorAtStart) {
    TempDir dir;
    write_file(dir / "typo.yml", "basic_auth_user:\n  a: '$2b$10$x'\n");
    auto r = run({fdscope_bin(), "serve", "--web.listen-address=127.0.0.1:0", "--web.config.file=" + (dir / "typo.yml")});
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("unknown or unsupported key: basic_auth_user"), std::string::npos) << r.err;
    write_file(dir / "nocert.yml", "tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n");
    r = run({fdscope_bin(), "serve", "--web.listen-address=127.0.0.1:0", "--web.config.file=" + (dir / "nocert.yml")});
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("missing.crt"), std::string::npos) << r.err;
    r = run({fdscope_bin(), "serve", "--web.listen-address=127.0.0.1:0", "--web.config.file=" + (dir / "absent.yml")});
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("cannot read"), std::string::npos) << r.err;
}

// As nobody, with no capability: st_size of /proc/PID/fd still gives every
// process's count (Linux >= 6.2), so counts are there for root's processes
// too; their kinds are not readable, and those are counted as skipped for
// permission instead of being exported as zeros.
TEST(ServePrivilege, UnprivilegedCountsEveryProcessAndSaysWhatItSkipped) {
    if (!is_root()) {
        GTEST_SKIP() << "needs root to start a root-owned fixture and drop to nobody";
    }
    if (!have_tool("setpriv")) {
        GTEST_SKIP() << "setpriv (util-linux) is not installed";
    }
    Fixture flat("flat", {"70"});  // a root-owned process holding 70 fds more
    const pid_t pid = flat.facts()["pid"].get<pid_t>();
    ServeDaemon d({"--web.listen-address=127.0.0.1:0", "--collector.kinds", "--top=100000"}, {},
                  {"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--inh-caps=-all"});
    httplib::Client c("127.0.0.1", d.port());
    c.set_read_timeout(30, 0);
    auto r = c.Get("/metrics");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
    const std::string& body = r->body;
    const std::string key = "pid=\"" + std::to_string(pid) + "\"";
    const std::size_t at = body.find("fdscope_process_open_fds{");
    ASSERT_NE(at, std::string::npos) << body.substr(0, 3000);
    bool found = false;
    for (std::size_t p = at; (p = body.find("fdscope_process_open_fds{", p)) != std::string::npos; ++p) {
        const std::string line = body.substr(p, body.find('\n', p) - p);
        if (line.find(key) == std::string::npos) continue;
        found = true;
        EXPECT_GE(std::strtod(line.c_str() + line.rfind(' ') + 1, nullptr), 70) << line;
    }
    EXPECT_TRUE(found) << "root's fixture is counted by nobody";
    EXPECT_GT(sample_value(body, "fdscope_processes_skipped{reason=\"permission\"}"), 0) << "root's kinds are unreadable";
    // Not a fake zero: the root-owned fixture has no by-kind series at all.
    EXPECT_EQ(body.find("fdscope_process_open_fds_by_kind{" + key), std::string::npos);
    for (std::size_t p = 0; (p = body.find("fdscope_process_open_fds_by_kind{", p)) != std::string::npos; ++p)
        EXPECT_EQ(body.substr(p, body.find('\n', p) - p).find(key), std::string::npos);
}

TEST(ServeTextfile, WrittenAtomicallyEveryInterval) {
    TempDir dir;
    ASSERT_EQ(chmod(dir.path.c_str(), 0755), 0);
    const std::string file = dir / "fdscope.prom";
    ServeDaemon d({"--textfile=" + file, "--sample-interval=100ms"});
    EXPECT_EQ(d.port(), 0) << "no HTTP server without --web.listen-address";
    // Each read sees a whole exposition, never a part; the inode changes
    // from one write to the next (a rename, not a rewrite in place).
    std::set<ino_t> inodes;
    std::set<std::size_t> families;  // "# TYPE" lines per read: one value when every read is whole
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (inodes.size() < 4 && std::chrono::steady_clock::now() < until) {
        struct stat st {};
        usleep(10000);  // a read every 10 ms: several per write
        if (stat(file.c_str(), &st) != 0) continue;
        std::ifstream in(file);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (text.empty()) continue;  // renamed over between stat and open: read again
        inodes.insert(st.st_ino);
        EXPECT_EQ(text.back(), '\n');
        EXPECT_NE(text.find("fdscope_file_handles "), std::string::npos);
        std::size_t types = 0;
        for (std::size_t p = 0; (p = text.find("# TYPE ", p)) != std::string::npos; ++p) ++types;
        families.insert(types);
    }
    EXPECT_EQ(families.size(), 1u) << "a read saw part of a write";
    EXPECT_GE(inodes.size(), 4u) << "rewritten every sample interval";
    EXPECT_EQ(d.stop(), 0);
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(dir.path)) {
        ++files;
        EXPECT_EQ(e.path().filename(), "fdscope.prom") << "a temporary file was left behind";
    }
    EXPECT_EQ(files, 1u);
    if (have_tool("promtool")) {
        const auto r = run({"sh", "-c", "promtool check metrics < '" + file + "'"});
        EXPECT_EQ(r.status, 0) << r.out << r.err;
    }
}

}  // namespace
}  // namespace fdscope::test
