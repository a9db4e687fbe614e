// `fdscope plot FILE -o chart.svg`: a recorded watch (--record FILE) as an
// SVG chart of the top processes' fd counts over time.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

#include "cli/commands.hpp"
#include "cli/exit_status.hpp"
#include "render/plot_svg.hpp"
#include "report/recording.hpp"
#include "sys/files.hpp"

namespace fdscope::cli {
namespace {

// 0, or the errno that stopped the reading.
int read_into(const std::string& path, report::RecordReader& reader) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    std::vector<char> buf(1 << 20);
    int err = 0;
    for (;;) {
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            err = n < 0 ? errno : 0;
            break;
        }
        reader.feed({buf.data(), static_cast<std::size_t>(n)});
    }
    ::close(fd);
    return err;
}

bool same_file(const std::string& a, const std::string& b) {
    struct stat sa, sb;
    return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int write_chart(const std::string& output, const std::string& svg) {
    if (output == "-") {
        render::Output out;
        out.write(svg);
        return finish_output(out);
    }
    if (int err = sys::replace_file(output, svg)) {
        std::fprintf(stderr, "fdscope: cannot write %s: %s\n", output.c_str(), std::strerror(err));
        return kExitFailure;
    }
    return kExitOk;
}

}  // namespace

void add_plot(CLI::App& cmd, PlotArgs& a) {
    cmd.add_option("file", a.input, "a file written by watch --record")->required();
    cmd.add_option("-o,--output", a.output, "the SVG file to write (- for stdout)")->required();
    cmd.add_option("--top", a.top, "how many processes to draw (default 8; leak suspects first)")
        ->check(CLI::Range(1, 100));
    cmd.add_option("--width", a.width, "chart width in px (default 960)")->check(CLI::Range(320, 10000));
    cmd.add_option("--height", a.height, "chart height in px (default 540)")->check(CLI::Range(200, 10000));
    cmd.add_option("--title", a.title, "chart title (default: what it shows and the time span)");
}

int run_plot(const PlotArgs& a) {
    report::RecordReader reader;
    if (int err = read_into(a.input, reader)) {
        std::fprintf(stderr, "fdscope: cannot read %s: %s\n", a.input.c_str(), std::strerror(err));
        return kExitFailure;
    }
    report::Record rec = reader.finish();
    if (rec.samples == 0) {
        std::fprintf(stderr, "fdscope: %s has no samples (was it written by fdscope watch --record?)\n",
                     a.input.c_str());
        return kExitFailure;
    }
    if (rec.malformed)
        std::fprintf(stderr, "fdscope: %s: skipped %zu malformed line%s\n", a.input.c_str(), rec.malformed,
                     rec.malformed == 1 ? "" : "s");
    if (a.output != "-" && same_file(a.input, a.output)) {
        std::fprintf(stderr, "fdscope: -o %s would overwrite the record itself\n", a.output.c_str());
        return kExitFailure;
    }
    render::PlotOptions opts;
    opts.width = a.width;
    opts.height = a.height;
    opts.title = a.title.empty() ? render::default_plot_title(*rec.first_time, *rec.last_time) : a.title;
    opts.time_origin = rec.first_time;  // 0 s is the record's first sample, whichever process it was
    return write_chart(a.output, render::plot_svg(report::select_top(std::move(rec.series), a.top), opts));
}

}  // namespace fdscope::cli
