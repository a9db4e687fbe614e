// End to end with Debian's Prometheus: `fdscope serve` on a loopback port
// picked by the kernel, Prometheus on another with its own storage, 1 s
// scrapes and rule evaluation, the shipped alert rules. The leaker, the
// sawtooth and the flat fixture of watch's tests run alongside, and one
// that names itself with invalid UTF-8. Within 60 s FdLeak fires for the
// leaker; none of the others is ever a suspect; the target stays up (one
// bad label byte would make Prometheus drop every scrape); Prometheus
// negotiated OpenMetrics.
#include <arpa/inet.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <regex>
#include <sstream>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "support/support.hpp"

namespace fs = std::filesystem;
using fdscope::test::Fixture;
using fdscope::test::Running;
using nlohmann::json;

namespace {

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_text(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "fdscope-serve-e2e-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

// A port nobody listens on now: bound to 127.0.0.1:0 and released. Another
// program may take it before Prometheus does; the caller retries then.
int free_loopback_port() {
    const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (s < 0 || bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 ||
        getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) < 0) {
        if (s >= 0) close(s);
        throw std::runtime_error("no free loopback port");
    }
    close(s);
    return ntohs(a.sin_port);
}

// The shipped rules with every `for:` shortened to 2 s and nothing else
// changed: FdLeak's 5 minutes cannot pass in a test bounded at 60 s, and a
// 2 s `for` still takes each alert through pending before firing.
std::string rules_with_short_for(const std::string& shipped, int& rewritten) {
    static const std::regex for_line(R"((^|\n)(\s+for:\s*)[0-9]+[smhd]\b)");
    rewritten = 0;
    std::string out;
    auto it = std::sregex_iterator(shipped.begin(), shipped.end(), for_line);
    std::size_t last = 0;
    for (; it != std::sregex_iterator(); ++it) {
        out.append(shipped, last, static_cast<std::size_t>(it->position()) - last);
        out += (*it)[1].str() + (*it)[2].str() + "2s";
        last = static_cast<std::size_t>(it->position() + it->length());
        ++rewritten;
    }
    out.append(shipped, last);
    return out;
}

json api(int port, const std::string& path, const std::string& query = "") {
    std::vector<std::string> argv = {"curl", "-sS", "--max-time", "5", "http://127.0.0.1:" + std::to_string(port) + path};
    if (!query.empty()) argv.insert(argv.end() - 1, {"-G", "--data-urlencode", "query=" + query});
    const auto r = fdscope::test::run(argv);
    if (r.status != 0) throw std::runtime_error("curl " + path + ": " + r.err);
    json j = json::parse(r.out);
    if (j.value("status", "") != "success") throw std::runtime_error("Prometheus API " + path + ": " + r.out);
    return j["data"];
}

json instant(int port, const std::string& promql) { return api(port, "/api/v1/query", promql)["result"]; }

void pause_ms(long ms) {
    const timespec t{ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&t, nullptr);
}

// Reads its output until a line matches; the first submatch, or "" when it
// ended first (Running::next_line throws after 60 s without a line).
std::string wait_for(Running& p, const std::regex& re, std::string& seen) {
    std::string line;
    std::smatch m;
    while (p.next_line(line)) {
        seen += line + "\n";
        if (std::regex_search(line, m, re)) return m.size() > 1 ? m[1].str() : line;
    }
    return "";
}

}  // namespace

