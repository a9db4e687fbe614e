// `fdscope plot`'s two pure halves: reading a record back (report/recording)
// and drawing it (plot_svg). Every document is parsed by a real XML parser
// (python3's expat), never matched as text.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <unistd.h>

#include "render/plot_svg.hpp"
#include "report/recording.hpp"
#include "render/utf8_oracle.hpp"
#include "support/support.hpp"

namespace fdscope::render {
namespace {

using nlohmann::json;
using report::read_record;
using report::Record;
using report::RecordReader;
using report::select_top;

// Parses an SVG and describes what the tests look at, as JSON. A document
// that is not well-formed XML 1.0 makes it exit non-zero.
constexpr const char* kDescribe = R"py(
import json, sys, xml.etree.ElementTree as E
ns = '{http://www.w3.org/2000/svg}'
root = E.parse(sys.argv[1]).getroot()
text = lambda e: ''.join(e.itertext())
out = {'root': root.tag, 'attrib': root.attrib, 'series': [], 'legend': [], 'texts': {},
       'tags': sorted({e.tag.replace(ns, '') for e in root.iter()}),
       'hrefs': [v for e in root.iter() for k, v in e.attrib.items() if k.endswith('href')],
       'title': root.find(ns + 'title').text}
for g in root.iter(ns + 'g'):
    if g.get('class') == 'series':
        line = g.find(ns + 'polyline')
        out['series'].append({'pid': g.get('data-pid'), 'command': g.get('data-command'), 'leak': g.get('data-leak'),
                              'stroke': None if line is None else line.get('stroke'),
                              'width': None if line is None else float(line.get('stroke-width')),
                              'points': 0 if line is None else len(line.get('points').split()),
                              'circle': g.find(ns + 'circle') is not None})
    elif g.get('class') == 'legend-entry':
        out['legend'].append({'pid': g.get('data-pid'), 'text': text(g.find(ns + 'text'))})
for t in root.iter(ns + 'text'):
    out['texts'].setdefault(t.get('class') or '', []).append(text(t))
print(json.dumps(out))
)py";

class TempFile {
public:
    TempFile() {
        const char* dir = std::getenv("TMPDIR");
        path_ = std::string(dir && *dir ? dir : "/tmp") + "/fdscope-plot-XXXXXX.svg";
        const int fd = ::mkstemps(path_.data(), 4);
        if (fd < 0) throw std::runtime_error("mkstemps failed");
        ::close(fd);
    }
    ~TempFile() { ::unlink(path_.c_str()); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

json describe(const std::string& svg) {
    TempFile f;
    std::ofstream(f.path(), std::ios::binary) << svg;
    const auto r = test::run({"python3", "-c", kDescribe, f.path()});
    if (r.status != 0) {
        ADD_FAILURE() << "not well-formed XML: " << r.err << "\n" << svg.substr(0, 4000);
        return json::object({{"series", json::array()}, {"legend", json::array()}, {"texts", json::object()}});
    }
    return json::parse(r.out);
}

PlotSeries series(std::int64_t pid, std::string command, std::vector<std::uint64_t> counts, double t0 = 1000,
                  double step = 1) {
    PlotSeries s;
    s.pid = pid;
    s.start = 500;
    s.command = std::move(command);
    for (std::size_t i = 0; i < counts.size(); ++i) s.points.push_back({t0 + static_cast<double>(i) * step, counts[i]});
    return s;
}

const json* series_with_pid(const json& doc, std::int64_t pid) {
    for (const auto& s : doc["series"])
        if (s["pid"] == std::to_string(pid)) return &s;
    return nullptr;
}

bool any_text_contains(const json& doc, const std::string& cls, const std::string& needle) {
    if (!doc["texts"].contains(cls)) return false;
    for (const auto& t : doc["texts"][cls])
        if (t.get<std::string>().find(needle) != std::string::npos) return true;
    return false;
}

// A sample line as watch --record writes it.
std::string sample(double time, std::int64_t pid, double start, const std::string& command, std::uint64_t fds) {
    return json({{"type", "sample"}, {"time", time}, {"pid", pid}, {"start", start}, {"command", command},
                 {"fds", fds}, {"limit", 1024}}).dump() + "\n";
}

std::string leak(double time, std::int64_t pid, double start, double rate) {
    return json({{"type", "leak"}, {"time", time}, {"pid", pid}, {"start", start}, {"command", "x"}, {"fds", 1},
                 {"limit", nullptr}, {"rate_per_min", rate}, {"eta_seconds", nullptr}, {"since", time},
                 {"baseline", nullptr}, {"new", nullptr}}).dump() + "\n";
}

TEST(PlotSvg, OneSeriesPerProcessWithItsPidAndCommand) {
    const auto doc = describe(plot_svg({series(10, "alpha", {1, 2, 3}), series(20, "beta", {5, 5, 5}),
                                        series(30, "gamma", {0, 9, 4})}, {}));
    EXPECT_EQ(doc["root"], "{http://www.w3.org/2000/svg}svg");
    ASSERT_EQ(doc["series"].size(), 3u);
    for (auto [pid, cmd] : {std::pair{10, "alpha"}, {20, "beta"}, {30, "gamma"}}) {
        const json* s = series_with_pid(doc, pid);
        ASSERT_NE(s, nullptr) << pid;
        EXPECT_EQ((*s)["command"], cmd);
        EXPECT_EQ((*s)["points"], 3);
        EXPECT_EQ((*s)["leak"], "false");
    }
    std::set<std::string> colours;
    for (const auto& s : doc["series"]) colours.insert(s["stroke"]);
    EXPECT_EQ(colours.size(), 3u) << "each process its own colour";
    ASSERT_EQ(doc["legend"].size(), 3u);
    EXPECT_EQ(doc["legend"][0]["text"], "10 alpha") << "legend in the order given";
}

TEST(PlotSvg, SelfContainedWithSizeAndTitle) {
    PlotOptions o;
    o.width = 800;
    o.height = 400;
    o.title = "my chart";
    const std::string svg = plot_svg({series(1, "a", {1, 2})}, o);
    const auto doc = describe(svg);
    EXPECT_EQ(doc["attrib"]["width"], "800");
    EXPECT_EQ(doc["attrib"]["height"], "400");
    EXPECT_EQ(doc["attrib"]["viewBox"], "0 0 800 400");
    EXPECT_EQ(doc["title"], "my chart");
    EXPECT_TRUE(any_text_contains(doc, "title", "my chart"));
    EXPECT_TRUE(doc["hrefs"].empty()) << doc["hrefs"];
    for (const char* tag : {"script", "image", "style", "foreignObject", "use"})
        EXPECT_EQ(std::count(doc["tags"].begin(), doc["tags"].end(), tag), 0) << tag;
    EXPECT_EQ(svg.find("http://", svg.find("xmlns=") + 40), std::string::npos) << "no other URL than the namespace";
    EXPECT_EQ(svg.find("@import"), std::string::npos);
}

TEST(PlotSvg, AxesHaveUnitsAndNiceTicksFromZero) {
    // 0..90 s, peak 1234 fds.
    auto s = series(1, "a", {0, 1234, 700, 10}, 5000, 30);
    const auto doc = describe(plot_svg({s}, {}));
    EXPECT_EQ(doc["texts"]["x-label"][0], "time (s)");
    EXPECT_EQ(doc["texts"]["y-label"][0], "open fds");
    const auto& y = doc["texts"]["y-tick"];
    ASSERT_GE(y.size(), 3u);
    EXPECT_EQ(y[0], "0");
    EXPECT_EQ(y.back(), "1,400") << "the first nice value at or above the peak";
    const auto& x = doc["texts"]["x-tick"];
    ASSERT_GE(x.size(), 3u);
    EXPECT_EQ(x[0], "0") << "seconds since the first sample";
    // Steps of 1, 2 or 5 times a power of ten.
    const double step = std::stod(x[1].get<std::string>());
    const double mag = std::pow(10, std::floor(std::log10(step)));
    const double m = step / mag;
    EXPECT_TRUE(m == 1 || m == 2 || m == 5) << step;
}

TEST(PlotSvg, LongRecordingsCountInMinutesOrHours) {
    EXPECT_EQ(describe(plot_svg({series(1, "a", {1, 2}, 0, 1800)}, {}))["texts"]["x-label"][0], "time (min)");
    EXPECT_EQ(describe(plot_svg({series(1, "a", {1, 2}, 0, 86400)}, {}))["texts"]["x-label"][0], "time (h)");
}

TEST(PlotSvg, TimeOriginIsZeroOnTheAxis) {
    PlotOptions o;
    o.time_origin = 990;  // 10 s before the first point
    const auto doc = describe(plot_svg({series(1, "a", {1, 2, 3}, 1000, 5)}, o));
    const auto& x = doc["texts"]["x-tick"];
    ASSERT_GE(x.size(), 2u);
    EXPECT_EQ(x[0], "0");
    EXPECT_GE(std::stod(x.back().get<std::string>()), 15.0) << x;
}

TEST(PlotSvg, LeakSuspectIsRedThickAndNamedInTheLegendWithItsRate) {
    auto leaker = series(4242, "leaker", {100, 120, 140, 160});
    leaker.leak = true;
    leaker.rate_per_min = 1200;
    const auto doc = describe(plot_svg({leaker, series(7, "calm", {50, 50, 50, 50})}, {}));
    const json* l = series_with_pid(doc, 4242);
    const json* c = series_with_pid(doc, 7);
    ASSERT_TRUE(l && c);
    EXPECT_EQ((*l)["leak"], "true");
    EXPECT_EQ((*l)["stroke"], "#d62728");
    EXPECT_GT((*l)["width"].get<double>(), (*c)["width"].get<double>());
    EXPECT_NE((*c)["stroke"], "#d62728") << "red is for leak suspects only";
    ASSERT_EQ(doc["legend"].size(), 2u);
    EXPECT_EQ(doc["legend"][0]["pid"], "4242");
    const std::string text = doc["legend"][0]["text"];
    EXPECT_NE(text.find("4242 leaker"), std::string::npos) << text;
    EXPECT_NE(text.find("leak +1,200 fds/min"), std::string::npos) << text;
    EXPECT_EQ(doc["legend"][1]["text"].get<std::string>().find("leak"), std::string::npos);
}

TEST(PlotSvg, LeakWithoutRateStillSaysLeak) {
    auto s = series(5, "x", {1, 2});
    s.leak = true;
    const auto doc = describe(plot_svg({s}, {}));
    ASSERT_EQ(doc["legend"].size(), 1u);
    EXPECT_NE(doc["legend"][0]["text"].get<std::string>().find("leak"), std::string::npos);
}

TEST(PlotSvg, HostileCommandNamesGiveValidXml) {
    const std::vector<std::string> names = {
        "new\nline", "tab\there", "<script>alert(1)</script>", "a & b", "bad\xff\xfe utf8", "\"double\" 'single'",
        std::string("nul\0byte", 8), "\x01\x1b[31mred\x7f", "\xef\xbf\xbe\xef\xbf\xbf nonchars", "\xc2\x85 nel",
        "]]> cdata end", "\xed\xa0\x80 surrogate", "caf\xc3\xa9 \xe2\x9c\x93 ok"};
    std::vector<PlotSeries> all;
    for (std::size_t i = 0; i < names.size(); ++i) all.push_back(series(static_cast<std::int64_t>(i + 1), names[i], {1, 2}));
    PlotOptions o;
    o.title = "title <&> \x02\xff";
    const std::string svg = plot_svg(all, o);
    EXPECT_TRUE(testing::is_valid_utf8(svg));
    for (unsigned char c : fdscope::test::bytes(svg)) EXPECT_TRUE(c >= 0x20 || c == '\n') << "control byte " << int(c);
    const auto doc = describe(svg);
    ASSERT_EQ(doc["series"].size(), names.size());
    EXPECT_EQ(series_with_pid(doc, 3)->at("command"), "<script>alert(1)</script>") << "escaped, not dropped";
    EXPECT_EQ(series_with_pid(doc, 4)->at("command"), "a & b");
    EXPECT_EQ(series_with_pid(doc, 5)->at("command"), "bad\\xff\\xfe utf8");
    EXPECT_EQ(series_with_pid(doc, 6)->at("command"), "\"double\" 'single'");
    EXPECT_EQ(series_with_pid(doc, 1)->at("command"), "new\\nline") << "as in fdscope's tables";
    EXPECT_EQ(series_with_pid(doc, 13)->at("command"), "caf\xc3\xa9 \xe2\x9c\x93 ok") << "valid UTF-8 is kept";
    EXPECT_EQ(std::count(doc["tags"].begin(), doc["tags"].end(), "script"), 0);
    EXPECT_EQ(doc["title"], "title <&> \\x02\\xff");
}

TEST(PlotSvg, XmlTextEscapesTheFiveSpecials) {
    EXPECT_EQ(xml_text("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
    EXPECT_EQ(xml_text("\xef\xbf\xbe"), "\\xef\\xbf\\xbe");
}

TEST(PlotSvg, ZeroSeriesIsAValidDocumentSayingSo) {
    const auto doc = describe(plot_svg({}, {}));
    EXPECT_EQ(doc["root"], "{http://www.w3.org/2000/svg}svg");
    EXPECT_TRUE(doc["series"].empty());
    EXPECT_TRUE(any_text_contains(doc, "note", "no samples"));
}

TEST(PlotSvg, OnePointIsMarked) {
    const auto doc = describe(plot_svg({series(1, "once", {42})}, {}));
    ASSERT_EQ(doc["series"].size(), 1u);
    EXPECT_EQ(doc["series"][0]["points"], 1);
    EXPECT_TRUE(doc["series"][0]["circle"]) << "a one-point polyline is invisible";
}

TEST(PlotSvg, IdenticalTimesAndAllZeroCounts) {
    const auto doc = describe(plot_svg({series(1, "same", {0, 0, 0}, 1000, 0), series(2, "zero", {0, 0, 0}, 1000, 0)}, {}));
    ASSERT_EQ(doc["series"].size(), 2u);
    EXPECT_TRUE(doc["series"][0]["circle"]);
    const auto& y = doc["texts"]["y-tick"];
    ASSERT_GE(y.size(), 2u);
    EXPECT_EQ(y[0], "0");
    EXPECT_EQ(y.back(), "1") << "an empty range still has a scale";
    EXPECT_EQ(std::stod(doc["texts"]["x-tick"][0].get<std::string>()), 0.0) << "one second is shown, in tenths";
}

TEST(PlotSvg, HugeCountsGetShortLabels) {
    const std::uint64_t huge = 18'000'000'000'000'000'000ull;
    const auto svg = plot_svg({series(1, "big", {0, huge, huge / 2})}, {});
    EXPECT_EQ(svg.find("nan"), std::string::npos);
    EXPECT_EQ(svg.find("inf"), std::string::npos);
    const auto doc = describe(svg);
    for (const auto& t : doc["texts"]["y-tick"]) EXPECT_LE(t.get<std::string>().size(), 6u) << t;
    EXPECT_EQ(doc["texts"]["y-tick"].back(), "20E");
}

TEST(PlotSvg, LongSeriesAreThinnedButKeepTheirSpikes) {
    std::vector<std::uint64_t> counts(100000, 100);
    counts[54321] = 10000;  // one sample, one spike
    counts[77777] = 3;     // and one dip
    const std::string svg = plot_svg({series(1, "long", counts)}, {});
    EXPECT_LT(svg.size(), 100'000u) << "a pixel column needs at most two points";
    const auto doc = describe(svg);
    EXPECT_LT(doc["series"][0]["points"].get<int>(), 2000);
    EXPECT_EQ(doc["texts"]["y-tick"].back(), "10,000") << "the spike still sets the scale";
    // The spike is a point of the line: the top of the scale is reached.
    const auto top = svg.find(",44.0 ");
    EXPECT_NE(top, std::string::npos) << "no point at the top edge (y=44)";
}

TEST(PlotSvg, ManySeriesOnAShortChartCountTheRestInTheLegend) {
    std::vector<PlotSeries> all;
    for (int i = 1; i <= 100; ++i) all.push_back(series(i, "p" + std::to_string(i), {static_cast<std::uint64_t>(i)}));
    PlotOptions o;
    o.width = 320;
    o.height = 200;
    const auto doc = describe(plot_svg(all, o));
    EXPECT_EQ(doc["series"].size(), 100u) << "every series is drawn";
    EXPECT_LT(doc["legend"].size(), 100u);
    bool more = false;
    for (const auto& t : doc["texts"][""]) more |= t.get<std::string>().find("more") != std::string::npos;
    EXPECT_TRUE(more);
}

TEST(RecordReader, GroupsSamplesByPidAndStart) {
    std::string text = "{\"type\":\"header\",\"schema\":1,\"interval\":1.0,\"window\":10.0,\"time\":99.0}\n";
    for (int t = 100; t < 105; ++t) {
        text += sample(t, 7, 50.0, "old", static_cast<std::uint64_t>(10 + t));
        text += sample(t, 8, 60.0, "other", 1);
    }
    for (int t = 105; t < 108; ++t) text += sample(t, 7, 104.5, "reused", 3);  // pid 7 again, a new process
    const Record rec = read_record(text);
    EXPECT_EQ(rec.samples, 13u);
    EXPECT_EQ(rec.malformed, 0u);
    ASSERT_EQ(rec.series.size(), 3u);
    EXPECT_EQ(rec.series[0].pid, 7);
    EXPECT_EQ(rec.series[0].start, 50.0);
    EXPECT_EQ(rec.series[0].command, "old");
    EXPECT_EQ(rec.series[0].points.size(), 5u);
    EXPECT_EQ(rec.series[0].peak(), 114u);
    EXPECT_EQ(rec.series[2].pid, 7);
    EXPECT_EQ(rec.series[2].start, 104.5);
    EXPECT_EQ(rec.series[2].command, "reused");
    EXPECT_EQ(rec.series[2].points.size(), 3u);
    EXPECT_EQ(*rec.first_time, 100.0);
    EXPECT_EQ(*rec.last_time, 107.0);

    const auto doc = describe(plot_svg(rec.series, {}));
    int sevens = 0;
    for (const auto& s : doc["series"]) sevens += s["pid"] == "7";
    EXPECT_EQ(sevens, 2) << "a reused pid is another line";
}

// watch writes a byte that is not UTF-8 as the text \xHH and flags the
// value: the reader turns it back into the byte, so the chart escapes it
// once (as the text log does), not the backslash of its text again.
TEST(RecordReader, EscapedCommandsAreBytesAgain) {
    std::string text = json({{"type", "sample"}, {"time", 1.0}, {"pid", 5}, {"start", 0.5}, {"command", "bad\\xff\tx"},
                             {"command_escaped", true}, {"fds", 3}, {"limit", 1024}}).dump() + "\n";
    text += sample(1, 6, 0.5, "lit\\x41", 3);  // not flagged: the text itself
    const Record rec = read_record(text);
    ASSERT_EQ(rec.series.size(), 2u);
    EXPECT_EQ(rec.series[0].command, "bad\xff\tx");
    EXPECT_EQ(rec.series[1].command, "lit\\x41");
    const auto doc = describe(plot_svg(rec.series, {}));
    EXPECT_EQ(series_with_pid(doc, 5)->at("command"), "bad\\xff\\tx") << "as tables show it";
    EXPECT_EQ(series_with_pid(doc, 6)->at("command"), "lit\\\\x41") << "a backslash is escaped";
}

TEST(RecordReader, LeakLinesMarkTheirProcessAndKeepTheLastRate) {
    std::string text;
    for (int t = 0; t < 10; ++t) text += sample(t, 1, 0.5, "leaker", static_cast<std::uint64_t>(10 * t)) + sample(t, 2, 0.5, "calm", 5);
    text += leak(5, 1, 0.5, 600) + leak(9, 1, 0.5, 1200);
    text += leak(9, 1, 99.0, 50);  // another process with pid 1: no samples, nothing to draw
    const Record rec = read_record(text);
    ASSERT_EQ(rec.series.size(), 2u);
    EXPECT_TRUE(rec.series[0].leak);
    EXPECT_EQ(rec.series[0].rate_per_min, 1200.0);
    EXPECT_FALSE(rec.series[1].leak);
    EXPECT_FALSE(rec.series[1].rate_per_min);
}

TEST(RecordReader, SkipsAndCountsMalformedAndUnknownLines) {
    std::string text;
    text += sample(1, 1, 0, "ok", 5);
    text += "not json at all\n";
    text += "{\"type\":\"sample\",\"time\":2,\"pid\":1,\"start\":0,\"fds\":";  // cut short
    text += "\n[1,2,3]\n";                                                        // not an object
    text += "{\"no\":\"type\"}\n";
    text += "{\"type\":7}\n";
    text += "{\"type\":\"sample\",\"time\":3,\"pid\":1,\"start\":0}\n";            // no fds
    text += "{\"type\":\"sample\",\"time\":3,\"pid\":-4,\"start\":0,\"fds\":1}\n";  // no such pid
    text += "{\"type\":\"sample\",\"time\":3,\"pid\":1,\"start\":0,\"fds\":-1}\n";
    text += "{\"type\":\"sample\",\"time\":\"3\",\"pid\":1,\"start\":0,\"fds\":1}\n";
    text += "{\"type\":\"sample\",\"time\":3,\"pid\":1,\"start\":\"x\",\"fds\":1}\n";
    text += "{\"type\":\"sample\",\"time\":3,\"pid\":1,\"command\":\"\xff\",\"fds\":1}\n";  // raw invalid UTF-8
    text += "{\"type\":\"heartbeat\",\"time\":3}\n{\"type\":\"future-kind\"}\n";
    text += "{\"type\":\"machine\",\"time\":3,\"file_nr\":1}\n{\"type\":\"alert\",\"pid\":1}\n\n   \n";
    text += "{\"type\":\"sample\",\"time\":4,\"pid\":1,\"start\":0,\"command\":\"ok\",\"fds\":6,\"extra\":{\"a\":[1]}}\n";
    text += sample(5, 1, 0, "ok", 7).substr(0, 30);  // the last line, unfinished: watch was killed
    const Record rec = read_record(text);
    EXPECT_EQ(rec.malformed, 12u);
    EXPECT_EQ(rec.unknown, 2u);
    EXPECT_EQ(rec.samples, 2u);
    ASSERT_EQ(rec.series.size(), 1u);
    EXPECT_EQ(rec.series[0].points.size(), 2u);
}

TEST(RecordReader, StartMayBeAbsentAndLinesArriveInPieces) {
    const std::string text = "{\"type\":\"sample\",\"time\":2,\"pid\":3,\"fds\":4}\n"
                             "{\"type\":\"sample\",\"time\":1,\"pid\":3,\"fds\":5}";  // out of order, no newline
    RecordReader r;
    for (char c : text) r.feed(std::string_view(&c, 1));
    const Record rec = r.finish();
    ASSERT_EQ(rec.series.size(), 1u);
    ASSERT_EQ(rec.series[0].points.size(), 2u);
    EXPECT_EQ(rec.series[0].points[0].time, 1.0) << "points are put in time order";
    std::istringstream in(text);
    EXPECT_EQ(read_record(in).samples, 2u);
}

TEST(RecordReader, NeverThrowsOnGarbage) {
    std::mt19937 rng(42);
    std::string base;
    for (int t = 0; t < 20; ++t) base += sample(t, 1 + t % 3, 0, "c", static_cast<std::uint64_t>(t)) + leak(t, 1, 0, 100);
    for (int round = 0; round < 300; ++round) {
        std::string text = base;
        for (int k = 0; k < 10; ++k) text[rng() % text.size()] = static_cast<char>(rng());
        EXPECT_NO_THROW({
            const Record rec = read_record(text);
            (void)plot_svg(select_top(rec.series, 8), {});
        });
    }
    EXPECT_NO_THROW(read_record(std::string(100000, '[')));
}

TEST(SelectTop, LeakSuspectsFirstThenByPeak) {
    std::vector<PlotSeries> all;
    for (int pid = 1; pid <= 6; ++pid) all.push_back(series(pid, "p", {static_cast<std::uint64_t>(pid * 100)}));
    all[0].leak = true;  // the smallest one leaks
    all[0].rate_per_min = 40;
    auto top = select_top(all, 3);
    ASSERT_EQ(top.size(), 3u);
    EXPECT_EQ(top[0].pid, 1) << "kept although its peak is the lowest";
    EXPECT_EQ(top[1].pid, 6);
    EXPECT_EQ(top[2].pid, 5);
    top = select_top(all, 1);
    ASSERT_EQ(top.size(), 1u);
    EXPECT_EQ(top[0].pid, 1);
    EXPECT_EQ(select_top(all, 100).size(), 6u);
}

TEST(SelectTop, MoreSuspectsThanRoomKeepsTheFastest) {
    std::vector<PlotSeries> all;
    for (int pid = 1; pid <= 5; ++pid) {
        all.push_back(series(pid, "p", {1000}));
        all.back().leak = true;
        all.back().rate_per_min = pid == 3 ? 5000 : pid * 10;
    }
    all.push_back(series(99, "big", {100000}));
    const auto top = select_top(all, 2);
    ASSERT_EQ(top.size(), 2u);
    EXPECT_EQ(top[0].pid, 3);
    EXPECT_EQ(top[1].pid, 5);
}

TEST(SelectTop, TiesGoByPid) {
    const auto top = select_top({series(9, "a", {5}), series(2, "b", {5}), series(4, "c", {5})}, 2);
    ASSERT_EQ(top.size(), 2u);
    EXPECT_EQ(top[0].pid, 2);
    EXPECT_EQ(top[1].pid, 4);
}

}  // namespace
}  // namespace fdscope::render
