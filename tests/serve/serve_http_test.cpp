// `fdscope serve` over loopback: formats, compression, routes, single
// flight, the in-flight limit, the scrape budget, a clean stop.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <cmath>
#include <csignal>
#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <zlib.h>

#include "serve/serve_daemon.hpp"
#include "support/support.hpp"

namespace fdscope::test {
namespace {

const std::string kOpenMetricsAccept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

httplib::Client client(const ServeDaemon& d) {
    httplib::Client c("127.0.0.1", d.port());
    c.set_read_timeout(30, 0);
    c.set_connection_timeout(5, 0);
    return c;
}

std::string gunzip(const std::string& z) {
    z_stream zs{};
    inflateInit2(&zs, 15 + 16);
    std::string out;
    char buf[65536];
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(z.data()));
    zs.avail_in = static_cast<uInt>(z.size());
    int r = Z_OK;
    while (r == Z_OK) {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        r = inflate(&zs, Z_NO_FLUSH);
        out.append(buf, sizeof buf - zs.avail_out);
    }
    inflateEnd(&zs);
    return r == Z_STREAM_END ? out : std::string();
}

TEST(ServeHttp, PortZeroIsChosenAndNamedInTheListeningLine) {
    ServeDaemon d({"--web.listen-address=127.0.0.1:0"});
    EXPECT_GT(d.port(), 0);
    EXPECT_EQ(d.url(), "http://127.0.0.1:" + std::to_string(d.port()) + "/metrics") << d.ready_line();
    EXPECT_EQ(d.stop(), 0) << "SIGTERM stops it cleanly";
}

TEST(ServeHttp, TextFormatByDefault) {
    ServeDaemon d({"--web.listen-address=127.0.0.1:0"});
    auto c = client(d);
    auto r = c.Get("/metrics");
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_NE(r->body.find("\nfdscope_file_handles "), std::string::npos) << r->body.substr(0, 2000);
    EXPECT_NE(r->body.find("fdscope_group_open_fds{"), std::string::npos);
    EXPECT_EQ(r->body.find("# EOF"), std::string::npos);
    EXPECT_EQ(sample_value(r->body, "fdscope_scrape_collector_success{collector=\"processes\"}"), 1);
}

TEST(ServeHttp, OpenMetricsWhenAcceptPrefersIt) {
    ServeDaemon d({"--web.listen-address=127.0.0.1:0"});
    auto c = client(d);
    auto r = c.Get("/metrics", {{"Accept", kOpenMetricsAccept}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/openmetrics-text; version=1.0.0; charset=utf-8");
    ASSERT_GE(r->body.size(), 6u);
    EXPECT_EQ(r->body.substr(r->body.size() - 6), "# EOF\n");
}

TEST(ServeHttp, GzipWhenAskedInBothFormats) {
    ServeDaemon d({"--web.listen-address=127.0.0.1:0"});
    auto c = client(d);
    c.set_decompress(false);
    for (const std::string& accept : {std::string("text/plain"), kOpenMetricsAccept}) {
        auto r = c.Get("/metrics", {{"Accept", accept}, {"Accept-Encoding", "gzip"}});
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->get_header_value("Content-Encoding"), "gzip") << accept;
        const std::string plain = gunzip(r->body);
        EXPECT_NE(plain.find("fdscope_file_handles"), std::string::npos) << accept << ": not a gzip of the exposition";
    }
    auto r = c.Get("/metrics");  // no Accept-Encoding: plain
    ASSERT_TRUE(r);
    EXPECT_EQ(r->get_header_value("Content-Encoding"), "");
}

TEST(ServeHttp, LandingPageHealthzAndNotFound) {
    ServeDaemon d({"--web.listen-address=127.0.0.1:0", "--web.telemetry-path=/fd-metrics"});
    auto c = client(d);
    auto landing = c.Get("/");
    ASSERT_TRUE(landing);
    EXPECT_EQ(landing->status, 200);
    EXPECT_NE(landing->body.find("href=\"/fd-metrics\""), std::string::npos) << landing->body;
    EXPECT_NE(landing->body.find("kinds"), std::string::npos) << "describes the collectors";
    auto health = c.Get("/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    EXPECT_EQ(health->body, "OK\n");
    auto metrics = c.Get("/fd-metrics");
    ASSERT_TRUE(metrics);
    EXPECT_EQ(metrics->status, 200);
    auto old = c.Get("/metrics");
    ASSERT_TRUE(old);
    EXPECT_EQ(old->status, 404);
}

// With collection slowed to 1 s, 20 scrapes released together all get the
// one snapshot: identical bodies, down to the collectors' measured
// durations (which differ between two snapshots, as the last check shows).
TEST(ServeHttp, ParallelScrapesShareOneSnapshot) {
    ServeDaemon d({"--web.listen-address=127.0.0.1:0", "--web.max-requests=40"}, {"FDSCOPE_SERVE_TEST_DELAY=1"});
    constexpr int kScrapes = 20;
    std::vector<std::string> bodies(kScrapes);
    std::vector<int> status(kScrapes, 0);
    std::barrier start(kScrapes);
    std::vector<std::thread> threads;
    for (int i = 0; i < kScrapes; ++i) {
        threads.emplace_back([&, i] {
            auto c = client(d);
            start.arrive_and_wait();
            if (auto r = c.Get("/metrics")) {
                status[static_cast<std::size_t>(i)] = r->status;
                bodies[static_cast<std::size_t>(i)] = r->body;
            }
        });
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < kScrapes; ++i) {
        EXPECT_EQ(status[static_cast<std::size_t>(i)], 200) << i;
        EXPECT_EQ(bodies[static_cast<std::size_t>(i)], bodies[0]) << "scrape " << i << " got another snapshot";
    }
    const double took = sample_value(bodies[0], "fdscope_scrape_collector_duration_seconds{collector=\"processes\"}");
    EXPECT_GE(took, 1.0) << "the delayed collector ran";
    auto again = client(d).Get("/metrics");
    ASSERT_TRUE(again);
    EXPECT_NE(sample_value(again->body, "fdscope_scrape_collector_duration_seconds{collector=\"processes\"}"), took)
        << "a later scrape takes a new snapshot";
}

TEST(ServeHttp, ScrapesBeyondMaxRequestsGet503) {
    ServeDaemon d({"--web.listen-address=127.0.0.1:0", "--web.max-requests=2"}, {"FDSCOPE_SERVE_TEST_DELAY=3"});
    constexpr int kScrapes = 6;
    std::vector<int> status(kScrapes, 0);
    std::barrier start(kScrapes);
    std::vector<std::thread> threads;
    for (int i = 0; i < kScrapes; ++i) {
        threads.emplace_back([&, i] {
            auto c = client(d);
            start.arrive_and_wait();
            if (auto r = c.Get("/metrics")) status[static_cast<std::size_t>(i)] = r->status;
        });
    }
    for (auto& t : threads) t.join();
    const auto ok = std::count(status.begin(), status.end(), 200);
    const auto busy = std::count(status.begin(), status.end(), 503);
    EXPECT_EQ(ok, 2);
    EXPECT_EQ(busy, kScrapes - 2);
    auto health = client(d).Get("/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200) << "the limit is on scrapes only";
}

// Connections that send nothing hold a worker only until the 5 s read
// timeout: with every worker taken by them (max-requests 1: 5 workers), a
// scrape is still answered once they are dropped.
TEST(ServeHttp, SilentClientsCannotHoldTheServer) {
    ServeDaemon d({"--web.listen-address=127.0.0.1:0", "--web.max-requests=1"});
    std::vector<int> silent;
    for (int i = 0; i < 8; ++i) {
        const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(d.port()));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        silent.push_back(fd);
    }
    const auto began = std::chrono::steady_clock::now();
    auto r = client(d).Get("/healthz");
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200);
    EXPECT_LT(took, 15) << "answered once the silent connections timed out";
    for (int fd : silent) close(fd);
}

TEST(ServeHttp, ScrapeTimeoutHeaderGivesPartialDataNotATimeout) {
    ServeDaemon d({"--web.listen-address=127.0.0.1:0"}, {"FDSCOPE_SERVE_TEST_DELAY=30"});
    auto c = client(d);
    const auto began = std::chrono::steady_clock::now();
    auto r = c.Get("/metrics", {{"X-Prometheus-Scrape-Timeout-Seconds", "1"}});
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_LT(took, 1.0) << "answered within the scraper's timeout";
    EXPECT_EQ(sample_value(r->body, "fdscope_scrape_collector_success{collector=\"processes\"}"), 0) << r->body.substr(0, 3000);
    EXPECT_EQ(sample_value(r->body, "fdscope_scrape_collector_success{collector=\"file_nr\"}"), 1);
    EXPECT_GT(sample_value(r->body, "fdscope_processes_skipped{reason=\"budget\"}"), 0)
        << "the processes left out are counted as skipped, not as zeros";
    EXPECT_EQ(r->body.find("fdscope_process_open_fds{"), std::string::npos);
}

TEST(ServeHttp, ScrapesAreCountedByFormat) {
    ServeDaemon d({"--web.listen-address=127.0.0.1:0"});
    auto c = client(d);
    ASSERT_TRUE(c.Get("/metrics", {{"Accept", kOpenMetricsAccept}}));
    auto r = c.Get("/metrics");
    ASSERT_TRUE(r);
    EXPECT_EQ(sample_value(r->body, "fdscope_scrapes_total{format=\"openmetrics\"}"), 1) << r->body.substr(0, 3000);
    EXPECT_EQ(sample_value(r->body, "fdscope_scrapes_total{format=\"text\"}"), 1);
}

TEST(ServeHttp, PromtoolAcceptsALiveScrape) {
    if (!have_tool("promtool")) {
        GTEST_SKIP() << "promtool is not installed (Debian package prometheus)";
    }
    ServeDaemon d({"--web.listen-address=127.0.0.1:0", "--collector.kinds"});
    auto r = client(d).Get("/metrics");
    ASSERT_TRUE(r);
    const auto res = run({"sh", "-c", "curl -sf " + d.url() + " | promtool check metrics"});
    EXPECT_EQ(res.status, 0) << res.out << res.err;
}

// A live OpenMetrics scrape with every collector on parses with
// python3-prometheus-client's strict OpenMetrics parser (it rejects a
// missing # EOF, a counter family named with _total, a # UNIT that is not
// the suffix).
TEST(ServeHttp, StrictOpenMetricsParserAcceptsALiveScrape) {
    const std::string py = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
    const std::string probe = run({py, "-c", "import prometheus_client.openmetrics.parser"}).err;
    if (!probe.empty()) {
        GTEST_SKIP() << "python3's prometheus_client is not installed (Debian: python3-prometheus-client): " << probe;
    }
    std::vector<std::string> args{"--web.listen-address=127.0.0.1:0", "--collector.kinds"};
    if (geteuid() == 0) {
        args.push_back("--collector.account");
        args.push_back("--collector.audit");
    }
    ServeDaemon d(args);
    auto r = client(d).Get("/metrics", {{"Accept", kOpenMetricsAccept}});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->get_header_value("Content-Type"), "application/openmetrics-text; version=1.0.0; charset=utf-8");
    char path[] = "/tmp/fdscope-om-XXXXXX";
    const int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, r->body.data(), r->body.size()), static_cast<ssize_t>(r->body.size()));
    close(fd);
    const auto parsed = run({py, "-c",
                             "import sys\n"
                             "from prometheus_client.openmetrics.parser import text_string_to_metric_families\n"
                             "fams = list(text_string_to_metric_families(open(sys.argv[1], encoding='utf-8', errors='strict').read()))\n"
                             "print(len(fams), sum(len(f.samples) for f in fams))\n",
                             path});
    unlink(path);
    EXPECT_EQ(parsed.status, 0) << parsed.err << r->body.substr(0, 3000);
    int families = 0, samples = 0;
    std::sscanf(parsed.out.c_str(), "%d %d", &families, &samples);
    EXPECT_GE(families, 20) << parsed.out;
    EXPECT_GT(samples, families) << parsed.out;
}

