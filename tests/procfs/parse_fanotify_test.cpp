#include "procfs/parse_fanotify.hpp"

#include <gtest/gtest.h>

using fdscope::procfs::FanotifyMark;
using fdscope::procfs::kFanotifyPermissionEvents;
using fdscope::procfs::parse_fanotify_marks;

TEST(ParseFanotify, MountInodeAndFilesystemMarks) {
    auto marks = parse_fanotify_marks(
        "pos:\t0\nflags:\t02\nmnt_id:\t16\nino:\t1046\n"
        "fanotify flags:10 event-flags:0\n"
        "fanotify mnt_id:3e mflags:0 mask:10000 ignored_mask:0\n"
        "fanotify ino:4f969 sdev:800013 mflags:0 mask:3b ignored_mask:40000000 fhandle-bytes:8 fhandle-type:1 f_handle:69f90400c275b5b4\n"
        "fanotify sdev:800013 mflags:0 mask:40000 ignored_mask:0 fhandle-bytes:8\n");
    ASSERT_EQ(marks.size(), 3u);
    EXPECT_EQ(marks[0].on, FanotifyMark::On::Mount);
    EXPECT_EQ(marks[0].mnt_id, 0x3e);
    EXPECT_EQ(marks[0].mask, 0x10000u);
    EXPECT_NE(marks[0].mask & kFanotifyPermissionEvents, 0u);
    EXPECT_EQ(marks[1].on, FanotifyMark::On::Inode);
    EXPECT_EQ(marks[1].inode, 0x4f969u);
    EXPECT_EQ(marks[1].sdev, 0x800013u);
    EXPECT_EQ(marks[1].mask & kFanotifyPermissionEvents, 0u);
    EXPECT_EQ(marks[1].ignored_mask, 0x40000000u);
    EXPECT_EQ(marks[2].on, FanotifyMark::On::Filesystem);
    EXPECT_EQ(marks[2].mask, 0x40000u);
}

TEST(ParseFanotify, NoMarksInOtherFdinfo) {
    EXPECT_TRUE(parse_fanotify_marks("pos:\t0\nflags:\t0100002\nmnt_id:\t25\nino:\t1\n").empty());
    EXPECT_TRUE(parse_fanotify_marks("fanotify flags:10 event-flags:0\n").empty());
    EXPECT_TRUE(parse_fanotify_marks("fanotify mask:zz mnt_id:1\nfanotify mnt_id:1\n").empty());
    EXPECT_TRUE(parse_fanotify_marks("").empty());
}