TEST(ServePrometheus, LeakAlertFiresForTheLeakerOnlyAndScrapesStayUp) {
    if (!fdscope::test::have_tool("prometheus") || !fdscope::test::have_tool("curl")) {
        GTEST_SKIP() << "needs Debian's prometheus and curl (scripts/deps.sh installs them)";
    }
    const auto start = std::chrono::steady_clock::now();
    TempDir tmp;

    // What watch's tests run: 1 fd / 50 ms toward 4096, a 200-fd sawtooth
    // of about a second, 50 steady fds; and the badly named one.
    Fixture leaker("leaker", {"50", "4096"});
    Fixture saw("sawtooth");
    Fixture flat("flat");
    Fixture bad("serve_bad_name");
    const std::string leaker_pid = std::to_string(leaker.facts()["pid"].get<int>());
    const std::map<std::string, std::string> others = {{std::to_string(saw.facts()["pid"].get<int>()), "sawtooth"},
                                                       {std::to_string(flat.facts()["pid"].get<int>()), "flat"},
                                                       {std::to_string(bad.facts()["pid"].get<int>()), "bad name"}};
    const std::string bad_pid = std::to_string(bad.facts()["pid"].get<int>());

    Running serve({"/bin/sh", "-c", "exec \"$0\" serve --web.listen-address=127.0.0.1:0 2>&1", fdscope::test::fdscope_bin()});
    std::string serve_log;
    const std::string port_text =
        wait_for(serve, std::regex(R"(fdscope serve: listening on http://127\.0\.0\.1:([0-9]+)/metrics)"), serve_log);
    ASSERT_FALSE(port_text.empty()) << "fdscope serve did not say where it listens:\n" << serve_log;
    const int serve_port = std::stoi(port_text);

    int rewritten = 0;
    write_text(tmp.path / "rules.yml",
               rules_with_short_for(read_text(fs::path(FDSCOPE_SOURCE_DIR) / "contrib/prometheus/alerts.yml"), rewritten));
    ASSERT_EQ(rewritten, 5) << "every shipped rule has a for: (the test shortens them)";
    write_text(tmp.path / "prometheus.yml",
               "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
               "rule_files: [" + (tmp.path / "rules.yml").string() + "]\n"
               "scrape_configs:\n  - job_name: fdscope\n    static_configs:\n"
               "      - targets: ['127.0.0.1:" + std::to_string(serve_port) + "']\n");
    ASSERT_EQ(fdscope::test::run({"promtool", "check", "config", (tmp.path / "prometheus.yml").string()}).status, 0);

    // Prometheus on a free port; when another program took it meanwhile,
    // Prometheus exits and the next port is tried.
    std::unique_ptr<Running> prom;
    int prom_port = 0;
    std::string prom_log;
    for (int attempt = 0; attempt < 3 && !prom; ++attempt) {
        prom_port = free_loopback_port();
        auto p = std::make_unique<Running>(std::vector<std::string>{
            "/bin/sh", "-c", "exec prometheus \"$@\" 2>&1", "prometheus",
            "--config.file=" + (tmp.path / "prometheus.yml").string(),
            "--storage.tsdb.path=" + (tmp.path / "data").string(),
            "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)});
        if (!wait_for(*p, std::regex("Server is ready to receive web requests"), prom_log).empty()) prom = std::move(p);
    }
    ASSERT_TRUE(prom) << "Prometheus did not start:\n" << prom_log;

    // Firing FdLeak for the leaker, within 60 s of Prometheus being ready.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    json leak_alerts = json::array();
    bool fired = false;
    while (!fired && std::chrono::steady_clock::now() < deadline) {
        leak_alerts = json::array();
        const json all = api(prom_port, "/api/v1/alerts");  // kept: a range-for over a temporary's member dangles
        for (const auto& a : all["alerts"])
            if (a["labels"].value("alertname", "") == "FdLeak") leak_alerts.push_back(a);
        for (const auto& a : leak_alerts)
            fired = fired || (a["labels"].value("pid", "") == leaker_pid && a.value("state", "") == "firing");
        if (!fired) pause_ms(250);
    }
    ASSERT_TRUE(fired) << "no firing FdLeak for the leaker (pid " << leaker_pid << ") within 60 s; FdLeak alerts: "
                       << leak_alerts.dump() << "\ntargets: " << api(prom_port, "/api/v1/targets")["activeTargets"].dump()
                       << "\nrules: " << api(prom_port, "/api/v1/rules").dump()
                       << "\nits leak series: " << instant(prom_port, "{__name__=~\"fdscope_leak.*\"}").dump()
                       << "\nfdscope serve:\n" << serve_log;
    for (const auto& a : leak_alerts) {
        const std::string pid = a["labels"].value("pid", "");
        if (pid == leaker_pid) {
            EXPECT_EQ(a["labels"].value("comm", ""), "leaker");
            EXPECT_NE(a["annotations"].value("runbook", "").find("fdscope trace -p " + leaker_pid), std::string::npos);
        }
        EXPECT_EQ(others.count(pid), 0u) << "FdLeak for the " << others.at(pid) << " fixture: " << a.dump();
        if (pid != leaker_pid && !others.count(pid))
            std::cout << "note: FdLeak also for pid " << pid << " (not ours, on this busy machine): " << a["labels"].dump() << "\n";
    }
    // None of the other fixtures was ever a leak suspect.
    for (const auto& [pid, name] : others)
        EXPECT_TRUE(instant(prom_port, "count_over_time(fdscope_leak_eta_seconds{pid=\"" + pid + "\"}[10m])").empty())
            << "fdscope_leak_eta_seconds had a series for the " << name << " fixture";

    // The target was up at every scrape, while the badly named process was
    // listed with its comm made valid UTF-8 (the bad byte is U+FFFD).
    const json up = instant(prom_port, "min_over_time(up{job=\"fdscope\"}[10m])");
    ASSERT_EQ(up.size(), 1u) << up.dump();
    EXPECT_EQ(up[0]["value"][1], "1") << "a scrape of fdscope serve failed";
    const json bad_series = instant(prom_port, "fdscope_process_open_fds{pid=\"" + bad_pid + "\"}");
    ASSERT_EQ(bad_series.size(), 1u) << "the badly named fixture (60 of 64 fds) is not listed: " << bad_series.dump();
    EXPECT_EQ(bad_series[0]["metric"].value("comm", ""), "b\xEF\xBF\xBD" "d");

    // Prometheus 2.42 asks for OpenMetrics first, and got it.
    const json om = instant(prom_port, "fdscope_scrapes_total{format=\"openmetrics\"} > 0");
    EXPECT_EQ(om.size(), 1u) << "no scrape in OpenMetrics: " << instant(prom_port, "fdscope_scrapes_total").dump();
    EXPECT_TRUE(instant(prom_port, "fdscope_scrapes_total{format=\"text\"} > 0").empty());

    prom->stop(SIGTERM);
    serve.stop(SIGTERM);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(90));
}