TEST(ServeHttp, InvalidUtf8CommComesOutValid) {
    int ready[2], hold[2];
    ASSERT_EQ(pipe(ready), 0);
    ASSERT_EQ(pipe(hold), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        close(ready[0]);
        close(hold[1]);
        prctl(PR_SET_NAME, "b\xff\xfe\"d\n", 0, 0, 0);
        (void)!write(ready[1], "x", 1);
        char c;
        (void)!read(hold[0], &c, 1);  // until the test closes its end
        _exit(0);
    }
    close(ready[1]);
    close(hold[0]);
    char c;
    ASSERT_EQ(read(ready[0], &c, 1), 1);
    {
        ServeDaemon d({"--web.listen-address=127.0.0.1:0", "--group-by=comm", "--top=10000"});
        for (const std::string& accept : {std::string("text/plain"), kOpenMetricsAccept}) {
            auto r = client(d).Get("/metrics", {{"Accept", accept}});
            ASSERT_TRUE(r);
            EXPECT_TRUE(valid_utf8(r->body)) << accept;
            EXPECT_NE(r->body.find("pid=\"" + std::to_string(child) + "\""), std::string::npos) << "the process is listed";
        }
    }
    close(hold[1]);
    waitpid(child, nullptr, 0);
    close(ready[0]);
}

