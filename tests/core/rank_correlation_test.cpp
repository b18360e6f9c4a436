#include "common/test_support.hpp"

#include <paretonas/core/rank_correlation.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

using namespace paretonas;
using ::testing::HasSubstr;

TEST(RankCorrelation, KendallTauByHand)
{
    EXPECT_DOUBLE_EQ(kendall_tau({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0);
    EXPECT_DOUBLE_EQ(kendall_tau({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
    // Pairs (0,1) and (0,2) concordant, (1,2) discordant: (2 - 1) / 3.
    EXPECT_DOUBLE_EQ(kendall_tau({1, 2, 3}, {1, 3, 2}), 1.0 / 3.0);
}

TEST(RankCorrelation, TiesFollowTauB)
{
    // The tied pair (0,1) of the first sample counts for neither side: 2 concordant pairs over
    // sqrt(2 untied in a x 3 untied in b) = 0.8164966 (scipy.stats.kendalltau gives the same).
    EXPECT_NEAR(kendall_tau({1, 1, 2}, {1, 2, 3}), 2.0 / std::sqrt(6.0), 1e-12);
    EXPECT_DOUBLE_EQ(kendall_tau({5, 5, 5}, {1, 2, 3}), 0.0);
}

TEST(RankCorrelation, RefusesMismatchedOrTinySamples)
{
    EXPECT_THAT(test::error_message([] { kendall_tau({1, 2}, {1, 2, 3}); }),
                HasSubstr("kendall_tau: samples of different lengths (2 and 3)"));
    EXPECT_THAT(test::error_message([] { kendall_tau({1}, {1}); }), HasSubstr("kendall_tau: needs at least 2 points, got 1"));
}
