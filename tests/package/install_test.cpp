// `make install` (cmake --install, with a prefix and DESTDIR): exactly the
// program, the preload library, the compressed man page and the bash
// completion, where a system looks for them, and the installed program runs
// and finds its library.
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <unistd.h>

#include "support/support.hpp"

namespace fdscope::test {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every file under root, relative to it.
std::set<std::string> files_under(const fs::path& root) {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root))
        if (!e.is_directory()) out.insert(fs::relative(e.path(), root).string());
    return out;
}

class Install : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "fdscope-install-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { fs::remove_all(dir_); }

    // What the Makefile's `install` target runs: DESTDIR=... cmake --install BUILD --prefix PREFIX.
    RunResult install(const std::string& prefix, const std::string& destdir) const {
        return run({"env", "DESTDIR=" + destdir, "cmake", "--install", FDSCOPE_BUILD_DIR, "--prefix", prefix});
    }

    void expect_installed(const fs::path& root) const {
        EXPECT_EQ(files_under(root), (std::set<std::string>{"bin/fdscope", "lib/fdscope/libfdscope-preload.so",
                                                           "share/man/man1/fdscope.1.gz",
                                                           "share/bash-completion/completions/fdscope"}));
        const fs::path bin = root / "bin/fdscope";
        EXPECT_EQ(::access(bin.c_str(), X_OK), 0) << bin;
        RunResult installed = run({bin.string(), "--version"});
        EXPECT_EQ(installed.status, 0) << installed.err;
        EXPECT_EQ(installed.out, run({fdscope_bin(), "--version"}).out) << "the build's program";
        // The installed program finds the installed preload library (not the build tree's).
        RunResult traced = run({bin.string(), "trace", "--engine", "preload", "--quiet", "--", "true"});
        EXPECT_EQ(traced.status, 0) << traced.out << traced.err;
        RunResult man = run({"gzip", "-dc", (root / "share/man/man1/fdscope.1.gz").string()});
        EXPECT_EQ(man.status, 0) << man.err;
        EXPECT_EQ(man.out, slurp(std::string(FDSCOPE_SOURCE_DIR) + "/docs/fdscope.1"));
        EXPECT_EQ(slurp(root / "share/bash-completion/completions/fdscope"),
                  slurp(std::string(FDSCOPE_SOURCE_DIR) + "/src/cli/completion.bash"));
    }

    fs::path dir_;
};

TEST_F(Install, PrefixAlone) {
    const fs::path prefix = dir_ / "usr-local";
    RunResult r = install(prefix.string(), "");
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    expect_installed(prefix);
}

TEST_F(Install, DestdirStagesUnderThePrefix) {
    const fs::path stage = dir_ / "stage";
    const fs::path prefix = "/opt/fdscope-install-test";
    ASSERT_FALSE(fs::exists(prefix)) << "left over from something else: " << prefix;
    RunResult r = install(prefix.string(), stage.string());
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_FALSE(fs::exists(prefix)) << "installed outside DESTDIR";
    EXPECT_EQ(files_under(stage).size(), 4u) << r.out;
    expect_installed(stage / prefix.relative_path());
}

}  // namespace
}  // namespace fdscope::test
