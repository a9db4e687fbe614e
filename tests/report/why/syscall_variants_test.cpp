// The variant table: which syscalls each operation may issue per x86 ABI,
// the numbers against the x86_64 header, and the arguments a filter sees.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <linux/audit.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <algorithm>

#include "report/why/syscall_variants.hpp"

namespace fdscope::report::why {
namespace {

using fdscope::why::Op;
using fdscope::why::Operation;

const SyscallVariant* find(const std::vector<SyscallVariant>& vs, std::string_view name, Abi abi) {
    for (const auto& v : vs)
        if (v.name == name && v.abi == abi) return &v;
    return nullptr;
}

std::vector<std::string> names_on(const std::vector<SyscallVariant>& vs, Abi abi) {
    std::vector<std::string> out;
    for (const auto& v : vs)
        if (v.abi == abi) out.push_back(v.name);
    return out;
}

Operation op_of(Op op) {
    Operation o;
    o.op = op;
    return o;
}

const std::vector<Abi> kAll = {Abi::X86_64, Abi::X32, Abi::I386};

TEST(SyscallVariants, MkdirHasBothLegacyAndAtOnX86_64) {
    const auto vs = syscall_variants(op_of(Op::Mkdir), kAll);
    const auto* mkdir = find(vs, "mkdir", Abi::X86_64);
    const auto* mkdirat = find(vs, "mkdirat", Abi::X86_64);
    ASSERT_TRUE(mkdir && mkdirat);
    EXPECT_EQ(mkdir->nr, static_cast<std::uint32_t>(SYS_mkdir));
    EXPECT_EQ(mkdirat->nr, static_cast<std::uint32_t>(SYS_mkdirat));
    EXPECT_TRUE(mkdir->primary) << "glibc 2.36 issues mkdir for mkdir()";
    EXPECT_FALSE(mkdirat->primary);
    EXPECT_EQ(mkdir->call, "mkdir()");
    EXPECT_EQ(mkdir->args[1], 0777u);
    EXPECT_EQ(mkdirat->args[0], static_cast<std::uint64_t>(static_cast<std::int64_t>(AT_FDCWD)))
        << "AT_FDCWD sign-extends into a 64-bit register";
    EXPECT_EQ(mkdirat->args[1], 0u) << "the path is a pointer: filters cannot see it";
    EXPECT_EQ(mkdirat->args[2], 0777u);
    // Only the subject's own ABI has a primary variant.
    const auto* i386 = find(vs, "mkdir", Abi::I386);
    ASSERT_TRUE(i386);
    EXPECT_FALSE(i386->primary);
    EXPECT_EQ(i386->call, "mkdir()");
}

TEST(SyscallVariants, EveryOperationOnX86_64) {
    const std::vector<std::pair<Op, std::vector<std::string>>> want = {
        {Op::Open, {"openat", "open", "openat2"}},
        {Op::Mkdir, {"mkdir", "mkdirat"}},
        {Op::Unlink, {"unlink", "unlinkat"}},
        {Op::Rmdir, {"rmdir", "unlinkat"}},
        {Op::Rename, {"rename", "renameat", "renameat2"}},
        {Op::Link, {"link", "linkat"}},
        {Op::Symlink, {"symlink", "symlinkat"}},
        {Op::Exec, {"execve", "execveat"}},
        {Op::Chdir, {"chdir"}},
        {Op::BindInet, {"socket", "bind"}},
        {Op::BindUnix, {"socket", "bind"}},
        {Op::ConnectUnix, {"socket", "connect"}},
        {Op::Write, {"write", "writev", "pwrite64", "pwritev", "pwritev2"}},
        {Op::Read, {"read", "readv", "pread64", "preadv", "preadv2"}},
    };
    const std::vector<Abi> native = {Abi::X86_64};
    for (const auto& [op, names] : want) {
        const auto vs = syscall_variants(op_of(op), native);
        EXPECT_EQ(names_on(vs, Abi::X86_64), names) << static_cast<int>(op);
    }
}

TEST(SyscallVariants, NumbersMatchTheX86_64Header) {
    const std::vector<std::pair<std::string_view, long>> want = {
        {"open", SYS_open},         {"openat", SYS_openat},     {"openat2", SYS_openat2},   {"creat", SYS_creat},
        {"mkdir", SYS_mkdir},       {"mkdirat", SYS_mkdirat},   {"unlink", SYS_unlink},     {"unlinkat", SYS_unlinkat},
        {"rmdir", SYS_rmdir},       {"rename", SYS_rename},     {"renameat", SYS_renameat}, {"renameat2", SYS_renameat2},
        {"link", SYS_link},         {"linkat", SYS_linkat},     {"symlink", SYS_symlink},   {"symlinkat", SYS_symlinkat},
        {"execve", SYS_execve},     {"execveat", SYS_execveat}, {"chdir", SYS_chdir},       {"socket", SYS_socket},
        {"bind", SYS_bind},         {"connect", SYS_connect},   {"write", SYS_write},       {"writev", SYS_writev},
        {"pwrite64", SYS_pwrite64}, {"pwritev", SYS_pwritev},   {"pwritev2", SYS_pwritev2}, {"read", SYS_read},
        {"readv", SYS_readv},       {"pread64", SYS_pread64},   {"preadv", SYS_preadv},     {"preadv2", SYS_preadv2},
    };
    for (const auto& [name, nr] : want) {
        EXPECT_EQ(syscall_number(Abi::X86_64, name), static_cast<std::uint32_t>(nr)) << name;
        EXPECT_EQ(syscall_number(Abi::X32, name).value_or(0) & 0x40000000u, 0x40000000u) << name;
    }
}

TEST(SyscallVariants, OpenCarriesItsFlagsInTheRightArgument) {
    Operation o = op_of(Op::Open);
    o.open.write = true;
    o.open.create = true;
    o.open.trunc = true;
    const auto vs = syscall_variants(o, kAll);
    const int flags = O_WRONLY | O_CREAT | O_TRUNC;
    const auto* openat = find(vs, "openat", Abi::X86_64);
    const auto* open = find(vs, "open", Abi::X86_64);
    const auto* creat = find(vs, "creat", Abi::X86_64);
    ASSERT_TRUE(openat && open && creat) << "creat is open(O_CREAT|O_WRONLY|O_TRUNC)";
    EXPECT_TRUE(openat->primary) << "glibc's open() issues openat";
    EXPECT_EQ(openat->call, "open()");
    EXPECT_EQ(openat->args[2], static_cast<std::uint64_t>(flags));
    EXPECT_EQ(openat->args[3], 0666u);
    EXPECT_EQ(open->args[1], static_cast<std::uint64_t>(flags));
    EXPECT_EQ(open->args[2], 0666u);
    EXPECT_EQ(creat->args[1], 0666u);
    EXPECT_EQ(creat->nr, static_cast<std::uint32_t>(SYS_creat));
    // i386 registers are 32 bits: AT_FDCWD is not sign-extended.
    const auto* openat32 = find(vs, "openat", Abi::I386);
    ASSERT_TRUE(openat32);
    EXPECT_EQ(openat32->args[0], static_cast<std::uint32_t>(AT_FDCWD));

    Operation ro = op_of(Op::Open);
    const auto plain = syscall_variants(ro, kAll);
    EXPECT_FALSE(find(plain, "creat", Abi::X86_64)) << "a read-only open is not creat()";
    EXPECT_EQ(find(plain, "openat", Abi::X86_64)->args[2], static_cast<std::uint64_t>(O_RDONLY));
    EXPECT_EQ(find(plain, "openat", Abi::X86_64)->args[3], 0u) << "no O_CREAT: glibc passes no mode";
}

TEST(SyscallVariants, RmdirIsUnlinkatWithAtRemovedir) {
    const auto rmdir = syscall_variants(op_of(Op::Rmdir), kAll);
    EXPECT_EQ(find(rmdir, "unlinkat", Abi::X86_64)->args[2], static_cast<std::uint64_t>(AT_REMOVEDIR));
    const auto unlink = syscall_variants(op_of(Op::Unlink), kAll);
    EXPECT_EQ(find(unlink, "unlinkat", Abi::X86_64)->args[2], 0u);
}

TEST(SyscallVariants, SocketsShowDomainAndTypeAndI386UsesSocketcall) {
    Operation o = op_of(Op::BindInet);
    o.family = AF_INET6;
    o.protocol = IPPROTO_UDP;
    o.port = 53;
    const auto vs = syscall_variants(o, kAll);
    const auto* sock = find(vs, "socket", Abi::X86_64);
    const auto* bind = find(vs, "bind", Abi::X86_64);
    ASSERT_TRUE(sock && bind);
    EXPECT_TRUE(sock->primary && bind->primary);
    EXPECT_EQ(sock->args[0], static_cast<std::uint64_t>(AF_INET6));
    EXPECT_EQ(sock->args[1], static_cast<std::uint64_t>(SOCK_DGRAM));
    EXPECT_EQ(bind->args[2], sizeof(sockaddr_in6));
    const auto* call = find(vs, "socketcall(SYS_BIND)", Abi::I386);
    ASSERT_TRUE(call);
    EXPECT_EQ(call->args[0], 2u) << "SYS_BIND";
    EXPECT_EQ(call->nr, syscall_number(Abi::I386, "socketcall").value());
    EXPECT_FALSE(find(vs, "socketcall(SYS_BIND)", Abi::X86_64)) << "x86_64 has no socketcall";
}

TEST(SyscallVariants, ReadAndWriteCarryTheFd) {
    Operation o = op_of(Op::Write);
    o.fd = 7;
    for (const auto& v : syscall_variants(o, kAll)) EXPECT_EQ(v.args[0], 7u) << v.name;
}

TEST(SyscallVariants, SubjectAbisFromItsAuditArches) {
    fdscope::why::Subject s;
    EXPECT_EQ(subject_abis(s), kAll) << "unknown: all three, x86_64 first";
    s.audit_arches = {AUDIT_ARCH_I386};
    EXPECT_EQ(subject_abis(s), std::vector<Abi>{Abi::I386});
    s.audit_arches = {AUDIT_ARCH_X86_64};
    EXPECT_EQ(subject_abis(s), (std::vector<Abi>{Abi::X86_64, Abi::X32})) << "x32 reports AUDIT_ARCH_X86_64 too";
    // An i386 program's glibc variant is the primary one.
    s.audit_arches = {AUDIT_ARCH_I386, AUDIT_ARCH_X86_64};
    const auto abis = subject_abis(s);
    const auto vs = syscall_variants(op_of(Op::Mkdir), abis);
    EXPECT_TRUE(find(vs, "mkdir", Abi::I386)->primary);
    EXPECT_FALSE(find(vs, "mkdir", Abi::X86_64)->primary);
}

TEST(SyscallVariants, SeccompDataCarriesArchNumberAndArgs) {
    Operation o = op_of(Op::Mkdir);
    const auto vs = syscall_variants(o, kAll);
    const auto d = to_seccomp_data(*find(vs, "mkdirat", Abi::X32));
    EXPECT_EQ(d.arch, static_cast<std::uint32_t>(AUDIT_ARCH_X86_64));
    EXPECT_EQ(static_cast<std::uint32_t>(d.nr), static_cast<std::uint32_t>(SYS_mkdirat) | 0x40000000u);
    EXPECT_EQ(d.args[2], 0777u);
    EXPECT_EQ(to_seccomp_data(*find(vs, "mkdir", Abi::I386)).arch, static_cast<std::uint32_t>(AUDIT_ARCH_I386));
}

}  // namespace
}  // namespace fdscope::report::why
