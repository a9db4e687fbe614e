// The HTTP side of `fdscope serve` (cpp-httplib): /metrics (or
// --web.telemetry-path) with content negotiation and gzip, a landing page
// at /, /healthz; TLS, mutual TLS and basic auth from the web config; at
// most --web.max-requests scrapes in flight (503 beyond); read and write
// timeouts so that a slow client cannot hold a worker for long. One
// listener per --web.listen-address, each on its own thread.
#pragma once
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "export/collector.hpp"
#include "export/web_config.hpp"

namespace httplib {
class Server;
}

namespace fdscope::exporter {

// The fixed default port of `fdscope serve` (docs/fdscope.1): above the
// 9100-9999 range that exporters have filled; never to be changed, since
// Prometheus' `instance` label carries it.
inline constexpr int kDefaultPort = 10253;
inline constexpr std::string_view kDefaultListen = "127.0.0.1:10253";

struct ListenAddress {
    std::string host;  // without brackets; "0.0.0.0" for ":PORT"
    int port = 0;      // 0: any free port (the listening line names it)
};

// "127.0.0.1:10253", "[::1]:0", ":10253", "localhost:8080"; nullopt when malformed.
std::optional<ListenAddress> parse_listen_address(std::string_view text);

// What the landing page says about one collector.
struct CollectorInfo {
    std::string name, description;
    bool enabled = true;
};

struct ServerOptions {
    std::vector<ListenAddress> listen;
    std::string telemetry_path = "/metrics";
    WebConfig web;
    std::size_t max_requests = 40;
    int read_timeout = 5, write_timeout = 5, keep_alive_timeout = 5;  // seconds
    double max_budget = 10;   // the cap on a scrape's own time budget
    std::vector<CollectorInfo> collectors;
    std::string version;
};

// gzip of `data` (zlib, level 6); empty on failure.
std::string gzip(std::string_view data);
// Whether an Accept-Encoding header allows gzip (q > 0).
bool accepts_gzip(std::string_view accept_encoding);
std::string landing_page(const ServerOptions& opts);

class Server {
public:
    Server(ServerOptions opts, Collector& collector);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds every address; a message naming the one that failed. Throws
    // std::runtime_error when the TLS files cannot be used.
    std::optional<std::string> bind();
    // "http://127.0.0.1:10253/metrics", one per address, with the bound ports.
    std::vector<std::string> urls() const;
    // Serves on one thread per address until stop().
    void start();
    void stop();

private:
    std::unique_ptr<httplib::Server> make_listener();
    ServerOptions opts_;
    Collector& collector_;
    std::atomic<std::size_t> in_flight_{0};
    std::vector<std::unique_ptr<httplib::Server>> listeners_;
    std::vector<int> ports_;
    std::vector<std::thread> threads_;
    // Set by each listener thread when its listen loop has returned.
    std::unique_ptr<std::atomic<bool>[]> done_;
};

}  // namespace fdscope::exporter
