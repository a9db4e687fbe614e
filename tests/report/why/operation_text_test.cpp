#include "report/why/operation_text.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "report/why/capability_names.hpp"

namespace fdscope::report::why {
namespace {

using fdscope::why::Op;
using fdscope::why::Operation;

TEST(WhyBindTarget, PortAloneIsTheIpv4Wildcard) {
    std::string err;
    auto op = parse_bind_inet("", "80", err);
    ASSERT_TRUE(op) << err;
    EXPECT_EQ(op->op, Op::BindInet);
    EXPECT_EQ(op->protocol, IPPROTO_TCP);
    EXPECT_EQ(op->family, AF_INET);
    EXPECT_EQ(op->address, "");
    EXPECT_EQ(op->port, 80);
    EXPECT_EQ(address_text(*op), "0.0.0.0:80");
}

TEST(WhyBindTarget, AddressesOfBothFamilies) {
    std::string err;
    auto v4 = parse_bind_inet("udp", "127.0.0.1:5353", err);
    ASSERT_TRUE(v4) << err;
    EXPECT_EQ(v4->protocol, IPPROTO_UDP);
    EXPECT_EQ(v4->address, "127.0.0.1");
    EXPECT_EQ(v4->port, 5353);
    auto v6 = parse_bind_inet("tcp", "[::1]:8080", err);
    ASSERT_TRUE(v6) << err;
    EXPECT_EQ(v6->family, AF_INET6);
    EXPECT_EQ(v6->address, "::1");
    EXPECT_EQ(address_text(*v6), "[::1]:8080");
    auto star = parse_bind_inet("tcp", "*:22", err);
    ASSERT_TRUE(star) << err;
    EXPECT_EQ(star->address, "");
}

TEST(WhyBindTarget, BadInputIsRefusedWithAReason) {
    for (const char* bad : {"", "x", "65536", "-1", "80x", "::1:80", "[::1]80", "[::1", "300.1.1.1:80", "1.2.3.4:",
                            "[127.0.0.1]:80", "\n:80"}) {
        std::string err;
        EXPECT_FALSE(parse_bind_inet("tcp", bad, err)) << bad;
        EXPECT_FALSE(err.empty()) << bad;
    }
    std::string err;
    EXPECT_FALSE(parse_bind_inet("sctp", "80", err));
    EXPECT_NE(err.find("sctp"), std::string::npos);
}

TEST(WhyOperationText, OpenFlagsAsTheKernelNamesThem) {
    Operation op;
    op.op = Op::Open;
    op.path = "/srv/x";
    op.open.read = true;
    EXPECT_EQ(operation_flags(op), (std::vector<std::string>{"O_RDONLY"}));
    op.open = {};
    op.open.write = true;
    op.open.create = true;
    op.open.trunc = true;
    EXPECT_EQ(operation_flags(op), (std::vector<std::string>{"O_WRONLY", "O_CREAT", "O_TRUNC"}));
    EXPECT_EQ(describe_operation(op), "open /srv/x for write, creating it, truncating");
    op.open.read = true;
    EXPECT_EQ(operation_flags(op).front(), "O_RDWR");
}

TEST(WhyOperationText, EachOperationReadsAsASentence) {
    Operation op;
    op.op = Op::Rename;
    op.path = "/a";
    op.path2 = "/b";
    EXPECT_EQ(describe_operation(op), "rename /a to /b");
    op.op = Op::Symlink;
    EXPECT_EQ(describe_operation(op), "symlink /b pointing to /a");
    op.op = Op::Write;
    op.fd = 5;
    EXPECT_EQ(describe_operation(op), "write to fd 5");
    op.op = Op::ConnectUnix;
    op.path = "/run/x.sock";
    EXPECT_EQ(describe_operation(op), "connect unix /run/x.sock");
    EXPECT_EQ(operation_flags(op), (std::vector<std::string>{"unix"}));
}

TEST(WhyOperationText, SubjectsAndErrnoNames) {
    fdscope::why::Subject s;
    s.euid = 1001;
    s.user_name = "app";
    EXPECT_EQ(describe_subject(s), "uid 1001 (app)");
    s.kind = fdscope::why::SubjectKind::Process;
    s.pid = 42;
    s.tid = 42;
    s.command = "nginx";
    EXPECT_EQ(describe_subject(s), "pid 42 (nginx) as uid 1001 (app)");
    s.tid = 43;
    EXPECT_EQ(describe_subject(s), "pid 42 thread 43 (nginx) as uid 1001 (app)");
    EXPECT_EQ(errno_name(EACCES), "EACCES");
    EXPECT_EQ(errno_name(EROFS), "EROFS");
    EXPECT_EQ(errno_name(4000), "errno 4000");
}

TEST(WhyCapabilityNames, FromLibcapsTable) {
    EXPECT_EQ(capability_name(1), "CAP_DAC_OVERRIDE");
    EXPECT_EQ(capability_name(10), "CAP_NET_BIND_SERVICE");
    EXPECT_EQ(capability_names((1u << 1) | (1u << 2)),
              (std::vector<std::string>{"CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH"}));
    EXPECT_EQ(capability_name(63).substr(0, 4), "CAP_");
}

}  // namespace
}  // namespace fdscope::report::why
