// The i386 and x32 numbers against their own headers (this file includes
// no x86_64 numbers: the headers define the same names).
#include <gtest/gtest.h>

#include <asm/unistd_32.h>

#include "report/why/syscall_variants.hpp"

namespace fdscope::report::why {
namespace {

TEST(SyscallNumbers, I386MatchesUnistd32) {
    EXPECT_EQ(syscall_number(Abi::I386, "mkdir"), static_cast<std::uint32_t>(__NR_mkdir));
    EXPECT_EQ(syscall_number(Abi::I386, "mkdirat"), static_cast<std::uint32_t>(__NR_mkdirat));
    EXPECT_EQ(syscall_number(Abi::I386, "openat"), static_cast<std::uint32_t>(__NR_openat));
    EXPECT_EQ(syscall_number(Abi::I386, "socketcall"), static_cast<std::uint32_t>(__NR_socketcall));
    EXPECT_EQ(syscall_number(Abi::I386, "pwrite64"), static_cast<std::uint32_t>(__NR_pwrite64));
    EXPECT_EQ(syscall_number(Abi::X86_64, "socketcall"), std::nullopt);
    EXPECT_EQ(syscall_number(Abi::I386, "no_such_call"), std::nullopt);
}

}  // namespace
}  // namespace fdscope::report::why
