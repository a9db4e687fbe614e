// `fdscope plot FILE -o chart.svg` end to end, on records written by hand
// as watch --record writes them (docs/json.md): exit statuses, messages,
// and the chart checked by a real XML parser (python3's expat).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <csignal>
#include <map>
#include <sys/stat.h>

#include "cli/cli_helpers.hpp"

namespace fdscope::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The series of an SVG as JSON; exits non-zero on anything that is not
// well-formed XML.
constexpr const char* kSeries = R"py(
import json, sys, xml.etree.ElementTree as E
ns = '{http://www.w3.org/2000/svg}'
root = E.parse(sys.argv[1]).getroot()
series = []
for g in root.iter(ns + 'g'):
    if g.get('class') == 'series':
        line = g.find(ns + 'polyline')
        series.append({'pid': g.get('data-pid'), 'command': g.get('data-command'), 'leak': g.get('data-leak'),
                       'stroke': line.get('stroke'), 'width': float(line.get('stroke-width'))})
legend = [''.join(g.itertext()) for g in root.iter(ns + 'g') if g.get('class') == 'legend-entry']
print(json.dumps({'root': root.tag, 'series': series, 'legend': legend, 'title': root.find(ns + 'title').text}))
)py";

class Plot : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "fdscope-plot-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path(name), std::ios::binary) << text;
        return path(name);
    }
    RunResult plot(std::vector<std::string> args) const {
        args.insert(args.begin(), {fdscope_bin(), "plot"});
        return run(args);
    }
    json describe(const std::string& svg_path) const {
        RunResult r = run({"python3", "-c", kSeries, svg_path});
        EXPECT_EQ(r.status, 0) << "not well-formed XML: " << r.err;
        return r.status == 0 ? json::parse(r.out) : json::object({{"series", json::array()}});
    }

    fs::path dir_;
};

// 20 ticks of three processes: 4242 leaks 20 fds a tick (flagged at tick
// 10), 17 is steady, 99 saws.
std::string three_process_record() {
    const double t0 = 1795000000.0;
    std::string out = json({{"type", "header"}, {"schema", 1}, {"interval", 1.0}, {"window", 10.0}, {"min_rate", 30.0},
                            {"counting", "st_size"}, {"time", t0}}).dump() + "\n";
    auto sample = [&](double t, int pid, double start, const char* cmd, int fds) {
        out += json({{"type", "sample"}, {"time", t}, {"pid", pid}, {"start", start}, {"command", cmd}, {"fds", fds},
                     {"limit", 1024}}).dump() + "\n";
    };
    for (int i = 0; i < 20; ++i) {
        const double t = t0 + 1 + i;
        out += json({{"type", "machine"}, {"time", t}, {"file_nr", 3317}, {"file_max", 9223372036854775807LL},
                     {"processes", 3}}).dump() + "\n";
        sample(t, 4242, t0 - 9.5, "leaker", 100 + 20 * i);
        sample(t, 17, t0 - 1000, "steady", 500);
        sample(t, 99, t0 - 1000, "saw", 300 + (i % 5) * 40);
        if (i == 10)
            out += json({{"type", "leak"}, {"time", t}, {"pid", 4242}, {"start", t0 - 9.5}, {"command", "leaker"},
                         {"fds", 300}, {"limit", 1024}, {"rate_per_min", 1200.0}, {"eta_seconds", 34.2},
                         {"since", t - 10}, {"baseline", t - 6}, {"new", json::array()}}).dump() + "\n";
    }
    return out;
}

TEST_F(Plot, ThreeProcessesWithTheLeakHighlighted) {
    const auto rec = write("rec.ndjson", three_process_record());
    const auto out = path("out.svg");
    RunResult r = plot({rec, "-o", out});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out, "") << "the chart goes to the file only";
    const json doc = describe(out);
    EXPECT_EQ(doc["root"], "{http://www.w3.org/2000/svg}svg");
    ASSERT_EQ(doc["series"].size(), 3u);
    std::map<std::string, json> by_pid;
    for (const auto& s : doc["series"]) by_pid[s["pid"]] = s;
    ASSERT_TRUE(by_pid.count("4242") && by_pid.count("17") && by_pid.count("99"));
    EXPECT_EQ(by_pid["4242"]["leak"], "true");
    EXPECT_EQ(by_pid["4242"]["command"], "leaker");
    EXPECT_EQ(by_pid["17"]["leak"], "false");
    EXPECT_GT(by_pid["4242"]["width"].get<double>(), by_pid["17"]["width"].get<double>());
    EXPECT_NE(by_pid["4242"]["stroke"], by_pid["17"]["stroke"]);
    ASSERT_FALSE(doc["legend"].empty());
    const std::string first = doc["legend"][0];
    EXPECT_NE(first.find("4242 leaker"), std::string::npos) << first;
    EXPECT_NE(first.find("leak +1,200 fds/min"), std::string::npos) << first;
    EXPECT_NE(doc["title"].get<std::string>().find("open fds per process"), std::string::npos);
    EXPECT_NE(doc["title"].get<std::string>().find("(19 s)"), std::string::npos) << "the span of the record";
    // Written as a new file is: not left 0600 by the temporary it came from.
    struct stat st{};
    ASSERT_EQ(::stat(out.c_str(), &st), 0);
    EXPECT_NE(st.st_mode & 0044, 0u) << std::oct << st.st_mode;
    for (const auto& e : fs::directory_iterator(dir_))
        EXPECT_TRUE(e.path().filename() == "rec.ndjson" || e.path().filename() == "out.svg") << "left over: " << e.path();
}

