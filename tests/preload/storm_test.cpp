// 8 threads x 100,000 fd creations and closes, with forks and execs between
// them: at every quiescent point the library's table (read here with
// process_vm_readv, not through fdscope) holds exactly the fds
// /proc/PID/fd lists, each of the kind that made it; so does the copy a
// fork child inherits, marked as its parent's. The same under
// ThreadSanitizer, with the library and the fixture built with
// -fsanitize=thread: no report.
#include <dirent.h>
#include <filesystem>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "preload/preload_helpers.hpp"
#include "support/support.hpp"
#include "sys/files.hpp"

namespace fdscope::test {
namespace {

namespace layout = sys::preload;
using preload::open_slots;
using preload::preload_wrapper;
using preload::proc_fds;
using preload::read_table;

bool starts_with(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

// The table of pid equals /proc/pid/fd above fd 2 (0-2 were open before the
// library loaded: it need not know them), each slot's kind matching the
// file. creator: the pid that must have made the fds (the parent, for a
// fork child's inherited copy).
void expect_table_matches(pid_t pid, pid_t creator, const std::string& what) {
    const auto fds = proc_fds(pid);
    ASSERT_FALSE(fds.empty()) << what;
    const int max_fd = fds.rbegin()->first;
    const auto t = read_table(pid, static_cast<std::size_t>(max_fd) + 1);
    ASSERT_TRUE(t.found) << what << ": no table in " << pid;
    ASSERT_EQ(t.error, "") << what;
    EXPECT_EQ(t.header->pid, pid) << what << ": the header names the process this copy belongs to";
    ASSERT_GT(t.header->slot_count, static_cast<std::uint32_t>(max_fd)) << what;
    const auto open = open_slots(t);
    std::size_t compared = 0;
    const layout::TableHeader& h = *t.header;
    for (const auto& [fd, link] : fds) {
        if (fd <= 2) continue;
        if (layout::is_library_fd(h, fd)) {
            // The library's own: high, and not a slot (libunwind's pipe, under FDSCOPE_STACKS=libunwind).
            rlimit rl{};
            ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);  // the fixture's, inherited from this test
            const long top = std::min<long>(static_cast<long>(rl.rlim_cur), 4096);
            EXPECT_GE(fd, top - 64) << what << ": the library's fd " << fd << " is placed high";
            continue;
        }
        ++compared;
        auto it = open.find(fd);
        if (it == open.end()) {
            ADD_FAILURE() << what << ": fd " << fd << " (" << link << ") is open but not in the table";
            continue;
        }
        const auto& s = *it->second;
        EXPECT_EQ(s.creator_pid, creator) << what << ": fd " << fd;
        switch (static_cast<layout::CreateOp>(s.op)) {
        case layout::CreateOp::Open:
        case layout::CreateOp::Openat:
        case layout::CreateOp::Open64:
        case layout::CreateOp::Openat64: EXPECT_EQ(link, "/dev/null") << what << ": fd " << fd; break;
        case layout::CreateOp::Socket: EXPECT_TRUE(starts_with(link, "socket:")) << what << ": fd " << fd << " " << link; break;
        case layout::CreateOp::Pipe:
        case layout::CreateOp::Pipe2: EXPECT_TRUE(starts_with(link, "pipe:")) << what << ": fd " << fd << " " << link; break;
        case layout::CreateOp::Dup:
        case layout::CreateOp::Dup2:
        case layout::CreateOp::FcntlDupfdCloexec: break;
        default: ADD_FAILURE() << what << ": fd " << fd << " has op " << int{s.op} << ", which the fixture never calls";
        }
    }
    EXPECT_GT(compared, 8u) << what << ": each thread holds fds at a quiet point";
    for (const auto& [fd, slot] : open)
        if (fd > 2 && !fds.count(fd)) ADD_FAILURE() << what << ": fd " << fd << " is in the table but closed (op " << int{slot->op} << ")";
}

// Runs the storm, checking the parent and the parked child at each quiet
// point. Returns the number of quiet points seen.
// must_map: a file the fixture must have mapped (the library build in use).
int run_storm(const std::string& fixture, const std::vector<std::string>& wrapper, const std::vector<std::string>& args,
              const std::string& must_map = preload::library_path()) {
    Fixture fx(fixture, args, wrapper);
    nlohmann::json line = fx.facts();
    int quiet = 0;
    while (!line.contains("done")) {
        const pid_t pid = line["pid"], child = line["child"];
        EXPECT_TRUE(preload::maps_contain(pid, must_map)) << must_map << " is not loaded";
        expect_table_matches(pid, pid, "round " + std::to_string(quiet) + " parent");
        expect_table_matches(child, pid, "round " + std::to_string(quiet) + " fork child");
        ++quiet;
        fx.send("go");
        line = fx.next_line();
    }
    EXPECT_GT(line["forks"].get<long>(), 0) << "the forker ran";
    return quiet;
}

TEST(PreloadStorm, EightThreadsTableEqualsProcAtEveryQuietPoint) {
    EXPECT_EQ(run_storm("preload/storm", preload_wrapper(), {"8", "100000", "4"}), 4);
}

TEST(PreloadStorm, StacksOffKeepsTheSameTable) {
    EXPECT_EQ(run_storm("preload/storm", preload_wrapper({"FDSCOPE_STACKS=none"}), {"8", "20000", "2"}), 2);
}

TEST(PreloadStorm, LibunwindStacksKeepTheSameTable) {
    EXPECT_EQ(run_storm("preload/storm", preload_wrapper({"FDSCOPE_STACKS=libunwind"}), {"8", "20000", "2"}), 2);
}

// ThreadSanitizer: the fixture links libtsan itself; LD_PRELOAD puts the
// TSAN runtime first (it must interpose before anything else) and the
// library's TSAN build after it, so the program's calls reach TSAN's
// interceptors, then the library's wrappers. Reports go to files under a
// private directory (log_path): there must be none.
TEST(PreloadStorm, ThreadSanitizerFindsNoRace) {
    const std::string lib = std::string(FDSCOPE_BUILD_DIR) + "/tests/preload/tsan/libfdscope-preload.so";
    if (!std::filesystem::exists(lib)) {
        GTEST_SKIP() << lib << " is not built (FDSCOPE_TSAN_TESTS off)";
    }
    const std::string runtime = FDSCOPE_TSAN_RUNTIME;
    char dir_template[] = "/tmp/fdscope-tsan.XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    const std::string dir = dir_template;
    const std::vector<std::string> wrapper{
        "env", "LD_PRELOAD=" + runtime + ":" + lib,
        "TSAN_OPTIONS=halt_on_error=1 exitcode=66 report_signal_unsafe=1 log_path=" + dir + "/report"};
    EXPECT_EQ(run_storm("preload/storm_tsan", wrapper, {"8", "100000", "2"}, lib), 2);
    std::vector<std::string> reports;
    for (const auto& e : std::filesystem::directory_iterator(dir)) reports.push_back(e.path());
    for (const auto& r : reports) {
        std::string text;
        (void)sys::read_all(r.c_str(), text);
        ADD_FAILURE() << "ThreadSanitizer report " << r << ":\n" << text;
        std::filesystem::remove(r);
    }
    std::filesystem::remove(dir);
}

}  // namespace
}  // namespace fdscope::test
