// The Prometheus text format 0.0.4 and OpenMetrics 1.0.0, written from one
// model of metric families, and the choice between them from a scrape's
// Accept header. Pure: families in, bytes out. Hand-written (no
// prometheus-cpp): Debian's 1.0.1 has no OpenMetrics and no info type, and
// the whole exposition is a few hundred lines of string building
// (../shared/research/serve.md §4).
//
// Everything a scraper might choke on is made safe here, never upstream:
// label values are any bytes (a comm is attacker-chosen) and leave as valid
// UTF-8 (invalid sequences become U+FFFD: one invalid byte makes Prometheus
// drop the whole scrape) with \\, \" and \n escaped; HELP escapes \\ and \n;
// values print as Go's ParseFloat reads them (NaN, +Inf, -Inf, integers
// exact up to 2^53, shortest round-trip otherwise).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace fdscope::exporter {

enum class MetricType { Gauge, Counter, Info };

struct Label {
    std::string name;   // [a-zA-Z_][a-zA-Z0-9_]*, checked by the caller's tests
    std::string value;  // any bytes
};

struct Sample {
    std::vector<Label> labels;
    double value = 0;
};

// One family. `name` is the family name: a counter's without "_total" (the
// samples get it), an info's without "_info" (the samples get it); `unit`,
// when not empty, is the name's suffix ("seconds" for ..._seconds) and is
// written as # UNIT in OpenMetrics only.
struct Family {
    std::string name;
    MetricType type = MetricType::Gauge;
    std::string help;
    std::string unit;
    std::vector<Sample> samples;
};

enum class Format { Text, OpenMetrics };

inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";
inline constexpr std::string_view kOpenMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";

// The whole exposition: families in the order given; OpenMetrics ends with
// "# EOF\n". A family without samples is written with its metadata only.
std::string render(const std::vector<Family>& families, Format format);

// Which format a scraper asked for: OpenMetrics 1.0.0 when the Accept header
// ranks application/openmetrics-text (version 1.0.0 or no version) at least
// as high as text/plain (else text/*, else */*) and above q=0, else text
// 0.0.4 (also for an empty, missing or unparsable header; a wildcard alone
// never selects OpenMetrics, so curl and browsers get text).
Format negotiate(std::string_view accept);
std::string_view content_type(Format format);

// The pieces render() uses, for their own tests and fuzzing.
std::string escape_label_value(std::string_view bytes);  // valid UTF-8, \\ \" \n escaped
// HELP: valid UTF-8, \\ and \n escaped; OpenMetrics also escapes \" (its
// HELP is an escaped string, where text 0.0.4 would read \" as an error).
std::string escape_help(std::string_view bytes, Format format = Format::Text);
std::string format_value(double v);

}  // namespace fdscope::exporter
