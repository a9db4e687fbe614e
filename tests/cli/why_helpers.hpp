// Building the situations `fdscope why` is asked about: scratch trees that
// clean up after themselves (inode flags and mounts included), processes
// that hold a private mount namespace, and running why itself.
#pragma once
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/support.hpp"

namespace fdscope::test {

struct WhyRun {
    int status = -1;
    nlohmann::json doc;
    std::string out, err;
};

// fdscope why ARGS --json: the exit status and the document.
inline WhyRun why_json(std::vector<std::string> args) {
    args.insert(args.begin(), {fdscope_bin(), "why"});
    args.push_back("--json");
    RunResult r = run(args);
    WhyRun w{r.status, {}, r.out, r.err};
    try {
        w.doc = nlohmann::json::parse(r.out);
    } catch (const std::exception& e) {
        ADD_FAILURE() << "invalid JSON (" << e.what() << ") from why: " << r.out << r.err;
    }
    return w;
}

// The first check of `layer` with `result`, or null.
inline nlohmann::json find_check(const nlohmann::json& doc, const std::string& layer, const std::string& result) {
    for (const auto& c : doc["checks"])
        if (c["layer"] == layer && c["result"] == result) return c;
    return nullptr;
}

// Most situations need root: other users, mounts, inode flags, ptrace.
#define REQUIRE_ROOT()                                                                  \
    do {                                                                                \
        if (!is_root()) {                                                               \
            GTEST_SKIP() << "needs root to build the situation (users, mounts, flags)"; \
        }                                                                               \
    } while (0)

// Denied (exit 1) at `layer` with `err`; `path`: what the kernel's first
// failing check names.
inline void expect_denied(const WhyRun& w, const std::string& layer, const std::string& err, const std::string& path = "") {
    EXPECT_EQ(w.status, 1) << w.out << w.err;
    EXPECT_EQ(w.doc["verdict"], "denied") << w.out;
    EXPECT_EQ(w.doc["layer"], layer) << w.out;
    EXPECT_EQ(w.doc["errno"], err) << w.out;
    if (!path.empty() && !w.doc["blocking"].empty()) {
        EXPECT_EQ(w.doc["blocking"][0]["path"], path) << w.out;
    }
}

// The probe ran and the kernel said what the verdict says.
inline void expect_probe_agrees(const WhyRun& w) {
    ASSERT_FALSE(w.doc["tried"].is_null()) << "the probe did not run: " << w.out;
    EXPECT_EQ(w.doc["tried"]["agrees"], true) << w.out;
}

// Allowed (exit 0), no errno.
inline void expect_allowed(const WhyRun& w) {
    EXPECT_EQ(w.status, 0) << w.out << w.err;
    EXPECT_EQ(w.doc["verdict"], "allowed") << w.out;
    EXPECT_TRUE(w.doc["errno"].is_null()) << w.out;
}

// A temporary directory under /tmp (0755, root's), removed with everything
// in it; immutable and append-only flags are cleared first.
class Scratch {
public:
    Scratch() {
        char tmpl[] = "/tmp/fdscope-why-XXXXXX";
        if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp");
        path_ = tmpl;
        ::chmod(path_.c_str(), 0755);
    }
    ~Scratch() {
        run({"chattr", "-R", "-i", "-a", path_});
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

    std::string dir(const std::string& rel, mode_t mode) const {
        const std::string p = *this / rel;
        ::mkdir(p.c_str(), mode);
        ::chmod(p.c_str(), mode);
        return p;
    }
    std::string file(const std::string& rel, mode_t mode, const std::string& content = "x\n") const {
        const std::string p = *this / rel;
        const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) throw std::runtime_error("open " + p);
        if (::write(fd, content.data(), content.size()) < 0) {}
        ::close(fd);
        ::chmod(p.c_str(), mode);
        return p;
    }

private:
    std::string path_;
};

// A shell that runs `setup` in new namespaces (`unshare` flags) and then
// holds them: its pid is a subject whose namespaces differ from ours.
// The namespaces (and the mounts in them) end with it.
class NamespaceHolder {
public:
    NamespaceHolder(const std::vector<std::string>& unshare_flags, const std::string& setup)
        : running_(argv(unshare_flags, setup)) {
        std::string line;
        ready_ = running_.next_line(line) && line == "ready";
    }
    bool ready() const { return ready_; }
    pid_t pid() const { return running_.pid(); }

private:
    static std::vector<std::string> argv(const std::vector<std::string>& flags, const std::string& setup) {
        std::vector<std::string> v{"unshare"};
        v.insert(v.end(), flags.begin(), flags.end());
        v.insert(v.end(), {"sh", "-c", setup + " && echo ready && exec sleep infinity"});
        return v;
    }
    Running running_;
    bool ready_ = false;
};

}  // namespace fdscope::test
