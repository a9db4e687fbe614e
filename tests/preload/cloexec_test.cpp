// FDSCOPE_CLOEXEC=1 and =exec close the "listener inherited by a child"
// hole: `fdscope audit` finds the inherited listener without the library
// (the fixture is a real case) and not with it, while the pipes the server
// hands on deliberately (dup2 onto stdin, F_SETFD 0) still reach the child.
// FDSCOPE_LOG says what was changed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "preload/preload_helpers.hpp"
#include "support/support.hpp"
#include "sys/files.hpp"

namespace fdscope::test {
namespace {

using preload::preload_wrapper;

std::vector<nlohmann::json> inherited_findings(pid_t parent, pid_t child) {
    RunResult r = run({fdscope_bin(), "audit", "-p", std::to_string(parent), "--json"});
    EXPECT_EQ(r.status, 0) << r.err;
    std::vector<nlohmann::json> out;
    try {
        const auto doc = nlohmann::json::parse(r.out);
        for (const auto& f : doc["findings"])
            if (f["kind"] == "inherited" && f["pid"] == child) out.push_back(f);
    } catch (const std::exception& e) {
        ADD_FAILURE() << "invalid JSON: " << e.what() << "\n" << r.out;
    }
    return out;
}

bool child_holds_socket(pid_t child, int fd) {
    const auto fds = preload::proc_fds(child);
    auto it = fds.find(fd);
    return it != fds.end() && it->second.rfind("socket:", 0) == 0;
}

TEST(PreloadCloexec, WithoutTheLibraryTheChildInheritsTheListener) {
    Fixture fx("preload/listener_exec", {}, {"env", "-u", "LD_PRELOAD"});
    const auto& f = fx.facts();
    const pid_t parent = f["pid"], child = f["child_pid"];
    EXPECT_TRUE(child_holds_socket(child, f["fd"]));
    const auto found = inherited_findings(parent, child);
    ASSERT_EQ(found.size(), 1u) << "the fixture must build the hazard";
    EXPECT_EQ(found[0]["fd"], f["fd"]);
    EXPECT_EQ(f["stdin_text"], "hello\n");
    EXPECT_EQ(f["handed_text"], "hello\n");
}

void expect_closed_hole(const std::string& mode) {
    char log_template[] = "/tmp/fdscope-cloexec-log.XXXXXX";
    const int log_fd = mkstemp(log_template);
    ASSERT_GE(log_fd, 0);
    close(log_fd);
    const std::string log = log_template;
    int listener_fd = -1;
    {
        Fixture fx("preload/listener_exec", {}, preload_wrapper({"FDSCOPE_CLOEXEC=" + mode, "FDSCOPE_LOG=" + log}));
        const auto& f = fx.facts();
        const pid_t parent = f["pid"], child = f["child_pid"];
        const int fd = f["fd"];
        listener_fd = fd;
        ASSERT_TRUE(preload::read_table(parent, 4).found) << "the library is loaded";
        EXPECT_FALSE(child_holds_socket(child, fd)) << "the exec'd child must not hold the listener";
        EXPECT_TRUE(inherited_findings(parent, child).empty()) << mode;
        // What the server handed on on purpose still arrives.
        EXPECT_EQ(f["stdin_text"], "hello\n") << "the pipe dup2'd onto stdin";
        EXPECT_EQ(f["handed_text"], "hello\n") << "the pipe whose FD_CLOEXEC was cleared";
        // The parent's listener itself: close-on-exec from its creation under
        // =1; under =exec the parent's copy is left as made (the change is
        // made in the child, before its exec).
        std::string fdinfo;
        ASSERT_EQ(sys::read_all(("/proc/" + std::to_string(parent) + "/fdinfo/" + std::to_string(fd)).c_str(), fdinfo), 0);
        const auto pos = fdinfo.find("flags:");
        ASSERT_NE(pos, std::string::npos);
        const long oflags = std::stol(fdinfo.substr(pos + 6), nullptr, 8);
        EXPECT_EQ((oflags & O_CLOEXEC) != 0, mode == "1") << mode << ": " << fdinfo;
        fx.stop();
    }
    std::string text;
    ASSERT_EQ(sys::read_all(log.c_str(), text), 0);
    unlink(log.c_str());
    // The listener's change is in the log: at its creation (=1), or before
    // the exec that would have handed it on (=exec).
    const std::string want = mode == "1" ? "FDSCOPE_CLOEXEC=1 added SOCK_CLOEXEC to fd " + std::to_string(listener_fd) + " from socket("
                                         : "FDSCOPE_CLOEXEC=exec set FD_CLOEXEC on fd " + std::to_string(listener_fd) + " before exec";
    EXPECT_NE(text.find(want), std::string::npos) << "FDSCOPE_LOG: " << text;
    // Nothing is logged for the deliberate hand-on: fd 0 of the head child.
    EXPECT_EQ(text.find(" fd 0 "), std::string::npos) << text;
}

TEST(PreloadCloexec, EverywhereClosesTheHoleAndKeepsDeliberateHandOns) { expect_closed_hole("1"); }
TEST(PreloadCloexec, AtExecClosesTheHoleAndKeepsDeliberateHandOns) { expect_closed_hole("exec"); }

// FDSCOPE_KEEP_FDS names numbers FDSCOPE_CLOEXEC=exec leaves alone: the
// listener listed there crosses the exec again, as without the library.
TEST(PreloadCloexec, AtExecLeavesTheKeptNumbersAlone) {
    int fd = -1;
    {
        Fixture probe("preload/listener_exec", {}, preload_wrapper({"FDSCOPE_CLOEXEC=exec"}));
        fd = probe.facts()["fd"];
        EXPECT_FALSE(child_holds_socket(probe.facts()["child_pid"], fd));
        probe.stop();
    }
    Fixture fx("preload/listener_exec", {},
               preload_wrapper({"FDSCOPE_CLOEXEC=exec", "FDSCOPE_KEEP_FDS=" + std::to_string(fd)}));
    const auto& f = fx.facts();
    ASSERT_EQ(f["fd"], fd) << "the same harness gives the listener the same number";
    EXPECT_TRUE(child_holds_socket(f["child_pid"], fd)) << "kept: it crosses the exec";
    EXPECT_EQ(inherited_findings(f["pid"], f["child_pid"]).size(), 1u);
}

}  // namespace
}  // namespace fdscope::test
