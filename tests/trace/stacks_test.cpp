// User stacks of real stopped processes: a fixture blocks in read(2) under
// a known call chain; we stop it with ptrace, unwind, symbolize, and expect
// the chain in order, for the frame-pointer and the no-frame-pointer build.
// Raw frames must name code the way `readelf -n` and `nm` do.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <dlfcn.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <string>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "model/stack.hpp"
#include "support/support.hpp"
#include "symbolize/symbolizer.hpp"
#include "trace/elf_facts.hpp"
#include "trace/stacks.hpp"

namespace fdscope::trace {
namespace {

std::string trace_fixture(const std::string& name) { return std::string(FDSCOPE_TRACE_FIXTURES) + "/" + name; }

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Blocks until task `tid` sits in read(2) (its /proc syscall file names
// syscall 0), then stops it with PTRACE_SEIZE + PTRACE_INTERRUPT; the
// destructor detaches and leaves it blocked where it was.
class StoppedThread {
public:
    StoppedThread(pid_t pid, pid_t tid) : tid_(tid) {
        const std::string syscall_file = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/syscall";
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (read_text(syscall_file).rfind("0 ", 0) != 0) {
            if (std::chrono::steady_clock::now() > deadline) return;
            sched_yield();
        }
        if (ptrace(PTRACE_SEIZE, tid, nullptr, nullptr) != 0) return;
        seized_ = true;
        int status = 0;
        if (ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr) != 0 || waitpid(tid, &status, __WALL) != tid) return;
        stopped_ = WIFSTOPPED(status);
    }
    ~StoppedThread() {
        if (seized_) ptrace(PTRACE_DETACH, tid_, nullptr, nullptr);
    }
    bool stopped() const { return stopped_; }

private:
    pid_t tid_;
    bool seized_ = false, stopped_ = false;
};

// The real function of each frame (the last of its inline chain), "" when
// nothing names it.
std::vector<std::string> function_names(const std::vector<RawFrame>& frames) {
    symbolize::Symbolizer symbolizer;
    std::vector<std::string> names;
    for (const RawFrame& f : frames) {
        auto sym = symbolizer.symbolize(f);
        names.push_back(sym.empty() ? "" : sym.back().function);
    }
    return names;
}

std::string joined(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : " <- ") + (n.empty() ? "?" : n);
    return s;
}

// `chain` appears in `names` in this order, one frame after another, its
// first function at index 1 or 2 (right above the libc wrapper).
void expect_chain(const std::vector<std::string>& names, const std::vector<std::string>& chain) {
    auto it = std::find(names.begin(), names.end(), chain.front());
    ASSERT_NE(it, names.end()) << joined(names);
    auto index = it - names.begin();
    EXPECT_TRUE(index == 1 || index == 2) << joined(names);
    for (std::size_t i = 0; i < chain.size(); ++i, ++it) {
        ASSERT_NE(it, names.end()) << joined(names);
        EXPECT_EQ(*it, chain[i]) << joined(names);
    }
}

struct ChainCase {
    const char* name;
    const char* fixture;
    UnwindMethod method;
    bool in_thread;
};

class UnwindChain : public testing::TestWithParam<ChainCase> {};

TEST_P(UnwindChain, NamesTheCallChainInOrder) {
    const ChainCase& c = GetParam();
    std::vector<std::string> args;
    if (c.in_thread) args.push_back("thread");
    test::Fixture fx(std::string("trace/") + c.fixture, args);
    const pid_t pid = fx.facts()["pid"].get<pid_t>(), tid = fx.facts()["tid"].get<pid_t>();
    StoppedThread stop(pid, tid);
    ASSERT_TRUE(stop.stopped());
    auto regs = read_registers(tid);
    ASSERT_TRUE(regs);

    ModuleMap modules;
    Unwinder unwinder(c.method);
    // The ptrace engine hands in rip/rsp/rbp alone (PTRACE_GET_SYSCALL_INFO): DWARF reads the rest.
    Registers partial{regs->ip, regs->sp, regs->bp, {}, false};
    std::vector<RawFrame> before;
    for (const Registers* r : {&*regs, &partial}) {
        auto frames = unwinder.unwind(pid, tid, *r, 32, modules);
        if (before.empty()) before = frames;
        EXPECT_EQ(frames, before);
        ASSERT_GE(frames.size(), 3u);
        EXPECT_FALSE(frames[0].is_return_address);
        EXPECT_EQ(frames[0].pc, regs->ip);
        for (std::size_t i = 1; i < frames.size(); ++i) EXPECT_TRUE(frames[i].is_return_address);
        std::vector<std::string> chain = {"block_in_known_function", "middle", "outer"};
        chain.push_back(c.in_thread ? "chain_thread" : "main");
        expect_chain(function_names(frames), chain);
        EXPECT_EQ(frames[1].module.empty() ? "" : std::filesystem::path(frames[1].module).filename().string(),
                  c.fixture);
    }
    // What exec and exit do: the next unwind reads everything again, and agrees.
    unwinder.forget(pid);
    modules.forget(pid);
    EXPECT_EQ(unwinder.unwind(pid, tid, *regs, 32, modules), before);
    // A depth bound keeps the innermost frames.
    auto two = unwinder.unwind(pid, tid, *regs, 2, modules);
    ASSERT_EQ(two.size(), 2u);
    EXPECT_EQ(two[0], before[0]);
    EXPECT_EQ(two[1], before[1]);
    EXPECT_TRUE(unwinder.unwind(pid, tid, *regs, 0, modules).empty());
}

INSTANTIATE_TEST_SUITE_P(
    Stacks, UnwindChain,
    testing::Values(ChainCase{"FramePointers", "stacks_chain_fp", UnwindMethod::FramePointers, false},
                    ChainCase{"AutoWithFramePointers", "stacks_chain_fp", UnwindMethod::Auto, false},
                    ChainCase{"AutoWithoutFramePointers", "stacks_chain_nofp", UnwindMethod::Auto, false},
                    ChainCase{"DwarfWithFramePointers", "stacks_chain_fp", UnwindMethod::Dwarf, false},
                    ChainCase{"DwarfWithoutFramePointers", "stacks_chain_nofp", UnwindMethod::Dwarf, false},
                    ChainCase{"AutoInThreadWithFramePointers", "stacks_chain_fp", UnwindMethod::Auto, true},
                    ChainCase{"AutoInThreadWithoutFramePointers", "stacks_chain_nofp", UnwindMethod::Auto, true}),
    [](const testing::TestParamInfo<ChainCase>& p) { return std::string(p.param.name); });

TEST(Stacks, FramePointersAloneStopAtCodeWithoutThemAndSaySo) {
    test::Fixture fx("trace/stacks_chain_nofp");
    const pid_t pid = fx.facts()["pid"].get<pid_t>();
    StoppedThread stop(pid, pid);
    ASSERT_TRUE(stop.stopped());
    auto regs = read_registers(pid);
    ASSERT_TRUE(regs);
    ModuleMap modules;
    Unwinder unwinder(UnwindMethod::FramePointers);
    auto frames = unwinder.unwind(pid, pid, *regs, 32, modules);
    // The wrapper's return address is still found; the rbp chain of code
    // built without frame pointers is not followed.
    auto names = function_names(frames);
    ASSERT_EQ(frames.size(), 2u) << joined(names);
    EXPECT_EQ(names[1], "block_in_known_function");
    auto truncating = unwinder.truncating_modules();
    EXPECT_NE(std::find(truncating.begin(), truncating.end(), frames[1].module), truncating.end());
}

// Median of `runs` timings of fn, in microseconds.
template <typename Fn>
double median_us(int runs, Fn fn) {
    std::vector<double> t;
    for (int i = 0; i < runs; ++i) {
        auto a = std::chrono::steady_clock::now();
        fn();
        t.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - a).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

TEST(Stacks, UnwindCosts) {
    for (const char* name : {"stacks_chain_fp", "stacks_chain_nofp"}) {
        test::Fixture fx(std::string("trace/") + name);
        const pid_t pid = fx.facts()["pid"].get<pid_t>();
        StoppedThread stop(pid, pid);
        ASSERT_TRUE(stop.stopped());
        auto regs = read_registers(pid);
        ASSERT_TRUE(regs);
        ModuleMap modules;
        Unwinder fp(UnwindMethod::FramePointers), dwarf(UnwindMethod::Dwarf);
        modules.frame(pid, regs->ip, false);  // maps and build-ids read outside the timings
        auto a = std::chrono::steady_clock::now();
        auto first = dwarf.unwind(pid, pid, *regs, 32, modules);
        double first_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - a).count();
        std::size_t fp_frames = 0, dwarf_frames = 0;
        double fp_us = median_us(1000, [&] { fp_frames = fp.unwind(pid, pid, *regs, 32, modules).size(); });
        double dwarf_us = median_us(1000, [&] { dwarf_frames = dwarf.unwind(pid, pid, *regs, 32, modules).size(); });
        EXPECT_EQ(dwarf_frames, first.size());
        std::printf("[ cost ] %s: frame pointers %.1f us (%zu frames); DWARF first %.0f us, cached %.1f us (%zu frames)\n",
                    name, fp_us, fp_frames, first_us, dwarf_us, dwarf_frames);
        RecordProperty(std::string(name) + "_fp_us", std::to_string(fp_us));
        RecordProperty(std::string(name) + "_dwarf_first_us", std::to_string(first_us));
        RecordProperty(std::string(name) + "_dwarf_cached_us", std::to_string(dwarf_us));
    }
}

// `readelf -n`'s build-id of a file.
std::string readelf_build_id(const std::string& path) {
    auto r = test::run({"readelf", "-n", path});
    auto at = r.out.find("Build ID: ");
    if (at == std::string::npos) return "";
    auto end = r.out.find('\n', at);
    return r.out.substr(at + 10, end - at - 10);
}

// `nm`'s value of a defined symbol (`nm -D` for the dynamic table: shared
// libraries are stripped). For these files' text segments the file offset
// equals the virtual address, so the value is the file offset.
std::uint64_t nm_value(const std::string& path, const std::string& symbol, bool dynamic = false) {
    std::vector<std::string> argv = {"nm", "--defined-only"};
    if (dynamic) argv.push_back("-D");
    argv.push_back(path);
    std::istringstream in(test::run(argv).out);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string value, type, name;
        if (fields >> value >> type >> name && name.substr(0, name.find('@')) == symbol)
            return std::stoull(value, nullptr, 16);
    }
    return 0;
}

