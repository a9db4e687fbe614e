// How checks add up to a verdict, and how the kernel's own answer changes it.
#include <gtest/gtest.h>

#include "report/why/check.hpp"
#include "report/why/with_probe.hpp"

namespace fdscope::report::why {
namespace {

Check check(Layer layer, Result result, int error = 0) {
    Check c;
    c.layer = layer;
    c.result = result;
    c.error = error;
    c.explain = std::string(layer_name(layer)) + " explained";
    return c;
}

Tried tried(int error, bool exact) {
    Tried t;
    t.error = error;
    t.how = exact ? "in target" : "probe";
    t.exact = exact;
    return t;
}

TEST(WhyProbe, ASignalAgreesOnlyWithAPredictedKill) {
    Facts f;
    Check kill = check(Layer::Seccomp, Result::Fail, 0);
    Tried sigsys = tried(0, false);
    sigsys.signal = 31;
    Verdict v = with_probe(verdict_from({kill}, f), sigsys);
    EXPECT_EQ(v.outcome, Outcome::Denied);
    EXPECT_TRUE(v.tried->agrees);
    v = with_probe(verdict_from({check(Layer::Path, Result::Pass)}, f), sigsys);
    EXPECT_EQ(v.outcome, Outcome::Unknown);
    EXPECT_FALSE(v.tried->agrees);
}

TEST(WhyVerdict, TheFirstFailureIsTheKernelsAndTheRestFollow) {
    Facts f;
    Verdict v = verdict_from({check(Layer::Seccomp, Result::Pass), check(Layer::Search, Result::Fail, EACCES),
                              check(Layer::Mount, Result::Fail, EROFS)},
                             f);
    EXPECT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.error, EACCES);
    EXPECT_EQ(v.blocking, (std::vector<std::size_t>{1, 2}));
}

TEST(WhyVerdict, AllPassingIsAllowedAndAnUnknownBeforeAFailureIsUnknown) {
    Facts f;
    EXPECT_EQ(verdict_from({check(Layer::Path, Result::Pass), check(Layer::Lsm, Result::Skip)}, f).outcome,
              Outcome::Allowed);
    Verdict v = verdict_from({check(Layer::Seccomp, Result::Unknown), check(Layer::Mode, Result::Fail, EACCES)}, f);
    EXPECT_EQ(v.outcome, Outcome::Unknown);
    EXPECT_EQ(v.error, EACCES);
    // After the kernel's first failure nothing else is reached: still denied.
    v = verdict_from({check(Layer::Mode, Result::Fail, EACCES), check(Layer::Lsm, Result::Unknown)}, f);
    EXPECT_EQ(v.outcome, Outcome::Denied);
    EXPECT_EQ(v.unknowns.size(), 1u);
}

TEST(WhyVerdict, AnUnreadableFactLeavesAnAllowedAnswerUnknown) {
    Facts f;
    f.unreadable.push_back("mountinfo of pid 42: EACCES");
    Verdict v = verdict_from({check(Layer::Path, Result::Pass)}, f);
    EXPECT_EQ(v.outcome, Outcome::Unknown);
    EXPECT_EQ(v.unknowns, (std::vector<std::string>{"mountinfo of pid 42: EACCES"}));
}

TEST(WhyProbe, AgreementKeepsTheVerdict) {
    Facts f;
    Verdict denied = verdict_from({check(Layer::Search, Result::Fail, EACCES)}, f);
    Verdict v = with_probe(denied, tried(EACCES, false));
    EXPECT_EQ(v.outcome, Outcome::Denied);
    ASSERT_TRUE(v.tried);
    EXPECT_TRUE(v.tried->agrees);
    Verdict allowed = verdict_from({check(Layer::Path, Result::Pass)}, f);
    v = with_probe(allowed, tried(0, false));
    EXPECT_EQ(v.outcome, Outcome::Allowed);
    EXPECT_TRUE(v.tried->agrees);
}

TEST(WhyProbe, TheKernelRefusingWhatLooksAllowedIsUnknownNamingTheUnseenLayers) {
    Facts f;
    Verdict v = with_probe(verdict_from({check(Layer::Path, Result::Pass)}, f), tried(EACCES, false));
    EXPECT_EQ(v.outcome, Outcome::Unknown);
    EXPECT_EQ(v.error, EACCES);
    EXPECT_FALSE(v.tried->agrees);
    ASSERT_FALSE(v.unknowns.empty());
    EXPECT_NE(v.unknowns.back().find("Landlock"), std::string::npos);
}

TEST(WhyProbe, DisagreeingErrnosAndAnAllowedDenialAreUnknown) {
    Facts f;
    Verdict denied = verdict_from({check(Layer::Search, Result::Fail, EACCES)}, f);
    EXPECT_EQ(with_probe(denied, tried(EROFS, false)).outcome, Outcome::Unknown);
    EXPECT_EQ(with_probe(denied, tried(0, false)).outcome, Outcome::Unknown);
}

TEST(WhyProbe, OnlyTheSubjectItselfSettlesAnUnknown) {
    Facts f;
    Verdict unknown = verdict_from({check(Layer::Path, Result::Pass), check(Layer::Lsm, Result::Unknown)}, f);
    // A probe child cannot reproduce Landlock: its success proves nothing.
    EXPECT_EQ(with_probe(unknown, tried(0, false)).outcome, Outcome::Unknown);
    EXPECT_EQ(with_probe(unknown, tried(0, true)).outcome, Outcome::Allowed);
    Verdict v = with_probe(unknown, tried(EACCES, true));
    EXPECT_EQ(v.outcome, Outcome::Unknown);
    EXPECT_EQ(v.error, EACCES);
}

}  // namespace
}  // namespace fdscope::report::why