// A real process whose command is not UTF-8 and holds a tab (it exec'd a
// link of that name): watch's text, its record and the chart name it the
// same way, each byte escaped once (the chart showed \\xff where the text
// showed \xff: the record's "\xff" text was escaped again).
TEST_F(Plot, OddCommandIsEscapedOnceAsInTheTextLog) {
    const std::string name = "bad\xff\tname";  // 9 bytes: comm keeps them all
    const std::string link = path(name);
    fs::create_symlink(fixture_path("flat"), link);
    Fixture fx("exec_later", {"1024", link, "5"});
    const pid_t pid = fx.facts()["pid"];
    ASSERT_EQ(::kill(pid, SIGUSR1), 0);
    ASSERT_EQ(fx.next_line()["pid"], pid);  // flat, under its odd name
    const auto rec = path("rec.ndjson");
    RunResult w = run({fdscope_bin(), "watch", "-p", std::to_string(pid), "--count", "2", "--interval", "0.1", "--record", rec});
    ASSERT_EQ(w.status, 0) << w.err;
    const std::string shown = "bad\\xff\\tname";  // as tables show it
    EXPECT_NE(w.out.find(shown), std::string::npos) << w.out;
    std::ifstream in(rec);
    bool flagged = false;
    for (std::string line; std::getline(in, line);) {
        const json j = json::parse(line);
        if (j["type"] != "sample") continue;
        EXPECT_EQ(j["command"], "bad\\xff\tname") << "JSON: the byte as text, the tab as \\t";
        flagged = j.value("command_escaped", false);
    }
    EXPECT_TRUE(flagged) << "command_escaped says the \\xff is an escaped byte";
    RunResult r = plot({rec, "-o", path("odd.svg")});
    ASSERT_EQ(r.status, 0) << r.err;
    const json doc = describe(path("odd.svg"));
    ASSERT_EQ(doc["series"].size(), 1u);
    EXPECT_EQ(doc["series"][0]["command"], shown);
    ASSERT_FALSE(doc["legend"].empty());
    EXPECT_NE(doc["legend"][0].get<std::string>().find(shown), std::string::npos) << doc["legend"][0];
}

TEST_F(Plot, TopOneIsTheLeakSuspect) {
    const auto rec = write("rec.ndjson", three_process_record());
    RunResult r = plot({rec, "-o", path("top.svg"), "--top", "1"});
    ASSERT_EQ(r.status, 0) << r.err;
    const json doc = describe(path("top.svg"));
    ASSERT_EQ(doc["series"].size(), 1u);
    EXPECT_EQ(doc["series"][0]["pid"], "4242") << "its peak (480) is below steady's (500), yet it is kept";
}

TEST_F(Plot, OptionsAndStdout) {
    const auto rec = write("rec.ndjson", three_process_record());
    RunResult r = plot({rec, "-o", "-", "--title", "a <b> & c", "--width", "640", "--height", "300"});
    ASSERT_EQ(r.status, 0) << r.err;
    const auto svg = write("stdout.svg", r.out);
    const json doc = describe(svg);
    EXPECT_EQ(doc["title"], "a <b> & c");
    EXPECT_NE(r.out.find("width=\"640\" height=\"300\""), std::string::npos);
    EXPECT_EQ(plot({rec, "-o", path("x.svg"), "--top", "0"}).status, 2);
    EXPECT_EQ(plot({rec, "-o", path("x.svg"), "--width", "5"}).status, 2);
    EXPECT_EQ(plot({rec}).status, 2) << "-o is required";
}

TEST_F(Plot, MissingFileFailsWithTheReason) {
    const auto missing = path("nope.ndjson");
    RunResult r = plot({missing, "-o", path("out.svg")});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("fdscope: cannot read " + missing + ": No such file or directory"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(path("out.svg")));
    r = plot({dir_.string(), "-o", path("out.svg")});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("cannot read"), std::string::npos) << r.err;
}

TEST_F(Plot, FileWithoutSamplesFails) {
    const auto rec = write("empty.ndjson",
                           "{\"type\":\"header\",\"schema\":1,\"interval\":1.0,\"time\":1.0}\n"
                           "{\"type\":\"machine\",\"time\":2.0,\"file_nr\":1,\"file_max\":2,\"processes\":0}\n");
    RunResult r = plot({rec, "-o", path("out.svg")});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find(rec + " has no samples (was it written by fdscope watch --record?)"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(path("out.svg")));
    EXPECT_EQ(plot({write("zero.ndjson", ""), "-o", path("out.svg")}).status, 1);
}