TEST(Stacks, FramesFromPcsNameBuildIdAndFileOffset) {
    for (const char* name : {"stacks_chain_fp", "stacks_chain_nofp"}) {
        test::Fixture fx(std::string("trace/") + name);
        const auto& facts = fx.facts();
        const pid_t pid = facts["pid"].get<pid_t>();
        const std::string path = trace_fixture(name);
        const std::vector<std::string> symbols = {"block_in_known_function", "middle", "outer", "main"};
        std::vector<std::uint64_t> pcs;
        for (const auto& s : symbols) pcs.push_back(facts[s == "block_in_known_function" ? "known" : s].get<std::uint64_t>());
        pcs.push_back(8);  // no mapping covers page 0

        ModuleMap modules;
        auto frames = frames_from_pcs(pid, pcs, modules);
        ASSERT_EQ(frames.size(), pcs.size());
        const std::string id = readelf_build_id(path);
        ASSERT_FALSE(id.empty());
        for (std::size_t i = 0; i < symbols.size(); ++i) {
            SCOPED_TRACE(symbols[i]);
            EXPECT_EQ(build_id_hex(frames[i].build_id), id);
            EXPECT_EQ(frames[i].offset, nm_value(path, symbols[i]));
            EXPECT_EQ(frames[i].pc, pcs[i]);
            EXPECT_EQ(std::filesystem::canonical(frames[i].module), std::filesystem::canonical(path));
            EXPECT_EQ(frames[i].is_return_address, i != 0);
        }
        const RawFrame& none = frames.back();
        EXPECT_EQ(none.pc, 8u);
        EXPECT_TRUE(none.build_id.empty());
        EXPECT_EQ(none.module, "");
        EXPECT_EQ(none.offset, 0u);
        // The symbolizer names them from build-id + offset alone.
        auto names = function_names({frames.begin(), frames.begin() + 1});
        EXPECT_EQ(names[0], "block_in_known_function");
    }
}

