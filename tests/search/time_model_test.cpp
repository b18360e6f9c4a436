// The time model that keeps budgets: the probe's line, and its correction by finished candidates.
#include <paretonas/search/time_model.hpp>

#include <gtest/gtest.h>

using namespace paretonas;

namespace {

Candidate finished(std::int64_t madds, int epochs, double seconds, CandidateStatus status = CandidateStatus::done)
{
    Candidate c;
    c.multiply_adds = madds;
    c.epochs = epochs;
    c.seconds = seconds;
    c.status = status;
    return c;
}

} // namespace

TEST(TimeModel, TheLineThroughTwoProbesPredictsEpochsOfAnyCost)
{
    const auto m = TimeModel::through(1'000'000, 3.0, 11'000'000, 13.0);
    EXPECT_DOUBLE_EQ(m.per_madd, 1e-6);
    EXPECT_DOUBLE_EQ(m.fixed, 2.0);
    EXPECT_DOUBLE_EQ(m.seconds(5'000'000, 2), 14.0);
    EXPECT_DOUBLE_EQ(m.seconds(5'000'000, 0), 0.0);
    // Noise that makes the larger probe faster gives a flat line, never a negative slope.
    const auto flat = TimeModel::through(1'000'000, 3.0, 11'000'000, 2.0);
    EXPECT_DOUBLE_EQ(flat.per_madd, 0.0);
    EXPECT_DOUBLE_EQ(flat.fixed, 3.0);
    EXPECT_FALSE(TimeModel{}.known());
    EXPECT_DOUBLE_EQ(TimeModel{}.seconds(1'000'000, 3), 0.0);
}

TEST(TimeModel, FinishedCandidatesCorrectThePrior)
{
    const TimeModel prior{1.0, 1e-6};
    // Nothing finished (queued, failed, or without epochs): the prior.
    const std::vector<Candidate> none = {finished(1'000'000, 1, 0.0, CandidateStatus::queued),
                                         finished(2'000'000, 1, 9.0, CandidateStatus::failed), finished(3'000'000, 0, 9.0)};
    EXPECT_DOUBLE_EQ(TimeModel::fit(none, prior).seconds(4'000'000, 1), 5.0);
    // One finished, twice as slow as the prior says: the prior scaled by 2.
    const auto scaled = TimeModel::fit({finished(4'000'000, 2, 20.0)}, prior);
    EXPECT_DOUBLE_EQ(scaled.seconds(9'000'000, 1), 20.0);
    // Three or more of different cost on a line (seconds per epoch 3 + 2e-6 x madds): that line,
    // whatever the prior.
    const std::vector<Candidate> line = {finished(1'000'000, 1, 5.0), finished(2'000'000, 2, 14.0), finished(5'000'000, 1, 13.0)};
    const auto fitted = TimeModel::fit(line, prior);
    EXPECT_NEAR(fitted.fixed, 3.0, 1e-9);
    EXPECT_NEAR(fitted.per_madd, 2e-6, 1e-15);
    // A line with a negative slope (noise) is not believed: the median ratio scales the prior.
    const std::vector<Candidate> noisy = {finished(1'000'000, 1, 8.0), finished(2'000'000, 1, 6.0), finished(3'000'000, 1, 4.0)};
    const auto robust = TimeModel::fit(noisy, prior);
    EXPECT_GE(robust.per_madd, 0.0);
    EXPECT_NEAR(robust.seconds(2'000'000, 1), 6.0, 1e-9);  // ratios 4, 2, 1: median 2
    // Without a prior, the mean seconds per epoch.
    EXPECT_DOUBLE_EQ(TimeModel::fit({finished(1'000'000, 2, 8.0)}, TimeModel{}).seconds(9'000'000, 1), 4.0);
}
