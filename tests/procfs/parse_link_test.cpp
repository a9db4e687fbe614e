#include "procfs/parse_link.hpp"

#include <string>

#include <gtest/gtest.h>

#include "testdata.hpp"

using fdscope::procfs::LinkTarget;
using fdscope::procfs::parse_link;
using fdscope::procfs::testing::sample;
using namespace std::literals;
using Type = LinkTarget::Type;

TEST(ParseLink, RealPaths) {
    std::string s = sample("link/file.txt");
    LinkTarget t = parse_link(s);
    EXPECT_EQ(t.type, Type::Path);
    EXPECT_EQ(t.path, "/etc/hostname");
    EXPECT_FALSE(t.deleted);

    s = sample("link/deleted.txt");
    t = parse_link(s);
    EXPECT_EQ(t.type, Type::Path);
    EXPECT_EQ(t.path, "/tmp/cap/del me");
    EXPECT_TRUE(t.deleted);

    s = sample("link/memfd.txt");
    t = parse_link(s);
    EXPECT_EQ(t.type, Type::Path);
    EXPECT_EQ(t.path, "/memfd:my mem fd");
    EXPECT_TRUE(t.deleted);

    s = sample("link/opath.txt");
    t = parse_link(s);
    EXPECT_EQ(t.path, "/tmp");
}

TEST(ParseLink, RealSocketAndPipe) {
    std::string s = sample("link/socket.txt");
    LinkTarget t = parse_link(s);
    EXPECT_EQ(t.type, Type::Socket);
    EXPECT_EQ(t.inode, 6756u);
    EXPECT_TRUE(t.path.empty());

    s = sample("link/pipe.txt");
    t = parse_link(s);
    EXPECT_EQ(t.type, Type::Pipe);
    EXPECT_EQ(t.inode, 6676u);
}

TEST(ParseLink, RealAnonInodes) {
    struct Case {
        const char* file;
        std::string_view cls;
    };
    for (auto [file, cls] : {Case{"link/eventfd.txt", "eventfd"}, Case{"link/epoll.txt", "eventpoll"},
                             Case{"link/inotify.txt", "inotify"}, Case{"link/signalfd.txt", "signalfd"},
                             Case{"link/timerfd.txt", "timerfd"}, Case{"link/pidfd.txt", "pidfd"},
                             Case{"link/fanotify.txt", "fanotify"}, Case{"link/bpf_map.txt", "bpf-map"},
                             Case{"link/io_uring.txt", "io_uring"}, Case{"link/userfaultfd.txt", "userfaultfd"}}) {
        std::string s = sample(file);
        LinkTarget t = parse_link(s);
        EXPECT_EQ(t.type, Type::AnonInode) << file;
        EXPECT_EQ(t.anon_class, cls) << file;
        EXPECT_EQ(t.inode, 0u);
        EXPECT_FALSE(t.deleted);
    }
}

TEST(ParseLink, NamespaceStyleTargets) {
    std::string s = sample("link/netns.txt");
    LinkTarget t = parse_link(s);
    EXPECT_EQ(t.type, Type::Other);
    EXPECT_EQ(t.inode, 4026531833u);
    EXPECT_EQ(t.path, "net:[4026531833]");

    t = parse_link("pidfd:[12345]");
    EXPECT_EQ(t.type, Type::Other);
    EXPECT_EQ(t.inode, 12345u);
    t = parse_link("mnt:[4026531841]");
    EXPECT_EQ(t.inode, 4026531841u);
}

TEST(ParseLink, AnonEdgeCases) {
    LinkTarget t = parse_link("anon_inode:[io_uring]");
    EXPECT_EQ(t.anon_class, "io_uring");
    t = parse_link("anon_inode:bpf_link");
    EXPECT_EQ(t.anon_class, "bpf_link");
    t = parse_link("anon_inode:");
    EXPECT_EQ(t.type, Type::AnonInode);
    EXPECT_EQ(t.anon_class, "");
    t = parse_link("anon_inode:[]");
    EXPECT_EQ(t.anon_class, "");
    t = parse_link("anon_inode:[");
    EXPECT_EQ(t.anon_class, "[");
    t = parse_link("anon_inode:[eventfd] (deleted)");
    EXPECT_EQ(t.type, Type::AnonInode);
    EXPECT_FALSE(t.deleted);
}

TEST(ParseLink, DeletedSuffix) {
    LinkTarget t = parse_link("/tmp/x (deleted) (deleted)");
    EXPECT_EQ(t.path, "/tmp/x (deleted)");
    EXPECT_TRUE(t.deleted);
    t = parse_link("/ (deleted)");
    EXPECT_EQ(t.path, "/");
    EXPECT_TRUE(t.deleted);
    t = parse_link("/tmp/x(deleted)");
    EXPECT_EQ(t.path, "/tmp/x(deleted)");
    EXPECT_FALSE(t.deleted);
    t = parse_link("/tmp/x (deleted)\n");
    EXPECT_FALSE(t.deleted);
}

TEST(ParseLink, OddBytesInPaths) {
    auto raw = "/tmp/we ird\nname\xff\xfe\0x (deleted)"sv;
    LinkTarget t = parse_link(raw);
    EXPECT_EQ(t.type, Type::Path);
    EXPECT_EQ(t.path, "/tmp/we ird\nname\xff\xfe\0x"sv);
    EXPECT_TRUE(t.deleted);
    EXPECT_EQ(t.path.data(), raw.data());  // a view into the input
}

TEST(ParseLink, MalformedPseudoTargets) {
    for (std::string_view s : {"socket:[]"sv, "socket:[abc]"sv, "socket:[12"sv, "socket:12]"sv,
                               "socket:[-1]"sv, "socket:[18446744073709551616]"sv, "pipe:[1]x"sv,
                               ":[5]"sv, "so cket:[5]"sv, "socket:[1 ]"sv, "socket"sv, ""sv, "[5]"sv,
                               "relative/path"sv, "socket:[1\0]"sv}) {
        LinkTarget t = parse_link(s);
        EXPECT_EQ(t.type, Type::Other) << s;
        EXPECT_EQ(t.inode, 0u) << s;
        EXPECT_EQ(t.path, s);
    }
    LinkTarget t = parse_link("socket:[18446744073709551615]");
    EXPECT_EQ(t.type, Type::Socket);
    EXPECT_EQ(t.inode, 18446744073709551615ull);
}