// A library not mapped into this test yet, to dlopen, and a function of it.
std::pair<std::string, std::string> unmapped_library() {
    const std::string maps = read_text("/proc/self/maps");
    const std::pair<const char*, const char*> candidates[] = {
        {"libgmp.so.10", "__gmpz_init"}, {"libexpat.so.1", "XML_ParserCreate"}, {"libjansson.so.4", "json_object"},
        {"libffi.so.8", "ffi_call"},     {"libmpfr.so.6", "mpfr_init"}};
    for (auto [lib, function] : candidates) {
        if (maps.find(lib) != std::string::npos) continue;
        const std::string path = std::string("/usr/lib/x86_64-linux-gnu/") + lib;
        if (access(path.c_str(), R_OK) == 0) return {path, function};
    }
    return {};
}

TEST(Stacks, ModuleMapRereadsForNewCodeAndKeepsBuildIdsOfDeletedFiles) {
    const auto [lib, function] = unmapped_library();
    if (lib.empty()) GTEST_SKIP() << "no library to dlopen that is not mapped already";
    // A copy we can delete while it stays mapped.
    char dir[] = "/tmp/fdscope-stacks-XXXXXX";
    ASSERT_TRUE(mkdtemp(dir));
    const std::string copy = std::string(dir) + "/copy.so";
    std::filesystem::copy_file(lib, copy);

    ModuleMap modules;
    const pid_t self = getpid();
    modules.frame(self, reinterpret_cast<std::uintptr_t>(&read_text), true);
    const auto reads = modules.maps_reads();
    void* handle = dlopen(copy.c_str(), RTLD_NOW | RTLD_LOCAL);
    std::filesystem::remove(copy);
    rmdir(dir);
    ASSERT_TRUE(handle) << dlerror();
    void* sym = dlsym(handle, function.c_str());
    ASSERT_TRUE(sym) << function;
    const auto pc = reinterpret_cast<std::uintptr_t>(sym);

    RawFrame f = modules.frame(self, pc, true);
    EXPECT_EQ(modules.maps_reads(), reads + 1);
    EXPECT_EQ(f.module, copy);  // as mapped, " (deleted)" stripped
    EXPECT_EQ(build_id_hex(f.build_id), readelf_build_id(lib));
    EXPECT_EQ(f.offset, nm_value(lib, function, true));
    dlclose(handle);
}

