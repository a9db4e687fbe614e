// The variant table's claim about glibc, checked against the real kernel
// and this machine's glibc: a child filters one variant with a marker
// errno and makes the libc call. The variant marked primary must be the
// one the call issues (the call fails with the marker); filtering another
// variant must leave the call alone.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <linux/audit.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <functional>
#include <string>

#include "bpf_builders.hpp"
#include "report/why/syscall_variants.hpp"

namespace fdscope::report::why {
namespace {

using fdscope::why::Op;

#if defined(__x86_64__) && !defined(__ILP32__)

// An errno no call here returns by itself.
constexpr int kMarker = ENOTRECOVERABLE;

// Runs `call` in a child under a filter returning kMarker for `nr`:
// the errno the call ended with (0: it succeeded), or -1 when the child
// could not install the filter.
int errno_under_filter(std::uint32_t nr, const std::function<int()>& call) {
    const auto prog = testing::deny_on(AUDIT_ARCH_X86_64, nr, SECCOMP_RET_ERRNO | kMarker, SECCOMP_RET_ALLOW);
    const pid_t child = fork();
    if (child == 0) {
        sock_fprog fp{static_cast<unsigned short>(prog.size()), const_cast<sock_filter*>(prog.data())};
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(255);
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) != 0) _exit(255);
        errno = 0;
        _exit(call() == 0 ? 0 : errno & 0xff);
    }
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status) == 255 ? -1 : WEXITSTATUS(status);
}

struct Case {
    Op op;
    const char* name;
    std::function<void(const std::string&)> setup;  // in a fresh directory
    std::function<int(const std::string&)> call;    // the libc call, 0 on success
};

class GlibcVariants : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/fdscope-variants-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        root_ = tmpl;
    }
    void TearDown() override { std::filesystem::remove_all(root_); }
    std::string fresh(const Case& c, int run) {
        const std::string dir = root_ + "/" + c.name + std::to_string(run);
        std::filesystem::create_directory(dir);
        if (c.setup) c.setup(dir);
        return dir;
    }
    std::string root_;
};

void touch(const std::string& path) { ::close(::open(path.c_str(), O_CREAT | O_WRONLY, 0644)); }

TEST_F(GlibcVariants, ThePrimaryVariantIsWhatGlibcIssues) {
    const std::vector<Case> cases = {
        {Op::Open, "open", [](const std::string& d) { touch(d + "/f"); },
         [](const std::string& d) {
             const int fd = ::open((d + "/f").c_str(), O_RDONLY);
             if (fd >= 0) ::close(fd);
             return fd < 0 ? -1 : 0;
         }},
        {Op::Mkdir, "mkdir", nullptr, [](const std::string& d) { return ::mkdir((d + "/n").c_str(), 0700); }},
        {Op::Rmdir, "rmdir", [](const std::string& d) { ::mkdir((d + "/n").c_str(), 0700); },
         [](const std::string& d) { return ::rmdir((d + "/n").c_str()); }},
        {Op::Unlink, "unlink", [](const std::string& d) { touch(d + "/f"); },
         [](const std::string& d) { return ::unlink((d + "/f").c_str()); }},
        {Op::Rename, "rename", [](const std::string& d) { touch(d + "/a"); },
         [](const std::string& d) { return ::rename((d + "/a").c_str(), (d + "/b").c_str()); }},
        {Op::Link, "link", [](const std::string& d) { touch(d + "/a"); },
         [](const std::string& d) { return ::link((d + "/a").c_str(), (d + "/b").c_str()); }},
        {Op::Symlink, "symlink", nullptr, [](const std::string& d) { return ::symlink("a", (d + "/l").c_str()); }},
        // On success the child becomes true(1), which exits 0.
        {Op::Exec, "execve", nullptr,
         [](const std::string&) {
             char* const argv[] = {const_cast<char*>("true"), nullptr};
             return ::execve("/bin/true", argv, environ);
         }},
        {Op::Chdir, "chdir", nullptr, [](const std::string& d) { return ::chdir(d.c_str()); }},
        {Op::Write, "write", nullptr,
         [](const std::string&) {
             const int fd = ::open("/dev/null", O_WRONLY);
             return ::write(fd, "x", 1) == 1 ? 0 : -1;
         }},
        {Op::Read, "read", nullptr,
         [](const std::string&) {
             const int fd = ::open("/dev/null", O_RDONLY);
             char c;
             return ::read(fd, &c, 1) == 0 ? 0 : -1;
         }},
        {Op::BindInet, "socket", nullptr,
         [](const std::string&) {
             const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
             if (fd < 0) return -1;
             sockaddr_in a{};
             a.sin_family = AF_INET;
             a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
             return ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
         }},
    };
    const std::vector<Abi> native = {Abi::X86_64};
    int run = 0;
    for (const Case& c : cases) {
        fdscope::why::Operation op;
        op.op = c.op;
        op.fd = 3;
        for (const SyscallVariant& v : syscall_variants(op, native)) {
            const std::string dir = fresh(c, run++);
            const int err = errno_under_filter(v.nr, [&] { return c.call(dir); });
            ASSERT_NE(err, -1) << "the child could not install a filter";
            if (v.primary)
                EXPECT_EQ(err, kMarker) << v.call << " should issue " << v.name;
            else
                EXPECT_NE(err, kMarker) << c.name << "() issued " << v.name << ", which is not marked primary";
        }
    }
}

#else
TEST(GlibcVariants, ThePrimaryVariantIsWhatGlibcIssues) { GTEST_SKIP() << "the variant table is x86_64's"; }
#endif

}  // namespace
}  // namespace fdscope::report::why