TEST(ServeCli, BadOptionsAreUsageErrors) {
    auto r = run({fdscope_bin(), "serve", "--web.listen-address=nonsense"});
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("HOST:PORT"), std::string::npos) << r.err;
    r = run({fdscope_bin(), "serve", "--sample-interval=fast"});
    EXPECT_EQ(r.status, 2) << r.err;
    r = run({fdscope_bin(), "serve", "--group-by=user"});
    EXPECT_EQ(r.status, 2) << r.err;
}

TEST(ServeCli, PortInUseIsAFailure) {
    ServeDaemon d({"--web.listen-address=127.0.0.1:0"});
    const auto r = run({fdscope_bin(), "serve", "--web.listen-address=127.0.0.1:" + std::to_string(d.port())});
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.err.find("cannot listen"), std::string::npos) << r.err;
}

TEST(ServeCli, ListensOnEveryAddressGiven) {
    ServeDaemon d({"--web.listen-address=127.0.0.1:0", "--web.listen-address=127.0.0.2:0"});
    const std::string& line = d.ready_line();
    ASSERT_NE(line.find(", http://127.0.0.2:"), std::string::npos) << line;
    const int second = std::atoi(line.c_str() + line.find(", http://127.0.0.2:") + std::strlen(", http://127.0.0.2:"));
    httplib::Client c("127.0.0.2", second);
    auto r = c.Get("/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace fdscope::test
