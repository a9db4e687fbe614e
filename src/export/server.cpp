#include "export/server.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <httplib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <zlib.h>

namespace fdscope::exporter {
namespace {

std::string html_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '&': out += "&amp;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string url_host(const std::string& host) { return host.find(':') != std::string::npos ? "[" + host + "]" : host; }

int tls_version(const std::string& v) {
    if (v == "TLS10") return TLS1_VERSION;
    if (v == "TLS11") return TLS1_1_VERSION;
    if (v == "TLS13") return TLS1_3_VERSION;
    return TLS1_2_VERSION;
}

// Accepts whatever certificate was presented: the modes that ask for one
// without verifying it (exporter-toolkit's RequestClientCert, RequireAnyClientCert).
int accept_any(int, X509_STORE_CTX*) { return 1; }

std::string openssl_error() {
    const unsigned long e = ERR_get_error();
    if (!e) return "unknown OpenSSL error";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

bool setup_tls(SSL_CTX& ctx, const TlsConfig& tls, std::string& err) {
    SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_min_proto_version(&ctx, tls_version(tls.min_version));
    if (!tls.max_version.empty()) SSL_CTX_set_max_proto_version(&ctx, tls_version(tls.max_version));
    if (SSL_CTX_use_certificate_chain_file(&ctx, tls.cert_file.c_str()) != 1) {
        err = "cert_file " + tls.cert_file + ": " + openssl_error();
        return false;
    }
    if (SSL_CTX_use_PrivateKey_file(&ctx, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        err = "key_file " + tls.key_file + ": " + openssl_error();
        return false;
    }
    if (SSL_CTX_check_private_key(&ctx) != 1) {
        err = "key_file " + tls.key_file + " does not match cert_file " + tls.cert_file;
        return false;
    }
    if (!tls.client_ca_file.empty()) {
        if (SSL_CTX_load_verify_locations(&ctx, tls.client_ca_file.c_str(), nullptr) != 1) {
            err = "client_ca_file " + tls.client_ca_file + ": " + openssl_error();
            return false;
        }
        if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.c_str())) SSL_CTX_set_client_CA_list(&ctx, names);
    }
    switch (tls.client_auth) {
        case ClientAuth::NoClientCert: SSL_CTX_set_verify(&ctx, SSL_VERIFY_NONE, nullptr); break;
        case ClientAuth::RequestClientCert: SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, accept_any); break;
        case ClientAuth::RequireAnyClientCert:
            SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any);
            break;
        case ClientAuth::VerifyClientCertIfGiven: SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr); break;
        case ClientAuth::RequireAndVerifyClientCert:
            SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
            break;
    }
    return true;
}

// SO_REUSEADDR only (a restart binds at once despite TIME_WAIT), not
// cpp-httplib's default SO_REUSEPORT: with it a second exporter on the same
// port would bind too and take half the scrapes, instead of failing.
void reuse_address(int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
}

// Decrements the in-flight count when a scrape ends, however it ends.
struct InFlight {
    std::atomic<std::size_t>& n;
    std::size_t now;
    explicit InFlight(std::atomic<std::size_t>& c) : n(c), now(c.fetch_add(1) + 1) {}
    ~InFlight() { n.fetch_sub(1); }
};

}  // namespace

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
    ListenAddress a;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        const std::size_t close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
        a.host = std::string(text.substr(1, close - 1));
        port = text.substr(close + 2);
        if (a.host.empty()) return std::nullopt;
    } else {
        const std::size_t colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        a.host = std::string(text.substr(0, colon));
        if (a.host.find(':') != std::string::npos) return std::nullopt;  // a bare IPv6 address needs brackets
        port = text.substr(colon + 1);
        if (a.host.empty()) a.host = "0.0.0.0";
    }
    if (port.empty() || port.size() > 5) return std::nullopt;
    int p = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p < 0 || p > 65535) return std::nullopt;
    for (char c : a.host)
        if (c <= ' ' || c == '/' || c == '[' || c == ']') return std::nullopt;
    a.port = p;
    return a;
}

