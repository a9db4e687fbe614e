// The whole exposition of a scrape with every feature, against goldens
// checked in beside this file (never written by the test: a change of
// output is a change of contract, made by hand), then handed to the
// consumers that decide in production: promtool for text 0.0.4 and
// python3-prometheus-client's strict OpenMetrics parser.
#include <filesystem>
#include <fstream>
#include <set>
#include <gtest/gtest.h>
#include <sstream>
#include <unistd.h>

#include "export/sample_data.hpp"
#include "support/support.hpp"

namespace fdscope::exporter {
namespace {

namespace fs = std::filesystem;

const fs::path kGolden = fs::path(FDSCOPE_SOURCE_DIR) / "tests/export/golden";

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A scratch directory for this test process, removed with it.
class Scratch {
public:
    Scratch() : dir_(fs::path(FDSCOPE_BUILD_DIR) / ("export-test-" + std::to_string(::getpid()))) {
        fs::create_directories(dir_);
    }
    ~Scratch() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    fs::path write(const std::string& name, const std::string& text) const {
        std::ofstream(dir_ / name, std::ios::binary) << text;
        return dir_ / name;
    }

private:
    fs::path dir_;
};

std::string exposition(Format format) {
    return render(build_families(sample::all_features(), sample::all_features_options()), format);
}

// On a difference, the actual output is left in the build tree to compare
// and, when the change is meant, copy over the golden by hand.
void expect_golden(const std::string& name, Format format) {
    const std::string want = read_file(kGolden / name);
    const std::string got = exposition(format);
    if (got != want) {
        const fs::path actual = fs::path(FDSCOPE_BUILD_DIR) / (name + ".actual");
        std::ofstream(actual, std::ios::binary) << got;
        ADD_FAILURE() << "exposition differs from " << (kGolden / name) << "; actual output in " << actual;
    }
}

TEST(Golden, Text) { expect_golden("all.txt", Format::Text); }
TEST(Golden, OpenMetrics) { expect_golden("all.om", Format::OpenMetrics); }

TEST(Golden, PromtoolChecksTheText) {
    if (!test::have_tool("promtool")) {
        GTEST_SKIP() << "promtool not installed (Debian: prometheus)";
    }
    const auto r = test::run({"sh", "-c", "promtool check metrics < \"$0\"", (kGolden / "all.txt").string()});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
}

TEST(Golden, PromtoolRejectsWhatItShould) {
    if (!test::have_tool("promtool")) {
        GTEST_SKIP() << "promtool not installed (Debian: prometheus)";
    }
    // The check above can fail: a counter without _total is a lint finding
    // (exit 3), and OpenMetrics' info type is a parse error to it (exit 1).
    Scratch scratch;
    const auto lint = scratch.write("lint.txt", "# HELP x_seconds h\n# TYPE x_seconds counter\nx_seconds 1\n");
    EXPECT_EQ(test::run({"sh", "-c", "promtool check metrics < \"$0\"", lint.string()}).status, 3);
    const auto om = scratch.write("all.om", exposition(Format::OpenMetrics));
    EXPECT_EQ(test::run({"sh", "-c", "promtool check metrics < \"$0\"", om.string()}).status, 1);
}

constexpr const char* kParse = R"(
import json, sys
try:
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
except ImportError:
    sys.exit(77)
text = open(sys.argv[1], encoding="utf-8", errors="strict").read()
families = list(text_string_to_metric_families(text))
comms = sorted({s.labels["comm"] for f in families for s in f.samples if "comm" in s.labels})
print(json.dumps({"families": len(families), "samples": sum(len(f.samples) for f in families),
                  "types": {f.name: f.type for f in families}, "comms": comms}))
)";

// Debian's python3-prometheus-client is installed for the system python,
// which a python3 earlier on PATH (pyenv, a venv) may not see.
std::string python() { return fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3"; }

TEST(Golden, OpenMetricsParsesStrictly) {
    if (!fs::exists("/usr/bin/python3") && !test::have_tool("python3")) {
        GTEST_SKIP() << "python3 not installed";
    }
    const auto r = test::run({python(), "-c", kParse, (kGolden / "all.om").string()});
    if (r.status == 77) {
        GTEST_SKIP() << "python3 prometheus_client not installed (Debian: python3-prometheus-client)";
    }
    ASSERT_EQ(r.status, 0) << r.err;
    const auto got = nlohmann::json::parse(r.out);
    const auto families = build_families(sample::all_features(), sample::all_features_options());
    std::size_t samples = 0;
    for (const Family& f : families) samples += f.samples.size();
    EXPECT_EQ(got["families"], families.size());
    EXPECT_EQ(got["samples"], samples);
    EXPECT_EQ(got["types"]["fdscope_scrapes"], "counter");
    EXPECT_EQ(got["types"]["process_cpu_seconds"], "counter");
    EXPECT_EQ(got["types"]["fdscope_build"], "info");
    // The hostile comm arrives as what it was, its invalid byte as U+FFFD.
    EXPECT_EQ(got["comms"], nlohmann::json::parse(R"(["ev\nil\t\"q\\\ufffd","leaker","pool","systemd","tiny"])"));
}

TEST(Golden, OpenMetricsParserRejectsWhatItShould) {
    if (!fs::exists("/usr/bin/python3") && !test::have_tool("python3")) {
        GTEST_SKIP() << "python3 not installed";
    }
    Scratch scratch;
    std::string om = exposition(Format::OpenMetrics);
    const auto no_eof = scratch.write("no_eof.om", om.substr(0, om.size() - 6));
    const auto r = test::run({python(), "-c", kParse, no_eof.string()});
    if (r.status == 77) {
        GTEST_SKIP() << "python3 prometheus_client not installed (Debian: python3-prometheus-client)";
    }
    EXPECT_NE(r.status, 0);
    om.replace(om.find("# TYPE fdscope_scrapes counter"), 30, "# TYPE fdscope_scrapes_total counter");
    EXPECT_NE(test::run({python(), "-c", kParse, scratch.write("total.om", om).string()}).status, 0);
}

// The two formats differ in metadata only: the same sample lines, in order.
TEST(Golden, BothFormatsCarryTheSameSamples) {
    const auto samples = [](const std::string& text) {
        std::vector<std::string> lines;
        for (auto& line : test::split_lines(text))
            if (!line.starts_with('#')) lines.push_back(line);
        return lines;
    };
    EXPECT_EQ(samples(read_file(kGolden / "all.txt")), samples(read_file(kGolden / "all.om")));
}

// docs/metrics.md is where the names are a contract: every metric written
// has its row there, and every row names a metric that is written.
TEST(Golden, DocsListEveryMetric) {
    const std::string docs = read_file(fs::path(FDSCOPE_SOURCE_DIR) / "docs/metrics.md");
    ASSERT_FALSE(docs.empty());
    std::set<std::string> written;
    for (const Family& f : build_families(sample::all_features(), sample::all_features_options())) {
        const std::string name =
            f.name + (f.type == MetricType::Counter ? "_total" : f.type == MetricType::Info ? "_info" : "");
        written.insert(name);
        EXPECT_NE(docs.find("| `" + name + "`"), std::string::npos) << name << " has no row in docs/metrics.md";
    }
    for (const auto& line : test::split_lines(docs)) {
        if (!line.starts_with("| `fdscope_") && !line.starts_with("| `process_")) continue;
        const std::string name = line.substr(3, line.find('`', 3) - 3);
        if (line.find("| gauge |") == std::string::npos && line.find("| counter |") == std::string::npos &&
            line.find("| info |") == std::string::npos)
            continue;  // a row of another table (renames)
        EXPECT_TRUE(written.count(name)) << name << " is documented but not written";
    }
}

// The bound the issue sets, read as Prometheus' own tool reads it.
TEST(Cardinality, PromtoolExtendedCountsUnderThousand) {
    if (!test::have_tool("promtool")) {
        GTEST_SKIP() << "promtool not installed (Debian: prometheus)";
    }
    CardinalityOptions opts;
    opts.kinds = true;
    Scratch scratch;
    const auto file = scratch.write("thousand.txt", render(build_families(sample::thousand_processes(), opts), Format::Text));
    const auto r = test::run({"sh", "-c", "promtool check metrics --extended < \"$0\"", file.string()});
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    // Rows "name  cardinality  percent", closed by "Total  N  100%".
    std::size_t series = 0, rows = 0;
    for (const auto& line : test::split_lines(r.out + r.err)) {
        std::istringstream words(line);
        std::string name, cardinality;
        if (!(words >> name >> cardinality) || cardinality.find_first_not_of("0123456789") != std::string::npos)
            continue;
        if (name == "Total") series = std::stoul(cardinality);
        else ++rows;
    }
    EXPECT_GT(rows, 20U) << r.out << r.err;
    EXPECT_LT(series, 1000U) << r.out << r.err;
}

}  // namespace
}  // namespace fdscope::exporter
