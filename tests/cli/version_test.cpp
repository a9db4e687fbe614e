// `fdscope --version`: the project version, the git revision of the build
// (or "unknown" without git metadata), and the backends built in.
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <sys/stat.h>

#include "cli/cli_helpers.hpp"

namespace fdscope::test {
namespace {

namespace fs = std::filesystem;

// The header cmake/Revision.cmake writes for SOURCE_DIR, as the build runs it.
std::string revision_header(const fs::path& source, const fs::path& out) {
    RunResult r = run({"cmake", "-DSOURCE_DIR=" + source.string(), "-DOUT=" + out.string(), "-DVERSION=9.8.7", "-P",
                       std::string(FDSCOPE_SOURCE_DIR) + "/cmake/Revision.cmake"});
    EXPECT_EQ(r.status, 0) << r.err;
    std::ifstream in(out);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(Version, VersionRevisionAndBackends) {
    RunResult r = run({fdscope_bin(), "--version"});
    ASSERT_EQ(r.status, 0) << r.err;
    const auto lines = split_lines(r.out);
    ASSERT_EQ(lines.size(), 3u) << r.out;
    EXPECT_EQ(lines[0], "fdscope " FDSCOPE_VERSION) << "the version of CMake's project()";
    ASSERT_EQ(lines[1].rfind("revision: ", 0), 0u) << lines[1];
    const std::string revision = lines[1].substr(10);
    RunResult head = run({"git", "-C", FDSCOPE_SOURCE_DIR, "rev-parse", "HEAD"});
    if (fs::exists(fs::path(FDSCOPE_SOURCE_DIR) / ".git") && head.status == 0) {
        EXPECT_NE(revision.find(head.out.substr(0, 12)), std::string::npos)
            << revision << " is not HEAD " << head.out << "(rebuild after committing)";
    } else {
        EXPECT_EQ(revision, "unknown");
    }
    // "bpf" is listed exactly when --backend bpf does not say it was left out.
    RunResult bpf = run({fdscope_bin(), "ls", "--backend", "bpf", "-p", "1"});
    const bool left_out = bpf.err.find("built without it") != std::string::npos;
    EXPECT_EQ(lines[2], left_out ? "backends: procfs" : "backends: bpf procfs") << bpf.err;
}

TEST(Version, ManPageNamesTheSameVersion) {
    std::ifstream man(std::string(FDSCOPE_SOURCE_DIR) + "/docs/fdscope.1");
    std::string th;
    std::getline(man, th);
    EXPECT_NE(th.find("\"fdscope " FDSCOPE_VERSION "\""), std::string::npos) << th;
}

// A tarball or a copy without .git still builds and says "unknown", also
// when it was unpacked inside another git checkout (here: the build tree,
// inside the source checkout), whose revision is not its own.
TEST(Version, RevisionWithoutGitMetadataIsUnknown) {
    const fs::path dir = fs::path(FDSCOPE_BUILD_DIR) / "version-test-no-git";
    fs::remove_all(dir);
    fs::create_directories(dir / "src");
    const std::string text = revision_header(dir / "src", dir / "revision.hpp");
    EXPECT_NE(text.find("#define FDSCOPE_REVISION \"unknown\""), std::string::npos) << text;
    EXPECT_NE(text.find("#define FDSCOPE_VERSION \"9.8.7\""), std::string::npos) << text;
    fs::remove_all(dir);
}

// Run at every build; rewriting an unchanged header would rebuild fdscope
// every time.
TEST(Version, UnchangedRevisionLeavesTheHeaderAlone) {
    const fs::path dir = fs::path(FDSCOPE_BUILD_DIR) / "version-test-same";
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path out = dir / "revision.hpp";
    const std::string first = revision_header(FDSCOPE_SOURCE_DIR, out);
    if (fs::exists(fs::path(FDSCOPE_SOURCE_DIR) / ".git")) {
        EXPECT_EQ(first.find("\"unknown\""), std::string::npos) << "a git checkout has a revision: " << first;
    }
    struct stat before{};
    ASSERT_EQ(::stat(out.c_str(), &before), 0);
    // Back-date it, so that a rewrite within the same second still shows.
    struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, out.c_str(), old, 0), 0);
    EXPECT_EQ(revision_header(FDSCOPE_SOURCE_DIR, out), first);
    struct stat after{};
    ASSERT_EQ(::stat(out.c_str(), &after), 0);
    EXPECT_EQ(after.st_mtim.tv_sec, 1000000000) << "rewritten although unchanged";
    fs::remove_all(dir);
}

}  // namespace
}  // namespace fdscope::test
