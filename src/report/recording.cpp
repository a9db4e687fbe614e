#include "report/recording.hpp"

#include <charconv>
#include <algorithm>
#include <cmath>
#include <istream>
#include <limits>
#include <nlohmann/json.hpp>

namespace fdscope::report {
namespace {

using nlohmann::json;


// A key that must be a finite number; none when absent or anything else.
std::optional<double> number(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number()) return std::nullopt;
    double v = it->get<double>();
    if (!std::isfinite(v)) return std::nullopt;
    return v;
}

std::optional<std::uint64_t> count(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_unsigned()) return std::nullopt;
    return it->get<std::uint64_t>();
}

// Pids are positive; anything else cannot name a process.
std::optional<std::int64_t> pid_of(const json& j) {
    auto v = count(j, "pid");
    if (!v || *v == 0 || *v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return std::nullopt;
    return static_cast<std::int64_t>(*v);
}

// `start` may be absent (the pid alone then names the process); present, it
// must be a number, or the line would be filed under the wrong process.
std::optional<double> start_of(const json& j) {
    auto it = j.find("start");
    if (it == j.end() || it->is_null()) return 0.0;
    return number(j, "start");
}

bool blank(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

bool by_time(const PlotPoint& a, const PlotPoint& b) { return a.time < b.time; }

// Peak descending, then pid, then start: a total order, so the choice
// does not depend on the order of the record.
bool larger_first(const PlotSeries& a, const PlotSeries& b) {
    const auto pa = a.peak(), pb = b.peak();
    if (pa != pb) return pa > pb;
    if (a.pid != b.pid) return a.pid < b.pid;
    return a.start < b.start;
}

bool faster_first(const PlotSeries& a, const PlotSeries& b) {
    constexpr double none = -std::numeric_limits<double>::infinity();
    const double ra = a.rate_per_min.value_or(none), rb = b.rate_per_min.value_or(none);
    if (ra != rb) return ra > rb;
    return larger_first(a, b);
}

}  // namespace

// The inverse for a value flagged as escaped ("name_escaped",
// "command_escaped"): each text \xHH back to its byte. (A name that holds
// the text "\xHH" itself and invalid bytes too cannot be told apart:
// schema 1 flags the value, not each escape.)
std::string unescape_bytes(std::string_view text) {
    // The two digits after "\x" as a byte, when they are two hex digits.
    auto byte_at = [&](std::size_t at, unsigned char& b) {
        const char* end = text.data() + at + 2;
        auto [p, ec] = std::from_chars(text.data() + at, end, b, 16);
        return ec == std::errc() && p == end;
    };
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        unsigned char b = 0;
        if (text[i] == '\\' && i + 3 < text.size() && text[i + 1] == 'x' && byte_at(i + 2, b)) {
            out += static_cast<char>(b);
            i += 3;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::uint64_t PlotSeries::peak() const {
    std::uint64_t p = 0;
    for (const auto& pt : points) p = std::max(p, pt.fds);
    return p;
}

void RecordReader::feed(std::string_view chunk) {
    while (!chunk.empty()) {
        auto nl = chunk.find('\n');
        if (nl == std::string_view::npos) {
            partial_.append(chunk);
            return;
        }
        if (partial_.empty()) {
            line(chunk.substr(0, nl));
        } else {
            partial_.append(chunk.substr(0, nl));
            line(partial_);
            partial_.clear();
        }
        chunk.remove_prefix(nl + 1);
    }
}

Record RecordReader::finish() {
    if (!partial_.empty()) line(partial_);
    partial_.clear();
    index_.clear();
    auto& all = record_.series;
    // A leak line names its process; only samples give it something to draw.
    std::erase_if(all, [](const PlotSeries& s) { return s.points.empty(); });
    for (auto& s : all)
        if (!std::is_sorted(s.points.begin(), s.points.end(), by_time))
            std::stable_sort(s.points.begin(), s.points.end(), by_time);
    return std::move(record_);
}

PlotSeries& RecordReader::series_for(std::int64_t pid, double start) {
    auto [it, added] = index_.try_emplace({pid, start}, record_.series.size());
    if (added) {
        record_.series.emplace_back();
        record_.series.back().pid = pid;
        record_.series.back().start = start;
    }
    return record_.series[it->second];
}

void RecordReader::line(std::string_view text) {
    if (blank(text)) return;
    const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    const std::string* type = nullptr;
    if (j.is_object())
        if (auto it = j.find("type"); it != j.end() && it->is_string()) type = &it->get_ref<const std::string&>();
    if (!type) {
        ++record_.malformed;
        return;
    }
    const std::string& t = *type;
    if (t == "header" || t == "machine" || t == "alert") return;
    if (t != "sample" && t != "leak") {
        ++record_.unknown;
        return;
    }
    auto pid = pid_of(j);
    auto start = start_of(j);
    auto time = number(j, "time");
    auto fds = count(j, "fds");
    const bool sample = t == "sample";
    if (!pid || !start || (sample && (!time || !fds))) {
        ++record_.malformed;
        return;
    }
    PlotSeries& s = series_for(*pid, *start);
    if (auto cmd = j.find("command"); cmd != j.end() && cmd->is_string()) {
        // Bytes that are not UTF-8 came as the text \xHH: back to bytes, so
        // that the chart escapes them once, as the text log does.
        auto esc = j.find("command_escaped");
        const bool escaped = esc != j.end() && esc->is_boolean() && esc->get<bool>();
        s.command = escaped ? unescape_bytes(cmd->get_ref<const std::string&>()) : cmd->get<std::string>();
    }
    if (!sample) {
        s.leak = true;
        if (auto rate = number(j, "rate_per_min")) s.rate_per_min = rate;
        return;
    }
    s.points.push_back({*time, *fds});
    ++record_.samples;
    record_.first_time = std::min(record_.first_time.value_or(*time), *time);
    record_.last_time = std::max(record_.last_time.value_or(*time), *time);
}

Record read_record(std::string_view text) {
    RecordReader r;
    r.feed(text);
    return r.finish();
}

Record read_record(std::istream& in) {
    RecordReader r;
    char chunk[64 * 1024];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) r.feed({chunk, static_cast<std::size_t>(in.gcount())});
    return r.finish();
}

std::vector<PlotSeries> select_top(std::vector<PlotSeries> series, std::size_t n) {
    auto rest = std::stable_partition(series.begin(), series.end(), [](const PlotSeries& s) { return s.leak; });
    std::sort(series.begin(), rest, faster_first);
    std::sort(rest, series.end(), larger_first);
    if (series.size() > n) series.erase(series.begin() + static_cast<std::ptrdiff_t>(n), series.end());
    return series;
}

}  // namespace fdscope::report
