// Reading back what `fdscope watch --record FILE` wrote (docs/json.md,
// "fdscope watch --ndjson and --record FILE"), for `fdscope plot`. A record
// may be cut short (watch killed mid-line) or edited by hand: a line that
// cannot be used is counted and skipped, never fatal. Pure: text in.
#pragma once
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fdscope::report {

struct PlotPoint {
    double time = 0;  // Unix seconds
    std::uint64_t fds = 0;
};

// One process: a pid names one only together with its start time.
struct PlotSeries {
    std::int64_t pid = 0;
    double start = 0;
    std::string command;               // bytes, as recorded
    std::vector<PlotPoint> points;     // in time order
    bool leak = false;                 // flagged by a "leak" line
    std::optional<double> rate_per_min;  // of the last leak verdict

    std::uint64_t peak() const;
};

struct Record {
    std::vector<PlotSeries> series;   // one per (pid, start), in order of first appearance
    std::size_t samples = 0;          // "sample" lines used
    std::size_t malformed = 0;        // lines skipped: not JSON, no "type", or a known type missing its fields
    std::size_t unknown = 0;          // lines of types this reader does not know (ignored, as the contract says)
    std::optional<double> first_time, last_time;  // of the samples
};

// Feeds text in pieces of any size (a line may span pieces); finish() takes
// the last line even without its newline.
class RecordReader {
public:
    void feed(std::string_view chunk);
    Record finish();

private:
    void line(std::string_view text);
    PlotSeries& series_for(std::int64_t pid, double start);

    Record record_;
    std::string partial_;
    std::map<std::pair<std::int64_t, double>, std::size_t> index_;
};

Record read_record(std::string_view text);
// Undoes the JSON writers' "\xHH" for bytes that are not UTF-8 (docs/json.md:
// `name_escaped`, `command_escaped`): the text back to the bytes it was.
std::string unescape_bytes(std::string_view text);
Record read_record(std::istream& in);

// At most `n` series: every leak suspect first (by rate, highest first; if
// there are more than `n`, the `n` fastest), then the rest by peak fds,
// highest first, ties by pid.
std::vector<PlotSeries> select_top(std::vector<PlotSeries> series, std::size_t n);

}  // namespace fdscope::report
