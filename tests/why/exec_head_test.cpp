#include "why/exec_head.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "why/exec_format.hpp"

namespace fdscope::why {
namespace {

TEST(ExecHead, ScriptInterpreterAsTheKernelCutsIt) {
    EXPECT_EQ(parse_exec_head("#!/bin/sh\n").interpreter, "/bin/sh");
    EXPECT_EQ(parse_exec_head("#! /usr/bin/env python3\n").interpreter, "/usr/bin/env");
    EXPECT_EQ(parse_exec_head("#!/bin/sh\r\necho\n").interpreter, "/bin/sh\r");
    EXPECT_EQ(parse_exec_head("#!\n").interpreter, "");
    EXPECT_EQ(parse_exec_head("#!").kind, ExecHead::Kind::Script);
    EXPECT_EQ(parse_exec_head("hello").kind, ExecHead::Kind::Other);
    EXPECT_EQ(parse_exec_head("").kind, ExecHead::Kind::Other);
}

TEST(ExecHead, AnElfProgramsInterpreterFromItsProgramHeaders) {
    std::ifstream in("/bin/ls", std::ios::binary);
    std::string head(4096, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    const ExecHead h = parse_exec_head(head);
    EXPECT_EQ(h.kind, ExecHead::Kind::Elf);
    EXPECT_TRUE(h.interp_known);
    EXPECT_EQ(h.interpreter.rfind("/lib", 0), 0u) << h.interpreter;
    EXPECT_NE(h.interpreter.find("ld-linux"), std::string::npos) << h.interpreter;
    // Cut short, the headers are out of reach: not known rather than static.
    const ExecHead cut = parse_exec_head(head.substr(0, 80));
    EXPECT_EQ(cut.kind, ExecHead::Kind::Elf);
    EXPECT_FALSE(cut.interp_known);
}

TEST(ExecFormat, TheInterpreterIsLookedUpInTheSubjectsRoot) {
    char tmpl[] = "/tmp/fdscope-exec-XXXXXX";
    ASSERT_TRUE(mkdtemp(tmpl));
    const std::string dir = tmpl;
    std::ofstream(dir + "/crlf") << "#!/bin/sh\r\necho hi\n";
    std::ofstream(dir + "/ok") << "#!/bin/sh\necho hi\n";
    ExecFormat crlf = read_exec_format("/", dir + "/crlf");
    EXPECT_EQ(crlf.kind, ExecFormat::Kind::Script);
    EXPECT_FALSE(crlf.interpreter_exists);
    EXPECT_EQ(crlf.interpreter_error, ENOENT);
    ExecFormat ok = read_exec_format("/", dir + "/ok");
    EXPECT_TRUE(ok.interpreter_exists);
    // Inside a root where /bin/sh does not exist, it is missing.
    ExecFormat rooted = read_exec_format(dir, "/ok");
    EXPECT_FALSE(rooted.interpreter_exists);
    ExecFormat none = read_exec_format("/", dir + "/none");
    EXPECT_EQ(none.kind, ExecFormat::Kind::Unread);
    EXPECT_NE(none.unread.find("No such file"), std::string::npos);
    std::remove((dir + "/crlf").c_str());
    std::remove((dir + "/ok").c_str());
    ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace fdscope::why