std::string gzip(std::string_view data) {
    z_stream zs{};
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
    std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 32, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int r = deflate(&zs, Z_FINISH);
    const std::size_t n = zs.total_out;
    deflateEnd(&zs);
    if (r != Z_STREAM_END) return {};
    out.resize(n);
    return out;
}

bool accepts_gzip(std::string_view header) {
    while (!header.empty()) {
        const std::size_t comma = header.find(',');
        std::string_view item = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
        const std::size_t semi = item.find(';');
        std::string_view coding = item.substr(0, semi);
        while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) coding.remove_suffix(1);
        std::string lower(coding);
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (lower != "gzip" && lower != "x-gzip" && lower != "*") continue;
        if (semi == std::string_view::npos) return true;
        std::string_view params = item.substr(semi + 1);
        const std::size_t q = params.find("q=");
        if (q == std::string_view::npos) return true;
        const std::string qv(params.substr(q + 2));
        return std::strtod(qv.c_str(), nullptr) > 0;
    }
    return false;
}

std::string landing_page(const ServerOptions& o) {
    const std::string path = html_escape(o.telemetry_path);
    std::string p = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>fdscope exporter</title></head><body>\n";
    p += "<h1>fdscope exporter</h1>\n<p>File descriptors, kernel file handles and leak verdicts of this machine's processes, for Prometheus.";
    p += " Version " + html_escape(o.version) + ".</p>\n";
    p += "<ul><li><a href=\"" + path + "\">Metrics (" + path + ")</a></li><li><a href=\"/healthz\">Health (/healthz)</a></li></ul>\n";
    p += "<h2>Collectors</h2>\n<table>\n<tr><th>collector</th><th>enabled</th><th>what it exports</th></tr>\n";
    for (const CollectorInfo& c : o.collectors)
        p += "<tr><td>" + html_escape(c.name) + "</td><td>" + (c.enabled ? "yes" : "no") + "</td><td>" + html_escape(c.description) + "</td></tr>\n";
    p += "</table>\n<p>Metric names and labels: docs/metrics.md; options: <code>fdscope serve --help</code>, man fdscope.</p>\n</body></html>\n";
    return p;
}

Server::Server(ServerOptions opts, Collector& collector) : opts_(std::move(opts)), collector_(collector) {}

Server::~Server() { stop(); }

std::unique_ptr<httplib::Server> Server::make_listener() {
    std::unique_ptr<httplib::Server> s;
    if (opts_.web.tls) {
        std::string err;
        const TlsConfig tls = *opts_.web.tls;
        auto ssl = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) { return setup_tls(ctx, tls, err); });
        if (!ssl->is_valid()) throw std::runtime_error("TLS: " + (err.empty() ? openssl_error() : err));
        s = std::move(ssl);
    } else {
        s = std::make_unique<httplib::Server>();
    }
    // Enough workers to answer the scrapes beyond the limit with 503 at once.
    const std::size_t workers = std::min<std::size_t>(opts_.max_requests, 60) + 4;
    s->new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
    s->set_read_timeout(opts_.read_timeout, 0);
    s->set_write_timeout(opts_.write_timeout, 0);
    s->set_keep_alive_timeout(opts_.keep_alive_timeout);
    s->set_keep_alive_max_count(100);
    s->set_payload_max_length(64 * 1024);  // scrapes carry no body

    s->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
        for (const auto& [k, v] : opts_.web.headers) res.set_header(k, v);
        if (req.path == "/healthz" || authorized(opts_.web, req.get_header_value("Authorization")))
            return httplib::Server::HandlerResponse::Unhandled;
        res.status = 401;
        res.set_header("WWW-Authenticate", "Basic realm=\"fdscope\"");
        res.set_content("Unauthorized\n", "text/plain; charset=utf-8");
        return httplib::Server::HandlerResponse::Handled;
    });
    s->Get(opts_.telemetry_path, [this](const httplib::Request& req, httplib::Response& res) {
        InFlight guard(in_flight_);
        if (guard.now > opts_.max_requests) {
            res.status = 503;
            res.set_content("Too many scrapes in flight (--web.max-requests)\n", "text/plain; charset=utf-8");
            return;
        }
        const Format f = negotiate(req.get_header_value("Accept"));
        collector_.count_scrape(f);
        const double budget = scrape_budget(req.get_header_value("X-Prometheus-Scrape-Timeout-Seconds"), opts_.max_budget);
        const std::shared_ptr<const Snapshot> snap = collector_.snapshot(budget);
        std::string body = render(snap->families, f);
        // cpp-httplib compresses text/* bodies itself when asked; the
        // OpenMetrics type is not among the ones it compresses.
        if (f == Format::OpenMetrics && accepts_gzip(req.get_header_value("Accept-Encoding"))) {
            std::string z = gzip(body);
            if (!z.empty()) {
                body = std::move(z);
                res.set_header("Content-Encoding", "gzip");
            }
        }
        res.set_header("Vary", "Accept, Accept-Encoding");
        res.set_content(std::move(body), std::string(content_type(f)).c_str());
    });
    s->Get("/", [this](const httplib::Request&, httplib::Response& res) {
        res.set_content(landing_page(opts_), "text/html; charset=utf-8");
    });
    s->Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("OK\n", "text/plain; charset=utf-8"); });
    s->set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (res.body.empty()) res.set_content(std::to_string(res.status) + "\n", "text/plain; charset=utf-8");
    });
    s->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        res.status = 500;
        res.set_content("Internal error while collecting\n", "text/plain; charset=utf-8");
    });
    return s;
}

