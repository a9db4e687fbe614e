// Content negotiation for a scrape (RFC 9110 §12.5.1 Accept, read leniently):
// a malformed media range is ignored, not the whole header, and whatever
// is left undecided gets text 0.0.4, which every Prometheus reads.
#include <algorithm>
#include <charconv>
#include <optional>

#include "export/exposition.hpp"

namespace fdscope::exporter {
namespace {

std::string_view trim(std::string_view s) {
    const auto space = [](char c) { return c == ' ' || c == '\t'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// Splits on `sep` outside double quotes (a quoted parameter value may hold
// commas and semicolons).
std::vector<std::string_view> split_unquoted(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    bool quoted = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && quoted) ++i;
        else if (s[i] == '"') quoted = !quoted;
        else if (s[i] == sep && !quoted) {
            parts.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    parts.push_back(s.substr(std::min(start, s.size())));
    return parts;
}

bool token(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
        if (!ok) return false;
    }
    return true;
}

std::string_view unquote(std::string_view v) {
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
    return v;
}

// RFC 9110 qvalue: 0 to 1 with at most three decimals.
std::optional<double> parse_q(std::string_view v) {
    if (v.empty() || v.size() > 5 || (v[0] != '0' && v[0] != '1')) return std::nullopt;
    if (v.size() > 1 && v[1] != '.') return std::nullopt;
    for (std::size_t i = 2; i < v.size(); ++i)
        if (v[i] < '0' || v[i] > '9') return std::nullopt;
    if (v.back() == '.') v.remove_suffix(1);  // "1." is a qvalue too
    double q = 0;
    const auto r = std::from_chars(v.data(), v.data() + v.size(), q);
    if (r.ec != std::errc() || r.ptr != v.data() + v.size() || q > 1) return std::nullopt;
    return q;
}

struct MediaRange {
    std::string type;     // "application/openmetrics-text", lower case
    std::string version;  // empty when not given
    double q = 1;
};

std::optional<MediaRange> parse_range(std::string_view text) {
    const auto parts = split_unquoted(text, ';');
    MediaRange range;
    const std::string_view type = trim(parts[0]);
    const std::size_t slash = type.find('/');
    if (slash == std::string_view::npos || !token(type.substr(0, slash)) || !token(type.substr(slash + 1)))
        return std::nullopt;
    range.type = lower(type);
    for (std::size_t i = 1; i < parts.size(); ++i) {
        const std::string_view param = trim(parts[i]);
        const std::size_t eq = param.find('=');
        if (eq == std::string_view::npos) return std::nullopt;
        const std::string name = lower(trim(param.substr(0, eq)));
        const std::string_view value = unquote(trim(param.substr(eq + 1)));
        if (name == "q") {
            const auto q = parse_q(value);
            if (!q) return std::nullopt;
            range.q = *q;
        } else if (name == "version") {
            range.version = std::string(value);
        }
    }
    return range;
}

}  // namespace

Format negotiate(std::string_view accept) {
    // OpenMetrics only when asked for by name: a browser's or curl's */*
    // gets text, as from every other exporter. Text's rank is that of its
    // most specific range (text/plain, else text/*, else */*).
    double openmetrics = 0, plain = -1, text_any = -1, any = -1;
    for (std::string_view part : split_unquoted(accept, ',')) {
        const auto range = parse_range(part);
        if (!range) continue;
        if (range->type == "application/openmetrics-text") {
            if (range->version.empty() || range->version == "1.0.0") openmetrics = std::max(openmetrics, range->q);
        } else if (range->type == "text/plain") {
            plain = std::max(plain, range->q);
        } else if (range->type == "text/*") {
            text_any = std::max(text_any, range->q);
        } else if (range->type == "*/*") {
            any = std::max(any, range->q);
        }
    }
    const double text = plain >= 0 ? plain : text_any >= 0 ? text_any : std::max(any, 0.0);
    return openmetrics > 0 && openmetrics >= text ? Format::OpenMetrics : Format::Text;
}

std::string_view content_type(Format format) {
    return format == Format::OpenMetrics ? kOpenMetricsContentType : kTextContentType;
}

}  // namespace fdscope::exporter
