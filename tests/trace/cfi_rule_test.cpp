// The CFI rules the BPF engine walks syscall-wrapper stacks with, computed
// from the .eh_frame of this test's own libc and of its own code.
#include <dlfcn.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <algorithm>
#include <cstring>
#include <vector>
#include <elfutils/libdw.h>

#include "sys/unique_fd.hpp"
#include "trace/bpf/cfi_rules.hpp"
#include "trace/bpf/cfi_signatures.hpp"
#include "trace/bpf/trace_program.hpp"

namespace fdscope::trace {
namespace {

// The pc after open64's first `syscall` (what regs->ip says at sys_exit).
std::uint64_t after_syscall(const void* fn) {
    const auto* code = static_cast<const std::uint8_t*>(fn);
    for (std::size_t i = 0; i + 1 < 512; ++i)
        if (code[i] == 0x0f && code[i + 1] == 0x05) return reinterpret_cast<std::uint64_t>(code + i + 2);
    return 0;
}

extern "C" __attribute__((noinline)) std::uint64_t return_address_of_call() {
    return reinterpret_cast<std::uint64_t>(__builtin_extract_return_addr(__builtin_return_address(0)));
}

// A function with a frame pointer: at the pc after its call, CFA = rbp + 16
// and rbp is saved below the return address.
extern "C" __attribute__((noinline, optimize("no-omit-frame-pointer"))) std::uint64_t framed_caller() {
    volatile std::uint64_t pc = return_address_of_call();
    return pc;
}

TEST(CfiRule, GlibcOpenWrapperKeepsItsReturnAddressAboveItsFrame) {
    void* open64_fn = ::dlsym(RTLD_DEFAULT, "open64");
    ASSERT_NE(open64_fn, nullptr);
    const std::uint64_t ip = after_syscall(open64_fn);
    ASSERT_NE(ip, 0u);
    ModuleMap modules;
    CfiRules rules;
    const auto rule = rules.rule(::getpid(), ip, modules);
    const Mapping* m = modules.mapping(::getpid(), ip);
    ASSERT_NE(m, nullptr);
    if (m->has_frame_pointers && !rule) GTEST_SKIP() << m->path << " keeps frame pointers: no rule is needed";
    ASSERT_TRUE(rule.has_value()) << m->path;
    // Whatever the wrapper pushed, the return address is the CFA's last word
    // and the CFA is counted from rsp (rbp is no frame pointer there).
    EXPECT_FALSE(rule->cfa_bp);
    EXPECT_EQ(rule->ra_off, -8);
    EXPECT_GE(rule->cfa_off, 8);
    EXPECT_EQ(rule->cfa_off % 8, 0);
    if (rule->bp_saved) {
        EXPECT_LT(rule->bp_off, -8);
        EXPECT_GE(rule->bp_off, -rule->cfa_off);
    }
    // The same answer again, from the cache.
    EXPECT_EQ(rules.rule(::getpid(), ip, modules), rule);
}

TEST(CfiRule, DebianOpen64RuleIsTheOneItsPrologueSays) {
    // Debian 12's open64: push %rbp; mov %esi,%r10d; mov %rdi,%rbp; push %rbx;
    // mov %esi,%ebx; sub $0x68,%rsp; ... syscall: CFA = rsp + 0x80, rbp at CFA - 16.
    void* open64_fn = ::dlsym(RTLD_DEFAULT, "open64");
    ASSERT_NE(open64_fn, nullptr);
    static const std::uint8_t want[] = {0x55, 0x41, 0x89, 0xf2, 0x48, 0x89, 0xfd, 0x53,
                                        0x89, 0xf3, 0x48, 0x83, 0xec, 0x68};
    if (std::memcmp(open64_fn, want, sizeof want) != 0) GTEST_SKIP() << "this libc's open64 has another prologue";
    ModuleMap modules;
    CfiRules rules;
    const auto rule = rules.rule(::getpid(), after_syscall(open64_fn), modules);
    ASSERT_TRUE(rule.has_value());
    EXPECT_EQ(*rule, (CfiRule{.cfa_bp = false, .cfa_off = 0x80, .ra_off = -8, .bp_saved = true, .bp_off = -16}));
}

TEST(CfiRule, CodeWithAFramePointerGetsNoRule) {
    const std::uint64_t pc = framed_caller();
    ModuleMap modules;
    CfiRules rules;
    ASSERT_NE(modules.mapping(::getpid(), pc), nullptr);
    EXPECT_FALSE(rules.rule(::getpid(), pc, modules).has_value());
}

TEST(CfiRule, NoModuleOrNoCfiGivesNoRule) {
    ModuleMap modules;
    CfiRules rules;
    EXPECT_FALSE(rules.rule(::getpid(), 0x10, modules).has_value());
    EXPECT_FALSE(cfi_rule(nullptr, 0x1000).has_value());
}

TEST(CfiRule, RefusalWordTurnsTheWalkOff) {
    ProgramOptions o;
    std::string why;
    ASSERT_TRUE(parse_trace_refusals("cfi_walk", o, why)) << why;
    EXPECT_FALSE(o.cfi_walk);
    EXPECT_TRUE(o.task_storage);
    EXPECT_FALSE(parse_trace_refusals("cfi", o, why));
    EXPECT_NE(why.find("cfi_walk"), std::string::npos);
}

}  // namespace
}  // namespace fdscope::trace

