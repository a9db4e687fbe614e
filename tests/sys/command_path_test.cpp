// The file a traced command runs, found before the fork as execvp finds it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "sys/command_path.hpp"

namespace fdscope::sys {
namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/fdscope-path-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::system(("rm -rf " + path).c_str()); }
    std::string file(const std::string& name, mode_t mode) const {
        std::string p = path + "/" + name;
        std::ofstream(p) << "#!/bin/sh\n";
        ::chmod(p.c_str(), mode);
        return p;
    }
};

TEST(CommandPath, ANameWithASlashIsTakenAsIs) {
    EXPECT_EQ(command_path("./x", "/usr/bin"), "./x");
    EXPECT_EQ(command_path("/no/such", "/usr/bin"), "/no/such");
}

TEST(CommandPath, TheFirstExecutableRegularFileOnThePathWins) {
    TempDir a, b, c;
    a.file("tool", 0644);                // not executable: skipped
    ::mkdir((b.path + "/tool").c_str(), 0755);  // a directory: skipped
    const std::string want = c.file("tool", 0755);
    EXPECT_EQ(command_path("tool", a.path + ":" + b.path + ":" + c.path), want);
}

TEST(CommandPath, NotFoundLeavesTheNameForTheExecToRefuse) {
    TempDir a;
    EXPECT_EQ(command_path("fdscope-no-such-tool", a.path), "fdscope-no-such-tool");
    EXPECT_EQ(command_path("", a.path), "");
}

TEST(CommandPath, TheProcessPathFindsSh) {
    const std::string sh = command_path("sh");
    EXPECT_NE(sh.find('/'), std::string::npos) << sh;
    EXPECT_EQ(::access(sh.c_str(), X_OK), 0);
}

}  // namespace
}  // namespace fdscope::sys