std::optional<std::string> Server::bind() {
    for (const ListenAddress& a : opts_.listen) {
        std::unique_ptr<httplib::Server> s = make_listener();  // throws on a TLS setup failure
        int fd = -1;
        s->set_socket_options([&fd](socket_t sock) {
            reuse_address(sock);
            fd = sock;
        });
        int port = a.port;
        if (a.port == 0) {
            port = s->bind_to_any_port(a.host);
            if (port < 0) return "cannot listen on " + url_host(a.host) + ":0";
        } else if (!s->bind_to_port(a.host, a.port)) {
            return "cannot listen on " + url_host(a.host) + ":" + std::to_string(a.port) + " (in use, or not an address of this host)";
        }
        // cpp-httplib 0.11.4 listens with a backlog of 5: a burst of scrapes
        // beyond it has its SYNs dropped and retried a second later. Linux
        // takes a second listen() on the socket as a new backlog.
        if (fd >= 0) ::listen(fd, 128);
        s->set_socket_options(reuse_address);
        listeners_.push_back(std::move(s));
        ports_.push_back(port);
    }
    return std::nullopt;
}

std::vector<std::string> Server::urls() const {
    std::vector<std::string> out;
    const std::string scheme = opts_.web.tls ? "https://" : "http://";
    for (std::size_t i = 0; i < ports_.size(); ++i)
        out.push_back(scheme + url_host(opts_.listen[i].host) + ":" + std::to_string(ports_[i]) + opts_.telemetry_path);
    return out;
}

void Server::start() {
    done_ = std::make_unique<std::atomic<bool>[]>(listeners_.size());
    for (std::size_t i = 0; i < listeners_.size(); ++i)
        threads_.emplace_back([s = listeners_[i].get(), done = &done_[i]] {
            s->listen_after_bind();
            done->store(true);
        });
}

void Server::stop() {
    // cpp-httplib's stop() does nothing until the listen loop has marked
    // itself running: a stop that comes first (a SIGTERM right after the
    // listening line, on a loaded machine) would leave the loop running
    // for ever. So stop again until the thread says its loop returned.
    for (std::size_t i = 0; i < threads_.size(); ++i) {
        while (!done_[i].load()) {
            listeners_[i]->stop();
            if (!done_[i].load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        threads_[i].join();
    }
    threads_.clear();
}

}  // namespace fdscope::exporter
