// The x32 numbers against <asm/unistd_x32.h>.
#include <gtest/gtest.h>

#include <asm/unistd_x32.h>

#include "report/why/syscall_variants.hpp"

namespace fdscope::report::why {
namespace {

TEST(SyscallNumbers, X32MatchesUnistdX32) {
    EXPECT_EQ(syscall_number(Abi::X32, "mkdir"), static_cast<std::uint32_t>(__NR_mkdir));
    EXPECT_EQ(syscall_number(Abi::X32, "execve"), static_cast<std::uint32_t>(__NR_execve)) << "x32 has its own execve";
    EXPECT_EQ(syscall_number(Abi::X32, "writev"), static_cast<std::uint32_t>(__NR_writev));
    EXPECT_EQ(syscall_number(Abi::X32, "openat"), static_cast<std::uint32_t>(__NR_openat));
}

}  // namespace
}  // namespace fdscope::report::why