TEST(Stacks, ForgetMakesTheMapsReadAgain) {
    ModuleMap modules;
    const pid_t self = getpid();
    const auto pc = reinterpret_cast<std::uintptr_t>(&read_text);
    auto f = modules.frame(self, pc, true);
    EXPECT_FALSE(f.module.empty());
    EXPECT_EQ(modules.maps_reads(), 1u);
    modules.frame(self, pc, true);
    EXPECT_EQ(modules.maps_reads(), 1u);  // cached
    modules.forget(self);
    EXPECT_EQ(modules.frame(self, pc, true), f);
    EXPECT_EQ(modules.maps_reads(), 2u);
    // A pc no mapping covers reads the maps once more, then is remembered as a miss.
    modules.frame(self, 8, true);
    modules.frame(self, 8, true);
    EXPECT_EQ(modules.maps_reads(), 3u);
}

TEST(Stacks, ExecutableMappingsKeepFileBackedCodeOnly) {
    const std::string text =
        "55d0c0a00000-55d0c0a01000 r--p 00000000 fe:01 1234                       /usr/bin/prog\n"
        "55d0c0a01000-55d0c0a05000 r-xp 00001000 fe:01 1234                       /usr/bin/prog\n"
        "7f0000000000-7f0000021000 rw-p 00000000 00:00 0 \n"
        "7f1000000000-7f1000100000 r-xp 00028000 fe:01 99                         /tmp/lib with space.so (deleted)\n"
        "7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0                          [vdso]\n"
        "7e0000000000-7e0000001000 r-xp 00000000 00:01 77                         /memfd:jit (deleted)\n"
        "garbage line\n";
    auto maps = executable_mappings(text);
    ASSERT_EQ(maps.size(), 3u);
    EXPECT_EQ(maps[0].start, 0x55d0c0a01000u);
    EXPECT_EQ(maps[0].end, 0x55d0c0a05000u);
    EXPECT_EQ(maps[0].pgoff, 0x1000u);
    EXPECT_EQ(maps[0].path, "/usr/bin/prog");
    EXPECT_EQ(maps[0].inode, 1234u);
    EXPECT_EQ(maps[1].path, "/memfd:jit");
    EXPECT_EQ(maps[2].path, "/tmp/lib with space.so");
    EXPECT_EQ(maps[2].pgoff, 0x28000u);
    EXPECT_TRUE(executable_mappings("").empty());
}

TEST(Stacks, FramePointerPrologue) {
    const std::uint8_t plain[] = {0x55, 0x48, 0x89, 0xe5, 0x90};
    const std::uint8_t endbr[] = {0xf3, 0x0f, 0x1e, 0xfa, 0x55, 0x48, 0x89, 0xe5};
    const std::uint8_t no_fp[] = {0xf3, 0x0f, 0x1e, 0xfa, 0x48, 0x83, 0xec, 0x18};
    const std::uint8_t push_only[] = {0x55, 0x53, 0x48, 0x83};
    EXPECT_TRUE(has_frame_pointer_prologue(plain));
    EXPECT_TRUE(has_frame_pointer_prologue(endbr));
    EXPECT_FALSE(has_frame_pointer_prologue(no_fp));
    EXPECT_FALSE(has_frame_pointer_prologue(push_only));
    EXPECT_FALSE(has_frame_pointer_prologue({}));
}

TEST(Stacks, ElfFactsOfTheFixtures) {
    for (auto [name, fp] : {std::pair{"stacks_chain_fp", true}, std::pair{"stacks_chain_nofp", false}}) {
        const std::string path = trace_fixture(name);
        int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
        ASSERT_GE(fd, 0) << path;
        ElfFacts facts = read_elf_facts(fd);
        close(fd);
        EXPECT_EQ(build_id_hex(facts.build_id), readelf_build_id(path)) << name;
        EXPECT_EQ(facts.has_frame_pointers, fp) << name;
    }
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    ElfFacts none = read_elf_facts(fd);
    close(fd);
    EXPECT_TRUE(none.build_id.empty());
    EXPECT_TRUE(none.has_frame_pointers);
}

}  // namespace
}  // namespace fdscope::trace
