// LD_PRELOAD passes on through every exec: a program built without the
// library, exec'd by each member of the exec family or posix_spawn, runs and
// has the library and its own table, even when the caller passed an
// environment without LD_PRELOAD (the library puts it back). A setuid
// program ignores LD_PRELOAD (the loader's AT_SECURE rule): it runs, with
// no table.
#include <filesystem>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "preload/preload_helpers.hpp"
#include "support/support.hpp"
#include "sys/files.hpp"

namespace fdscope::test {
namespace {

using preload::preload_env;
using preload::preload_fixture;
using preload::preload_wrapper;

class PreloadExec : public ::testing::TestWithParam<const char*> {};

TEST_P(PreloadExec, ChildHasTheLibraryAndItsOwnTable) {
    Fixture fx("preload/exec_chain", {GetParam()}, preload_wrapper());
    const pid_t parent = fx.facts()["pid"], child = fx.facts()["child_pid"];
    ASSERT_TRUE(preload::read_table(parent, 4).found);
    EXPECT_TRUE(preload::maps_contain(child, preload::library_path())) << "the library is mapped in the exec'd sleep";
    const auto t = preload::read_table(child, 16);
    ASSERT_TRUE(t.found) << "no table in the exec'd child";
    EXPECT_EQ(t.error, "");
    EXPECT_EQ(t.header->pid, child);
    std::string environ_text;
    ASSERT_EQ(sys::read_all(("/proc/" + std::to_string(child) + "/environ").c_str(), environ_text), 0);
    EXPECT_NE(environ_text.find("LD_PRELOAD=" + preload::library_path()), std::string::npos)
        << "the child's environment carries LD_PRELOAD on to its own children";
}

INSTANTIATE_TEST_SUITE_P(Methods, PreloadExec,
                         ::testing::Values("execv", "execvp", "execl", "execlp", "execve", "execle", "execvpe",
                                           "posix_spawn", "posix_spawnp"));

TEST(PreloadExecPlain, ProgramsWithoutTheLibraryKeepWorking) {
    RunResult r = run({"/bin/sh", "-c", "echo one | tr a-z A-Z; /bin/true && ls -d / ; exec /bin/echo two"},
                      preload_env());
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "ONE\n/\ntwo\n");
    EXPECT_EQ(r.err, "");
}

// A root-owned setuid copy of table_probe, run as nobody with LD_PRELOAD:
// the loader drops LD_PRELOAD (AT_SECURE), the program runs with root's
// euid and without the library. The same copy without the setuid bit, as
// nobody too, has the table: the probe can see one.
TEST(PreloadExecPlain, SetuidProgramIgnoresThePreload) {
    if (!is_root()) {
        GTEST_SKIP() << "making a root-owned setuid copy needs root";
    }
    if (!have_tool("setpriv")) {
        GTEST_SKIP() << "setpriv (util-linux) is not installed: cannot run the copy as another user";
    }
    char dir_template[] = "/tmp/fdscope-setuid.XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    const std::string dir = dir_template, copy = dir + "/table_probe";
    std::filesystem::copy_file(preload_fixture("table_probe"), copy);
    ASSERT_EQ(chmod(dir.c_str(), 0755), 0);
    ASSERT_EQ(chown(copy.c_str(), 0, 0), 0);
    const std::vector<std::string> as_nobody{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env",
                                             "LD_PRELOAD=" + preload::library_path()};
    auto probe = [&](mode_t mode) {
        EXPECT_EQ(chmod(copy.c_str(), mode), 0);
        std::vector<std::string> argv = as_nobody;
        argv.push_back(copy);
        RunResult r = run(argv);
        EXPECT_EQ(r.status, 0) << r.err;
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(r.out);
        } catch (const std::exception& e) {
            ADD_FAILURE() << e.what() << ": " << r.out << r.err;
        }
        return j;
    };
    const auto plain = probe(0755);
    const auto setuid = probe(04755);
    std::filesystem::remove_all(dir);
    if (plain.is_null() || setuid.is_null()) return;
    // The control: without the bit, nobody's run has the library.
    EXPECT_EQ(plain["ruid"], 65534);
    EXPECT_EQ(plain["euid"], 65534);
    ASSERT_EQ(plain["table"], true) << "the library must load for nobody when the bit is off: " << plain.dump();
    if (setuid["euid"] != 0) {
        GTEST_SKIP() << "the setuid bit had no effect here (nosuid mount or no_new_privs): " << setuid.dump();
    }
    EXPECT_EQ(setuid["ruid"], 65534);
    EXPECT_EQ(setuid["library"], false) << setuid.dump();
    EXPECT_EQ(setuid["table"], false) << setuid.dump();
    EXPECT_EQ(setuid["ld_preload"], false) << "the loader removes LD_PRELOAD from a secure program's environment";
}

}  // namespace
}  // namespace fdscope::test
