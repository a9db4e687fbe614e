// Label values, HELP texts, comms and groups are any bytes and values any
// doubles: whatever families they make (directly, or through
// build_families from a fuzzed scrape), both formats must come out as
// valid UTF-8 in which every line is a well-formed HELP, TYPE, UNIT, sample
// or (OpenMetrics, last) # EOF line, as Prometheus' parsers read them.
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "export/exposition.hpp"
#include "export/metrics.hpp"
#include "render/escape.hpp"

namespace {

using namespace fdscope::exporter;

class Bytes {
public:
    Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    bool empty() const { return pos_ >= size_; }
    std::uint8_t byte() { return empty() ? 0 : data_[pos_++]; }
    std::string text() {  // a length byte, then that many bytes
        std::size_t n = byte() % 24;
        n = std::min(n, size_ - std::min(pos_, size_));
        std::string s(reinterpret_cast<const char*>(data_ + pos_), n);
        pos_ += n;
        return s;
    }
    double number() {
        std::uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits = bits << 8 | byte();
        double v;
        std::memcpy(&v, &bits, sizeof v);
        return v;
    }
    std::uint64_t count() { return static_cast<std::uint64_t>(byte()) * byte(); }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

void check(bool ok) {
    if (!ok) std::abort();
}

bool name_char(char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (!first && c >= '0' && c <= '9');
}

// A metric or label name at the front of `s`, removed; false when none.
bool take_name(std::string_view& s) {
    std::size_t n = 0;
    while (n < s.size() && name_char(s[n], n == 0)) ++n;
    s.remove_prefix(n);
    return n > 0;
}

// An escaped string up to (not including) `end` or the end of the line.
bool take_escaped(std::string_view& s, bool in_quotes, bool quote_escape) {
    while (!s.empty() && !(in_quotes && s.front() == '"')) {
        if (s.front() == '\\') {
            if (s.size() < 2) return false;
            const char e = s[1];
            if (e != '\\' && e != 'n' && !(e == '"' && quote_escape)) return false;
            s.remove_prefix(2);
        } else {
            if (s.front() == '"' && quote_escape && !in_quotes) return false;  // OpenMetrics HELP
            s.remove_prefix(1);
        }
    }
    return true;
}

bool value_text(std::string_view v) {
    if (v == "NaN" || v == "+Inf" || v == "-Inf") return true;
    double d = 0;
    const auto r = std::from_chars(v.data(), v.data() + v.size(), d);
    return r.ec == std::errc() && r.ptr == v.data() + v.size() && std::isfinite(d);
}

void check_sample(std::string_view line) {
    check(take_name(line));
    if (!line.empty() && line.front() == '{') {
        line.remove_prefix(1);
        while (!line.empty() && line.front() != '}') {
            check(take_name(line));
            check(line.starts_with("=\""));
            line.remove_prefix(2);
            check(take_escaped(line, true, true));
            check(line.starts_with('"'));
            line.remove_prefix(1);
            if (line.starts_with(',')) line.remove_prefix(1);
        }
        check(line.starts_with('}'));
        line.remove_prefix(1);
    }
    check(line.starts_with(' '));
    line.remove_prefix(1);
    check(value_text(line));
}

void check_exposition(const std::string& out, Format format) {
    for (std::size_t i = 0; i < out.size();) {
        std::uint32_t cp = 0;
        const std::size_t n = fdscope::render::utf8_length(out, i, cp);
        check(n > 0);
        i += n;
    }
    const bool om = format == Format::OpenMetrics;
    check(out.empty() ? !om : out.back() == '\n');
    if (om) check(out.ends_with("\n# EOF\n") || out == "# EOF\n");
    for (std::size_t start = 0; start < out.size();) {
        const std::size_t end = out.find('\n', start);
        std::string_view line(out.data() + start, end - start);
        start = end + 1;
        if (line == "# EOF") {
            check(om && start == out.size());  // the last line, and only there
            continue;
        }
        if (line.starts_with("# HELP ")) {
            line.remove_prefix(7);
            check(take_name(line) && line.starts_with(' '));
            line.remove_prefix(1);
            check(take_escaped(line, false, om));
        } else if (line.starts_with("# TYPE ")) {
            line.remove_prefix(7);
            check(take_name(line) && line.starts_with(' '));
            line.remove_prefix(1);
            check(line == "gauge" || line == "counter" || (om && line == "info"));
        } else if (line.starts_with("# UNIT ")) {
            check(om);
            line.remove_prefix(7);
            check(take_name(line) && line.starts_with(' '));
            line.remove_prefix(1);
            check(take_name(line) && line.empty());
        } else {
            check_sample(line);
        }
    }
}

std::vector<Family> families_from(Bytes& in) {
    std::vector<Family> families;
    for (int f = 0; !in.empty() && f < 16; ++f) {
        Family family;
        const std::uint8_t shape = in.byte();
        family.type = static_cast<MetricType>(shape % 3);
        family.name = "f" + std::to_string(f) + ((shape & 4) ? "_seconds" : "");
        if (shape & 8) family.unit = (shape & 16) ? "seconds" : "bytes";
        family.help = in.text();
        for (int s = in.byte() % 5; s > 0; --s) {
            Sample sample;
            for (int l = in.byte() % 4; l > 0; --l) sample.labels.push_back({"l" + std::to_string(l), in.text()});
            sample.value = in.number();
            family.samples.push_back(std::move(sample));
        }
        families.push_back(std::move(family));
    }
    return families;
}

ScrapeData scrape_from(Bytes& in) {
    ScrapeData d;
    d.file_handles = in.count();
    d.file_handles_limit = in.count();
    for (int p = in.byte() % 12; p > 0; --p) {
        ProcessFacts facts;
        facts.pid = in.byte();
        facts.comm = in.text();
        const auto by = static_cast<GroupBy>(in.byte() % 4);
        const std::string cgroup = in.text(), exe = in.text();
        facts.group = group_of(by, cgroup, facts.comm, exe);
        facts.fds = in.count();
        facts.max_fds = in.count();
        facts.start_time = in.number();
        if (in.byte() & 1) facts.kinds = std::map<std::string, std::uint64_t>{{in.text(), in.count()}};
        d.processes.push_back(std::move(facts));
    }
    for (int l = in.byte() % 4; l > 0; --l) {
        LeakFacts leak{in.byte(), in.text(), in.text(), in.number(), std::nullopt, in.number()};
        if (in.byte() & 1) leak.eta_seconds = in.number();
        d.leaks.push_back(std::move(leak));
    }
    if (in.byte() & 1) d.account = AccountFacts{in.count(), in.count(), 0, 0, 0, 0, in.number(), in.number()};
    if (in.byte() & 1) {
        InheritedFacts inherited;
        inherited.by_group_severity[{in.text(), in.text()}] = in.count();
        inherited.interval = in.number();
        d.inherited = inherited;
    }
    d.collectors.push_back({in.text(), (in.byte() & 1) != 0, in.number()});
    d.scrapes_by_format[in.text()] = in.count();
    d.version = in.text();
    d.revision = in.text();
    d.backend = in.text();
    return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Bytes in(data, size);
    std::vector<Family> families;
    if (in.byte() & 1) {
        families = families_from(in);
    } else {
        CardinalityOptions opts;
        opts.max_groups = in.byte() % 4;
        opts.top = in.byte() % 4;
        opts.max_suspects = in.byte() % 3;
        opts.kinds = (in.byte() & 1) != 0;
        families = build_families(scrape_from(in), opts);
    }
    check_exposition(render(families, Format::Text), Format::Text);
    check_exposition(render(families, Format::OpenMetrics), Format::OpenMetrics);
    return 0;
}