namespace fdscope::trace {
namespace {

// The rules loaded before anything runs: keyed by what ASLR leaves in place.
TEST(CfiSignatures, TheCLibraryFdscopeMapsHasOpen64sSiteWithItsRule) {
    void* open64_fn = ::dlsym(RTLD_DEFAULT, "open64");
    ASSERT_NE(open64_fn, nullptr);
    const std::uint64_t ip = after_syscall(open64_fn);
    ASSERT_NE(ip, 0u);
    Dl_info info{};
    ASSERT_NE(::dladdr(open64_fn, &info), 0);
    const auto files = own_c_library_files();
    ASSERT_FALSE(files.empty());
    std::vector<CfiSignature> sigs;
    for (const auto& f : files) {
        auto s = file_signatures(f);
        sigs.insert(sigs.end(), s.begin(), s.end());
    }
    sigs = unambiguous(std::move(sigs));
    // The key as the BPF program builds it from the running process.
    CfiSignature want;
    want.page_off = static_cast<std::uint32_t>(ip & 0xfff);
    std::memcpy(want.code.data(), reinterpret_cast<const void*>(ip - want.code.size()), want.code.size());
    auto it = std::find_if(sigs.begin(), sigs.end(),
                           [&](const CfiSignature& s) { return s.page_off == want.page_off && s.code == want.code; });
    ASSERT_NE(it, sigs.end()) << info.dli_fname;
    ModuleMap modules;
    CfiRules rules;
    const auto live = rules.rule(::getpid(), ip, modules);
    ASSERT_TRUE(live.has_value());
    EXPECT_EQ(it->rule, *live);  // the same rule as the one learnt from the live pc
}

TEST(CfiSignatures, KeysTwoSitesShareWithDifferentRulesAreDropped) {
    CfiSignature a;
    a.page_off = 0x123;
    a.code.fill(0x90);
    a.rule.cfa_off = 16;
    CfiSignature same = a;             // the same key and rule: kept once
    CfiSignature clash = a;            // the same key, another rule: both go
    clash.rule.cfa_off = 32;
    CfiSignature other = a;
    other.page_off = 0x124;
    auto out = unambiguous({a, same, other});
    EXPECT_EQ(out.size(), 2u);
    out = unambiguous({a, clash, other});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].page_off, 0x124u);
}

TEST(CfiSignatures, EverySyscallInstructionWithARuleIsFound) {
    // A fake segment: no CFI, no rule, no signature (never a guessed one).
    const std::vector<std::uint8_t> code(64, 0x0f);
    EXPECT_TRUE(syscall_signatures(code, 0x1000, nullptr).empty());
}

}  // namespace
}  // namespace fdscope::trace
