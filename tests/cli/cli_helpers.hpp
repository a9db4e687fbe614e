// Running fdscope and other tools in tests.
#pragma once
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>
#include <vector>

#include "support/support.hpp"

namespace fdscope::test {

// fdscope ARGS --json, parsed; fails the test on a non-zero exit or bad JSON.
inline nlohmann::json fdscope_json(std::vector<std::string> args) {
    args.insert(args.begin(), fdscope_bin());
    args.push_back("--json");
    RunResult r = run(args);
    EXPECT_EQ(r.status, 0) << r.err;
    try {
        return nlohmann::json::parse(r.out);
    } catch (const std::exception& e) {
        ADD_FAILURE() << "invalid JSON: " << e.what();
        return {};
    }
}

// The `files` entries of one pid with a numeric fd, by fd.
inline std::map<int, nlohmann::json> fd_rows(const nlohmann::json& doc, pid_t pid) {
    std::map<int, nlohmann::json> rows;
    for (const auto& f : doc["files"])
        if (f["pid"] == pid && !f["fd"].is_null()) rows[f["fd"].get<int>()] = f;
    return rows;
}

// Decodes the \xHH escapes lsfd and lsof use for unprintable bytes.
inline std::string unescape_hex(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() + 0 && s[i + 1] == 'x') {
            out += static_cast<char>(std::stoi(s.substr(i + 2, 2), nullptr, 16));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

// lsfd -J writes a name's invalid UTF-8 bytes raw into its JSON, which no
// strict parser accepts; rewrite each such byte as the text \\xHH (JSON for
// "\xHH") so the document parses and unescape_hex recovers the bytes.
inline std::string sanitize_utf8_json(const std::string& in) {
    std::string out;
    const char* hex = "0123456789abcdef";
    for (std::size_t i = 0; i < in.size();) {
        unsigned char c = static_cast<unsigned char>(in[i]);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        bool ok = n && i + n <= in.size();
        for (std::size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(in[i + k]) & 0xc0) == 0x80;
        if (ok) {
            out.append(in, i, n);
            i += n;
        } else {
            out += "\\\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
            ++i;
        }
    }
    return out;
}

// Why `fdscope ls --backend bpf` cannot run here ("" when it can).
inline std::string bpf_unavailable_reason() {
    RunResult r = run({fdscope_bin(), "ls", "--backend", "bpf", "-p", std::to_string(::getpid())});
    if (r.status == 0) return "";
    return r.err.empty() ? "exit status " + std::to_string(r.status) : r.err;
}

// A test run once per backend (INSTANTIATE_BACKENDS). The BPF run skips
// visibly where the BPF backend cannot load (not built, not root, no BTF).
// Every CLI test runs on procfs, on BPF, and on BPF with bpf_d_path
// refused in both programs ("bpf-walk": paths from the dentry walk, as on
// kernels whose verifier refuses it), which must all give the same answers.
class Backends : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (GetParam() != "procfs") {
            static const std::string why = bpf_unavailable_reason();
            if (!why.empty()) GTEST_SKIP() << "the BPF backend cannot run here: " << why;
        }
        if (GetParam() == "bpf-walk") ::setenv("FDSCOPE_BPF_REFUSE", "d_path", 1);
    }
    void TearDown() override { ::unsetenv("FDSCOPE_BPF_REFUSE"); }
    std::string backend() const { return GetParam() == "procfs" ? "procfs" : "bpf"; }
    // fdscope ARGS --backend B --json, parsed.
    nlohmann::json json(std::vector<std::string> args) const {
        args.push_back("--backend");
        args.push_back(backend());
        return fdscope_json(std::move(args));
    }
    std::vector<std::string> with_backend(std::vector<std::string> args) const {
        args.push_back("--backend");
        args.push_back(backend());
        return args;
    }
};

#define INSTANTIATE_BACKENDS(suite)                                                                  \
    INSTANTIATE_TEST_SUITE_P(Backend, suite, ::testing::Values("procfs", "bpf", "bpf-walk"),         \
                             [](const ::testing::TestParamInfo<std::string>& i) {                    \
                                 std::string n = i.param;                                            \
                                 for (char& c : n)                                                   \
                                     if (c == '-') c = '_';                                          \
                                 return n;                                                           \
                             })

// A pid no process can have: pids stay below kernel.pid_max.
inline pid_t absent_pid() {
    RunResult r = run({"cat", "/proc/sys/kernel/pid_max"});
    return static_cast<pid_t>(std::stol(r.out));
}

// Runs fdscope as nobody (setpriv, util-linux); the caller skips unless root.
inline RunResult fdscope_as_nobody(const std::vector<std::string>& args) {
    std::vector<std::string> v = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", fdscope_bin()};
    v.insert(v.end(), args.begin(), args.end());
    return run(v);
}

}  // namespace fdscope::test