TEST_F(Plot, MalformedLinesAreSkippedWithOneWarning) {
    const auto rec = write("rec.ndjson", three_process_record() + "garbage\n{\"type\":\"sample\",\"pi");
    RunResult r = plot({rec, "-o", path("out.svg")});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("skipped 2 malformed lines"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(describe(path("out.svg"))["series"].size(), 3u);
}

TEST_F(Plot, ReplacesAnOldChartAndNeverTheRecord) {
    const auto rec = write("rec.ndjson", three_process_record());
    const auto out = write("out.svg", "old chart");
    ASSERT_EQ(plot({rec, "-o", out}).status, 0);
    EXPECT_EQ(describe(out)["series"].size(), 3u);
    RunResult r = plot({rec, "-o", rec});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("overwrite"), std::string::npos) << r.err;
    EXPECT_EQ(describe(out)["series"].size(), 3u);
    std::ifstream in(rec);
    std::string first;
    std::getline(in, first);
    EXPECT_NE(first.find("\"header\""), std::string::npos) << "the record is intact";
    r = plot({rec, "-o", path("no-such-dir/out.svg")});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("fdscope: cannot write " + path("no-such-dir/out.svg")), std::string::npos) << r.err;
}

}  // namespace
}  // namespace fdscope::test

namespace fdscope::test {
namespace {

// Pixels of a PNG near the colours asked for, as JSON {"width", "height",
// "#rrggbb": count}: enough of a decoder (8-bit RGB/RGBA, not interlaced,
// which is what chromium writes) to tell a drawn chart from a blank page.
constexpr const char* kPixels = R"py(
import json, struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat = 8, b''
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
        assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
bpp = 3 if ctype == 2 else 4
raw, stride, prev, rows = zlib.decompress(idat), w * bpp, bytearray(w * bpp), []
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
out = {'width': w, 'height': h}
for colour in sys.argv[2:]:
    want = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    out[colour] = sum(1 for line in rows for x in range(0, stride, bpp)
                      if all(abs(line[x + k] - want[k]) <= 24 for k in range(3)))
print(json.dumps(out))
)py";

// Where chromium is installed (make deps installs it): the chart renders
// headless to a PNG in a real browser, and the browser drew it: the leak
// in red, the other series in their colours, on a white page of the size
// asked for.
TEST(PlotRender, ChromiumRendersTheChartToPng) {
    std::string browser;
    for (const char* b : {"chromium", "chromium-browser", "google-chrome"})
        if (have_tool(b)) browser = b;
    if (browser.empty()) GTEST_SKIP() << "chromium is not installed (make deps installs it): the SVG is checked by the XML parser only";
    std::string tmpl = (std::filesystem::temp_directory_path() / "fdscope-render-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    const std::filesystem::path dir = tmpl;
    struct RemoveOnExit {
        std::filesystem::path dir;
        ~RemoveOnExit() { std::filesystem::remove_all(dir); }
    } remove_on_exit{dir};  // the profile and HOME too: chromium writes a few MB there
    const std::string rec = (dir / "rec.ndjson").string(), svg = (dir / "chart.svg").string(),
                      png = (dir / "chart.png").string(), profile = (dir / "profile").string();
    std::ofstream(rec) << three_process_record();
    ASSERT_EQ(run({fdscope_bin(), "plot", rec, "-o", svg}).status, 0);
    // A new empty profile and no network of its own: as root in a container,
    // without a sandbox or a GPU; the timeout in case it waits for something
    // anyway. HOME too is the test's: chromium writes its crash database and
    // dconf their files under ~/.config and ~/.cache whatever the profile.
    const std::string home = (dir / "home").string();
    auto r = run({"env", "HOME=" + home, "XDG_CONFIG_HOME=" + home + "/.config", "XDG_CACHE_HOME=" + home + "/.cache",
                  "timeout", "120", browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--user-data-dir=" + profile, "--hide-scrollbars", "--window-size=960,540",
                  "--screenshot=" + png, "file://" + svg});
    EXPECT_EQ(r.status, 0) << r.err;
    auto px = run({"python3", "-c", kPixels, png, "#ffffff", "#d62728", "#1f77b4", "#ff7f0e"});
    ASSERT_EQ(px.status, 0) << px.err << r.err;
    const json counts = json::parse(px.out);
    EXPECT_EQ(counts["width"], 960);
    EXPECT_EQ(counts["height"], 540);
    EXPECT_GT(counts["#ffffff"].get<int>(), 960 * 540 / 2) << "a white page";
    EXPECT_GT(counts["#d62728"].get<int>(), 500) << "the leak's red line";
    EXPECT_GT(counts["#1f77b4"].get<int>() + counts["#ff7f0e"].get<int>(), 500) << "the other series";
}

}  // namespace
}  // namespace fdscope::test
