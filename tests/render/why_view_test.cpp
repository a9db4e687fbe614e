#include "render/why_view.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "capture.hpp"

namespace fdscope::render {
namespace {

using report::why::Check;
using report::why::Layer;
using report::why::Result;

why::Facts open_facts() {
    why::Facts f;
    f.operation.op = why::Op::Open;
    f.operation.path = "/srv/app/data/x.db";
    f.operation.open.write = true;
    f.subject.euid = 1001;
    f.subject.egid = 1001;
    f.subject.groups = {1001, 27};
    f.subject.user_name = "app";
    return f;
}

report::why::Verdict denied(const why::Facts& f) {
    Check pass;
    pass.layer = Layer::Seccomp;
    pass.detail = "no filter";
    Check search;
    search.layer = Layer::Search;
    search.path = "/srv/app";
    search.result = Result::Fail;
    search.error = EACCES;
    search.detail = "drwx------ root:root, no ACL";
    search.explain = "search permission on /srv/app (drwx------ root:root, no ACL) is missing";
    search.fix = "chmod o+x /srv/app, or setfacl -m u:app:x /srv/app";
    Check ro;
    ro.layer = Layer::Mount;
    ro.path = "/srv";
    ro.result = Result::Fail;
    ro.error = EROFS;
    ro.explain = "/srv is a read-only bind mount";
    ro.holders.push_back({812, "nginx", 7, "inherited from 700"});
    return report::why::verdict_from({pass, search, ro}, f);
}

TEST(WhyView, TheVerdictLineComesFirstWithTheFix) {
    const auto f = open_facts();
    testing::Capture c;
    write_why_text(c.out(), f, denied(f), {});
    const std::string text = c.text();
    EXPECT_EQ(text.substr(0, text.find('\n')),
              "open /srv/app/data/x.db for write as uid 1001 (app): denied, EACCES — search permission on /srv/app "
              "(drwx------ root:root, no ACL) is missing. Fix: chmod o+x /srv/app, or setfacl -m u:app:x /srv/app");
    EXPECT_NE(text.find("  then: mount EROFS — /srv is a read-only bind mount"), std::string::npos) << text;
    EXPECT_NE(text.find("held by pid 812 (nginx) fd 7, inherited from 700"), std::string::npos) << text;
    EXPECT_EQ(text.find("no filter"), std::string::npos) << "passes only with -v";
    EXPECT_NE(text.find("1 passing or skipped checks; -v shows them"), std::string::npos) << text;
    testing::Capture v;
    write_why_text(v.out(), f, denied(f), {.verbose = true});
    EXPECT_NE(v.text().find("seccomp    pass    no filter"), std::string::npos) << v.text();
}

TEST(WhyView, ANotesSentenceIsShownInTextAndJson) {
    const auto f = open_facts();
    Check note;
    note.layer = Layer::Seccomp;
    note.path = "mkdirat";
    note.result = Result::Note;
    note.error = EPERM;
    note.detail = "x86_64 nr 258: ERRNO(EPERM)";
    note.explain = "mkdirat is ERRNO(EPERM); glibc does not issue it: mkdir() is allowed";
    const auto v = report::why::verdict_from({note}, f);
    testing::Capture c;
    write_why_text(c.out(), f, v, {});
    EXPECT_NE(c.text().find("seccomp    note    mkdirat  x86_64 nr 258: ERRNO(EPERM) — mkdirat is ERRNO(EPERM); glibc "
                            "does not issue it: mkdir() is allowed"),
              std::string::npos)
        << c.text();
    testing::Capture j;
    write_why_json(j.out(), f, v);
    const auto doc = nlohmann::json::parse(j.text());
    EXPECT_EQ(doc["checks"][0]["explain"], note.explain);
    EXPECT_FALSE(doc["checks"][0].contains("errno")) << "errno is for failures";
}

TEST(WhyView, HostileNamesStayOnOneLine) {
    auto f = open_facts();
    f.operation.path = "/tmp/a\nb\tc\xff";
    testing::Capture c;
    report::why::Verdict v = report::why::verdict_from({}, f);
    write_why_text(c.out(), f, v, {});
    const std::string text = c.text();
    EXPECT_EQ(text, "open /tmp/a\\nb\\tc\\xff for write as uid 1001 (app): allowed\n");
}

TEST(WhyView, JsonFollowsTheSchema) {
    const auto f = open_facts();
    testing::Capture c;
    auto v = denied(f);
    v.tried = report::why::Tried{};
    v.tried->error = EACCES;
    v.tried->how = "probe child: open O_WRONLY|O_NONBLOCK";
    write_why_json(c.out(), f, v);
    const auto j = nlohmann::json::parse(c.text());
    EXPECT_EQ(j["schema"], 1);
    EXPECT_EQ(j["command"], "why");
    EXPECT_EQ(j["operation"]["op"], "open");
    EXPECT_EQ(j["operation"]["path"], "/srv/app/data/x.db");
    EXPECT_EQ(j["operation"]["flags"], nlohmann::json::array({"O_WRONLY"}));
    EXPECT_EQ(j["subject"]["uid"], 1001);
    EXPECT_EQ(j["subject"]["groups"], nlohmann::json::array({1001, 27}));
    EXPECT_TRUE(j["subject"]["pid"].is_null());
    EXPECT_EQ(j["subject"]["capabilities"], nlohmann::json::array());
    EXPECT_EQ(j["verdict"], "denied");
    EXPECT_EQ(j["errno"], "EACCES");
    EXPECT_EQ(j["layer"], "search");
    ASSERT_EQ(j["blocking"].size(), 2u);
    EXPECT_EQ(j["blocking"][1]["layer"], "mount");
    EXPECT_EQ(j["blocking"][1]["errno"], "EROFS");
    EXPECT_EQ(j["blocking"][1]["holders"][0]["pid"], 812);
    EXPECT_EQ(j["blocking"][1]["holders"][0]["fd"], 7);
    ASSERT_EQ(j["checks"].size(), 3u);
    EXPECT_EQ(j["checks"][0]["result"], "pass");
    EXPECT_EQ(j["checks"][1]["result"], "fail");
    EXPECT_EQ(j["tried"]["errno"], "EACCES");
    EXPECT_EQ(j["tried"]["agrees"], true);
}

TEST(WhyView, JsonOfAnAllowedBindWithoutProbe) {
    why::Facts f;
    std::string err;
    f.operation.op = why::Op::BindInet;
    f.operation.protocol = 6;
    f.operation.family = 10;
    f.operation.address = "::1";
    f.operation.port = 8080;
    f.subject.kind = why::SubjectKind::Process;
    f.subject.pid = 42;
    f.subject.tid = 42;
    f.subject.command = "a\"b";
    f.subject.cap_effective = 1u << 10;
    testing::Capture c;
    write_why_json(c.out(), f, report::why::verdict_from({}, f));
    const auto j = nlohmann::json::parse(c.text());
    EXPECT_EQ(j["operation"]["op"], "bind");
    EXPECT_EQ(j["operation"]["path"], "[::1]:8080");
    EXPECT_EQ(j["operation"]["flags"], nlohmann::json::array({"tcp"}));
    EXPECT_EQ(j["subject"]["pid"], 42);
    EXPECT_EQ(j["subject"]["command"], "a\"b");
    EXPECT_EQ(j["subject"]["capabilities"], nlohmann::json::array({"CAP_NET_BIND_SERVICE"}));
    EXPECT_EQ(j["verdict"], "allowed");
    EXPECT_TRUE(j["errno"].is_null());
    EXPECT_TRUE(j["layer"].is_null());
    EXPECT_TRUE(j["tried"].is_null());
}

}  // namespace
}  // namespace fdscope::render
