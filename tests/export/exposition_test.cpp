// The exposition's pieces, each against a table of what Prometheus and the
// OpenMetrics parsers expect (../shared/research/serve.md §2).
#include "export/exposition.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <limits>

namespace fdscope::exporter {
namespace {

struct EscapeCase {
    std::string in, label, help_text, help_om;
};

TEST(Escape, LabelValuesAndHelp) {
    const std::string fffd = "\xEF\xBF\xBD";
    const EscapeCase cases[] = {
        {"nginx", "nginx", "nginx", "nginx"},
        {"", "", "", ""},
        {"a\\b", "a\\\\b", "a\\\\b", "a\\\\b"},
        {"say \"hi\"", "say \\\"hi\\\"", "say \"hi\"", "say \\\"hi\\\""},
        {"two\nlines", "two\\nlines", "two\\nlines", "two\\nlines"},
        {"tab\there", "tab\there", "tab\there", "tab\there"},  // no escape exists for a tab: kept
        {"b\xff"
         "d",
         "b" + fffd + "d", "b" + fffd + "d", "b" + fffd + "d"},
        {"\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9"},  // valid UTF-8 kept
        {"\xc3", fffd, fffd, fffd},                                                        // cut sequence
        {"\xc0\xaf", fffd + fffd, fffd + fffd, fffd + fffd},                               // overlong '/'
        {"\xed\xa0\x80", fffd + fffd + fffd, fffd + fffd + fffd, fffd + fffd + fffd},      // surrogate
        {"\xf4\x90\x80\x80", fffd + fffd + fffd + fffd, fffd + fffd + fffd + fffd, fffd + fffd + fffd + fffd},
        {"\xf0\x9f\x90\xb3", "\xf0\x9f\x90\xb3", "\xf0\x9f\x90\xb3", "\xf0\x9f\x90\xb3"},  // U+1F433
        {"\\\n\"", "\\\\\\n\\\"", "\\\\\\n\"", "\\\\\\n\\\""},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(escape_label_value(c.in), c.label) << c.in;
        EXPECT_EQ(escape_help(c.in, Format::Text), c.help_text) << c.in;
        EXPECT_EQ(escape_help(c.in, Format::OpenMetrics), c.help_om) << c.in;
    }
    EXPECT_EQ(escape_help("a\"b"), "a\"b");  // the default is text 0.0.4
}

TEST(FormatValue, GoParseFloatReadsEachAsMeant) {
    const std::pair<double, std::string> cases[] = {
        {0, "0"},
        {1, "1"},
        {-1, "-1"},
        {1024, "1024"},
        {1000000, "1000000"},                          // exact, not Go's 1e+06
        {9007199254740992.0, "9007199254740992"},      // 2^53: still exact
        {9007199254740994.0, "9.007199254740994e+15"}, // past 2^53: shortest round trip
        {static_cast<double>(std::numeric_limits<long>::max()), "9.223372036854776e+18"},  // file-max LONG_MAX
        {0.5, "0.5"},
        {0.1, "0.1"},
        {1234.5, "1234.5"},
        {0.0001, "0.0001"},
        {0.00001, "1e-05"},
        {1234567.5, "1.2345675e+06"},
        {1733300000.25, "1.73330000025e+09"},
        {-0.25, "-0.25"},
        {1e300, "1e+300"},
        {5e-324, "5e-324"},
        {std::numeric_limits<double>::quiet_NaN(), "NaN"},
        {std::numeric_limits<double>::infinity(), "+Inf"},
        {-std::numeric_limits<double>::infinity(), "-Inf"},
    };
    for (const auto& [v, text] : cases) EXPECT_EQ(format_value(v), text) << text;
}

TEST(FormatValue, EveryFiniteValueRoundTrips) {
    const double values[] = {1.0 / 3, 2.0 / 3 * 1e10, 123456.789, 6.02214076e23, 1e-7, 0.30000000000000004,
                             9.2233720368547758e18, 4096.0 / 1023};
    for (double v : values) EXPECT_EQ(std::stod(format_value(v)), v) << format_value(v);
}

std::vector<Family> kinds_of_family() {
    Family gauge{"demo_open_fds", MetricType::Gauge, "Open \"fds\".\nSecond line \\ end.", "", {}};
    gauge.samples.push_back({{{"pid", "1"}, {"comm", "a\"b"}}, 3});
    gauge.samples.push_back({{}, std::numeric_limits<double>::quiet_NaN()});
    Family counter{"demo_scrapes", MetricType::Counter, "Scrapes.", "", {{{{"format", "text"}}, 2}}};
    Family info{"demo_build", MetricType::Info, "Build.", "", {{{{"version", "1.0"}}, 1}}};
    Family seconds{"demo_age_seconds", MetricType::Gauge, "Age.", "seconds", {{{}, 1.5}}};
    Family wrong_unit{"demo_size", MetricType::Gauge, "Size.", "bytes", {{{}, 4}}};  // unit not the suffix
    Family empty{"demo_nothing", MetricType::Gauge, "No series.", "", {}};
    return {gauge, counter, info, seconds, wrong_unit, empty};
}

TEST(Render, TextNamesTheSamples) {
    EXPECT_EQ(render(kinds_of_family(), Format::Text),
              "# HELP demo_open_fds Open \"fds\".\\nSecond line \\\\ end.\n"
              "# TYPE demo_open_fds gauge\n"
              "demo_open_fds{pid=\"1\",comm=\"a\\\"b\"} 3\n"
              "demo_open_fds NaN\n"
              "# HELP demo_scrapes_total Scrapes.\n"
              "# TYPE demo_scrapes_total counter\n"
              "demo_scrapes_total{format=\"text\"} 2\n"
              "# HELP demo_build_info Build.\n"
              "# TYPE demo_build_info gauge\n"
              "demo_build_info{version=\"1.0\"} 1\n"
              "# HELP demo_age_seconds Age.\n"
              "# TYPE demo_age_seconds gauge\n"
              "demo_age_seconds 1.5\n"
              "# HELP demo_size Size.\n"
              "# TYPE demo_size gauge\n"
              "demo_size 4\n"
              "# HELP demo_nothing No series.\n"
              "# TYPE demo_nothing gauge\n");
}

TEST(Render, OpenMetricsNamesTheFamilies) {
    EXPECT_EQ(render(kinds_of_family(), Format::OpenMetrics),
              "# TYPE demo_open_fds gauge\n"
              "# HELP demo_open_fds Open \\\"fds\\\".\\nSecond line \\\\ end.\n"
              "demo_open_fds{pid=\"1\",comm=\"a\\\"b\"} 3\n"
              "demo_open_fds NaN\n"
              "# TYPE demo_scrapes counter\n"
              "# HELP demo_scrapes Scrapes.\n"
              "demo_scrapes_total{format=\"text\"} 2\n"
              "# TYPE demo_build info\n"
              "# HELP demo_build Build.\n"
              "demo_build_info{version=\"1.0\"} 1\n"
              "# TYPE demo_age_seconds gauge\n"
              "# UNIT demo_age_seconds seconds\n"
              "# HELP demo_age_seconds Age.\n"
              "demo_age_seconds 1.5\n"
              "# TYPE demo_size gauge\n"
              "# HELP demo_size Size.\n"
              "demo_size 4\n"
              "# TYPE demo_nothing gauge\n"
              "# HELP demo_nothing No series.\n"
              "# EOF\n");
}

TEST(Render, NothingIsStillAnExposition) {
    EXPECT_EQ(render({}, Format::Text), "");
    EXPECT_EQ(render({}, Format::OpenMetrics), "# EOF\n");
}

TEST(Negotiate, AcceptHeaders) {
    const std::pair<std::string, Format> cases[] = {
        // Debian's Prometheus 2.42, measured.
        {"application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
         "text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
         Format::OpenMetrics},
        // Current Prometheus (config.go DefaultScrapeProtocols, with escaping=).
        {"application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,"
         "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,"
         "text/plain;version=0.0.4;q=0.2,*/*;q=0.1",
         Format::OpenMetrics},
        // Prometheus asked for OpenMetrics 0.0.1 only (scrape_protocols): we write 1.0.0 only.
        {"application/openmetrics-text;version=0.0.1", Format::Text},
        {"application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5", Format::Text},
        {"application/openmetrics-text", Format::OpenMetrics},
        {"application/openmetrics-text; version=\"1.0.0\"; charset=utf-8", Format::OpenMetrics},
        {"APPLICATION/OpenMetrics-Text;Version=1.0.0", Format::OpenMetrics},
        {"text/plain;version=0.0.4", Format::Text},
        {"text/plain", Format::Text},
        {"", Format::Text},
        {"*/*", Format::Text},  // curl, browsers: text as from any exporter
        {"application/*", Format::Text},
        {"text/*;q=0.2,application/openmetrics-text;q=0.3", Format::OpenMetrics},
        {"*/*;q=0.9,application/openmetrics-text;q=0.3", Format::Text},
        // q-values: the higher wins, a tie goes to OpenMetrics, q=0 refuses.
        {"text/plain;q=0.9,application/openmetrics-text;version=1.0.0;q=0.8", Format::Text},
        {"text/plain;q=0.8,application/openmetrics-text;version=1.0.0;q=0.8", Format::OpenMetrics},
        {"application/openmetrics-text;q=0", Format::Text},
        {"application/openmetrics-text;q=0.000,text/plain;q=0", Format::Text},
        {"application/openmetrics-text;q=1.", Format::OpenMetrics},
        {"application/openmetrics-text;q=0.001", Format::OpenMetrics},
        // Garbage: the broken range is dropped, the rest still counts.
        {"application/openmetrics-text;q=2", Format::Text},
        {"application/openmetrics-text;q=-1", Format::Text},
        {"application/openmetrics-text;q=0.0001", Format::Text},
        {"application/openmetrics-text;q=abc", Format::Text},
        {"application/openmetrics-text;q", Format::Text},
        {"application/openmetrics-text;;", Format::Text},
        {"openmetrics", Format::Text},
        {"/", Format::Text},
        {",,,", Format::Text},
        {";;;q=1", Format::Text},
        {"application/openmetrics-text version=1.0.0", Format::Text},
        {"\xff\xfe/\x01", Format::Text},
        {"garbage, application/openmetrics-text;version=1.0.0", Format::OpenMetrics},
        {"application/openmetrics-text;version=\"1.0.0,text/plain\"", Format::Text},
        {"application/openmetrics-text;version=1.0.0;q=0.5 , text/plain;q=0.4", Format::OpenMetrics},
        {"\"", Format::Text},
    };
    for (const auto& [accept, want] : cases)
        EXPECT_EQ(negotiate(accept) == Format::OpenMetrics, want == Format::OpenMetrics) << accept;
}

TEST(Negotiate, ContentTypes) {
    EXPECT_EQ(content_type(Format::Text), "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(content_type(Format::OpenMetrics), "application/openmetrics-text; version=1.0.0; charset=utf-8");
}

}  // namespace
}  // namespace fdscope::exporter
