#include "export/exposition.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

#include "render/escape.hpp"

namespace fdscope::exporter {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Copies `bytes` as valid UTF-8 (each byte outside a valid sequence becomes
// U+FFFD) with \\ and \n escaped, and \" too when `quote` is set.
std::string escape(std::string_view bytes, bool quote) {
    std::string out;
    out.reserve(bytes.size());
    for (std::size_t i = 0; i < bytes.size();) {
        std::uint32_t cp = 0;
        const std::size_t n = render::utf8_length(bytes, i, cp);
        if (n == 0) {
            out += kReplacement;
            ++i;
            continue;
        }
        if (cp == '\\') out += "\\\\";
        else if (cp == '\n') out += "\\n";
        else if (cp == '"' && quote) out += "\\\"";
        else out.append(bytes, i, n);
        i += n;
    }
    return out;
}

bool ends_with_unit(std::string_view name, std::string_view unit) {
    return name.size() > unit.size() && name.ends_with(unit) && name[name.size() - unit.size() - 1] == '_';
}

// The name samples carry: a counter's gets "_total", an info's "_info".
std::string sample_name(const Family& f) {
    switch (f.type) {
    case MetricType::Counter: return f.name + "_total";
    case MetricType::Info: return f.name + "_info";
    case MetricType::Gauge: break;
    }
    return f.name;
}

std::string_view type_word(MetricType type, Format format) {
    switch (type) {
    case MetricType::Counter: return "counter";
    case MetricType::Info: return format == Format::OpenMetrics ? "info" : "gauge";
    case MetricType::Gauge: break;
    }
    return "gauge";
}

void write_samples(const Family& f, std::string& out) {
    const std::string name = sample_name(f);
    for (const Sample& s : f.samples) {
        out += name;
        if (!s.labels.empty()) {
            out += '{';
            for (std::size_t i = 0; i < s.labels.size(); ++i) {
                if (i) out += ',';
                out += s.labels[i].name;
                out += "=\"";
                out += escape_label_value(s.labels[i].value);
                out += '"';
            }
            out += '}';
        }
        out += ' ';
        out += format_value(s.value);
        out += '\n';
    }
}

// Text 0.0.4 has no family names: HELP and TYPE name the samples' name
// (a counter's TYPE line says fdscope_scrapes_total, an info is a gauge).
void write_text(const Family& f, std::string& out) {
    const std::string name = sample_name(f);
    if (!f.help.empty()) out += "# HELP " + name + ' ' + escape_help(f.help, Format::Text) + '\n';
    out += "# TYPE " + name + ' ' + std::string(type_word(f.type, Format::Text)) + '\n';
    write_samples(f, out);
}

// OpenMetrics names the family (no _total, no _info); # UNIT only when the
// unit is the name's suffix, which the strict parsers require.
void write_openmetrics(const Family& f, std::string& out) {
    out += "# TYPE " + f.name + ' ' + std::string(type_word(f.type, Format::OpenMetrics)) + '\n';
    if (!f.unit.empty() && f.type != MetricType::Info && ends_with_unit(f.name, f.unit))
        out += "# UNIT " + f.name + ' ' + f.unit + '\n';
    if (!f.help.empty()) out += "# HELP " + f.name + ' ' + escape_help(f.help, Format::OpenMetrics) + '\n';
    write_samples(f, out);
}

}  // namespace

std::string escape_label_value(std::string_view bytes) { return escape(bytes, true); }

std::string escape_help(std::string_view bytes, Format format) {
    return escape(bytes, format == Format::OpenMetrics);
}

std::string format_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    // Counts and limits are integers: written exactly, never as 1e+06.
    if (v == std::trunc(v) && std::fabs(v) <= 9007199254740992.0) {
        const auto r = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(v));
        return {buf, r.ptr};
    }
    // Go's strconv 'g' with shortest precision, as client_golang writes:
    // the exponent form below 1e-4 and from 1e6 up, fixed between.
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    const std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));
    std::size_t e = sci.find('e') + 1;
    if (sci[e] == '+') ++e;
    int exponent = 0;
    std::from_chars(sci.data() + e, sci.data() + sci.size(), exponent);
    if (exponent < -4 || exponent >= 6) return std::string(sci);
    r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    return {buf, r.ptr};
}

std::string render(const std::vector<Family>& families, Format format) {
    std::string out;
    for (const Family& f : families) {
        if (format == Format::OpenMetrics) write_openmetrics(f, out);
        else write_text(f, out);
    }
    if (format == Format::OpenMetrics) out += "# EOF\n";
    return out;
}

}  // namespace fdscope::exporter
