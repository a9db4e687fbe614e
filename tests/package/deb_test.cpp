// The Debian package end to end, as CI uses it: built by CPack from this
// build (dependencies by dpkg-shlibdeps), installed with
// `apt-get install ./fdscope_*.deb`, used (fdscope --version, man fdscope,
// the completion), purged. The machine is left as it was: the test refuses
// to run where an fdscope is installed already, and checks afterwards that
// the set of installed packages is the one it found.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <sstream>

#include "support/support.hpp"

namespace fdscope::test {
namespace {

namespace fs = std::filesystem;

const char* const kInstalledFiles[] = {"/usr/bin/fdscope", "/usr/lib/fdscope/libfdscope-preload.so",
                                       "/usr/share/man/man1/fdscope.1.gz",
                                       "/usr/share/bash-completion/completions/fdscope"};

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

// Installed (or half-installed, or config-files) packages with their
// versions: the state the test must leave as it found it.
std::set<std::string> package_state() {
    RunResult r = run({"dpkg-query", "-W", "-f", "${binary:Package} ${Version} ${db:Status-Abbrev}\\n"});
    EXPECT_EQ(r.status, 0) << r.err;
    std::set<std::string> out;
    for (const auto& l : split_lines(r.out)) {
        // "ii ", "rc ", ...; the second letter 'n' is not-installed.
        std::size_t status = l.rfind(' ', l.size() - 2);
        if (status != std::string::npos && status + 2 < l.size() && l[status + 2] != 'n') out.insert(l);
    }
    return out;
}

// Why this machine cannot run the test, or "".
std::string why_not_here() {
    if (!is_root()) return "installing a package needs root";
    for (const char* tool : {"apt-get", "dpkg", "dpkg-query", "dpkg-deb", "cpack"})
        if (!have_tool(tool)) return std::string(tool) + " is not available (not a Debian system?)";
    if (!have_tool("dpkg-shlibdeps")) return "dpkg-shlibdeps is missing (dpkg-dev; make deps installs it)";
    if (!have_tool("man")) return "man is missing (man-db; make deps installs it)";
    RunResult known = run({"dpkg-query", "-W", "-f", "${db:Status-Abbrev}", "fdscope"});
    if (known.status == 0 && known.out.size() > 1 && known.out[1] != 'n')
        return "an fdscope package is installed here (" + trim(known.out) + "); the test would replace it";
    for (const char* f : kInstalledFiles)
        if (fs::exists(f)) return std::string(f) + " exists; the test would overwrite it";
    // Minimal images tell dpkg not to unpack man pages: man fdscope cannot work there.
    if (fs::is_directory("/etc/dpkg/dpkg.cfg.d"))
        for (const auto& e : fs::directory_iterator("/etc/dpkg/dpkg.cfg.d")) {
            std::ifstream in(e.path());
            for (std::string l; std::getline(in, l);)
                if (l.rfind("path-exclude", 0) == 0 && l.find("/usr/share/man") != std::string::npos)
                    return "dpkg excludes man pages here (" + e.path().string() + ": " + l + ")";
        }
    return "";
}

// The packages that own a file named `soname` ("libmnl0", ...).
std::set<std::string> owners_of(const std::string& soname) {
    std::set<std::string> out;
    RunResult r = run({"dpkg", "-S", "*/" + soname});
    for (const auto& l : split_lines(r.out)) {
        std::string pkg = l.substr(0, l.find(": "));
        out.insert(pkg.substr(0, pkg.find(':')));  // without :amd64
    }
    return out;
}

// "libc6 (>= 2.34), libmnl0 (>= 1.0.3-4~), a | b" → {libc6, libmnl0, a, b}.
std::set<std::string> dependency_names(const std::string& depends) {
    std::set<std::string> out;
    std::string item;
    std::istringstream in(depends);
    while (std::getline(in, item, ',')) {
        std::istringstream alternatives(item);
        for (std::string alt; std::getline(alternatives, alt, '|');) {
            std::istringstream words(alt);
            std::string name;
            if (words >> name) out.insert(name);
        }
    }
    return out;
}

class DebPackage : public ::testing::Test {
protected:
    void SetUp() override {
        if (auto why = why_not_here(); !why.empty()) GTEST_SKIP() << why;
        std::string tmpl = (fs::temp_directory_path() / "fdscope-deb-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
    }

    // Purges what the test installed, even when an assertion stopped it,
    // then requires the package state it started from.
    void TearDown() override {
        if (!dir_.empty()) fs::remove_all(dir_);
        if (!attempted_) return;
        RunResult purge = apt({"purge", "fdscope"});
        EXPECT_EQ(purge.status, 0) << purge.out << purge.err;
        std::vector<std::string> pulled_in;  // dependencies apt had to add
        for (const auto& p : package_state())
            if (!before_.count(p)) pulled_in.push_back(p.substr(0, p.find(' ')));
        if (!pulled_in.empty()) {
            std::fprintf(stderr, "note: apt-get installed %zu missing dependencies; purging them again\n",
                         pulled_in.size());
            pulled_in.insert(pulled_in.begin(), "purge");
            apt(pulled_in);
        }
        EXPECT_EQ(package_state(), before_) << "the machine's packages changed";
        for (const char* f : kInstalledFiles) EXPECT_FALSE(fs::exists(f)) << f << " left behind";
    }

    static RunResult apt(std::vector<std::string> args) {
        // The lock timeout: another apt (make deps elsewhere) may hold it for a while.
        args.insert(args.begin(), {"env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-y", "-q",
                                   "--no-install-recommends", "-o", "DPkg::Lock::Timeout=120"});
        return run(args);
    }

    fs::path dir_;
    bool attempted_ = false;
    std::set<std::string> before_;
};

TEST_F(DebPackage, BuildInstallUsePurge) {
    // Built as `make deb` builds it (cpack -G DEB), into a directory of its own.
    RunResult built = run({"cpack", "-G", "DEB", "--config", std::string(FDSCOPE_BUILD_DIR) + "/CPackConfig.cmake",
                           "-B", dir_.string()});
    ASSERT_EQ(built.status, 0) << built.out << built.err;
    const std::string arch = trim(run({"dpkg", "--print-architecture"}).out);
    const fs::path deb = dir_ / ("fdscope_" FDSCOPE_VERSION "_" + arch + ".deb");
    ASSERT_TRUE(fs::exists(deb)) << built.out;

    RunResult fields = run({"dpkg-deb", "-f", deb.string(), "Package", "Version", "Architecture"});
    EXPECT_EQ(fields.out, "Package: fdscope\nVersion: " FDSCOPE_VERSION "\nArchitecture: " + arch + "\n");
    RunResult contents = run({"dpkg-deb", "-c", deb.string()});
    for (const char* f : kInstalledFiles) EXPECT_NE(contents.out.find(std::string(".") + f), std::string::npos) << f;

    // Every library the packaged program links is a dependency: dpkg-shlibdeps' job.
    const fs::path root = dir_ / "root";
    ASSERT_EQ(run({"dpkg-deb", "-x", deb.string(), root.string()}).status, 0);
    const std::string depends = trim(run({"dpkg-deb", "-f", deb.string(), "Depends"}).out);
    const std::set<std::string> deps = dependency_names(depends);
    RunResult dynamic = run({"readelf", "-d", (root / "usr/bin/fdscope").string()});
    ASSERT_EQ(dynamic.status, 0) << dynamic.err;
    int needed = 0;
    for (const auto& l : split_lines(dynamic.out)) {
        if (l.find("(NEEDED)") == std::string::npos) continue;
        const std::string soname = l.substr(l.find('[') + 1, l.find(']') - l.find('[') - 1);
        const auto owners = owners_of(soname);
        ++needed;
        EXPECT_TRUE(std::any_of(owners.begin(), owners.end(), [&](const std::string& o) { return deps.count(o); }))
            << soname << " (from " << testing::PrintToString(owners) << ") is not in Depends: " << depends;
    }
    EXPECT_GE(needed, 3) << dynamic.out;
    RunResult sections = run({"readelf", "-S", (root / "usr/bin/fdscope").string()});
    EXPECT_EQ(sections.out.find(".debug_info"), std::string::npos) << "the packaged program is stripped";

    before_ = package_state();
    attempted_ = true;
    RunResult installed = apt({"install", deb.string()});
    ASSERT_EQ(installed.status, 0) << installed.out << installed.err;
    EXPECT_EQ(run({"dpkg-query", "-W", "-f", "${Status} ${Version}", "fdscope"}).out,
              "install ok installed " FDSCOPE_VERSION);

    RunResult version = run({"/usr/bin/fdscope", "--version"});
    EXPECT_EQ(version.status, 0) << version.err;
    EXPECT_EQ(version.out, run({fdscope_bin(), "--version"}).out) << "the package holds this build's program";

    // The packaged program finds the packaged preload library.
    RunResult traced = run({"/usr/bin/fdscope", "trace", "--engine", "preload", "--quiet", "--", "true"});
    EXPECT_EQ(traced.status, 0) << traced.out << traced.err;

    EXPECT_EQ(trim(run({"man", "-w", "fdscope"}).out), "/usr/share/man/man1/fdscope.1.gz");
    RunResult man = run({"man", "-P", "cat", "fdscope"}, {"MANWIDTH=100", "LC_ALL=C"});
    EXPECT_EQ(man.status, 0) << man.err;
    EXPECT_NE(man.out.find("every file descriptor and kernel file handle on this machine"), std::string::npos)
        << man.out.substr(0, 400);
    EXPECT_NE(man.out.find("--version"), std::string::npos);

    // The completion bash-completion loads for `fdscope`, asking the installed program.
    RunResult completed = run({"bash", "--norc", "--noprofile", "-c",
                               "source /usr/share/bash-completion/completions/fdscope || exit 8;"
                               "COMP_WORDS=(/usr/bin/fdscope l); COMP_CWORD=1; _fdscope /usr/bin/fdscope l /usr/bin/fdscope;"
                               "printf '%s\\n' \"${COMPREPLY[@]}\""});
    EXPECT_EQ(completed.status, 0) << completed.err;
    EXPECT_EQ(completed.out, "ls\n");
}

}  // namespace
}  // namespace fdscope::test
