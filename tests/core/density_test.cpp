#include "common/test_support.hpp"

#include <paretonas/core/density.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

using namespace paretonas;
using ::testing::HasSubstr;

TEST(Density, ScottRuleInOneDimensionByHand)
{
    // sd of {0, 2} is sqrt(2); Scott's factor 2^(-1/5): h = 1.2311444.
    // p(0) = (1 + exp(-2 / h^2)) / (2 h sqrt(2 pi)).
    const GaussianKde kde({{0.0}, {2.0}});
    EXPECT_NEAR(kde.bandwidths()[0], 1.2311444, 1e-6);
    EXPECT_NEAR(kde.density({0.0}), 0.2053237, 1e-6);
    EXPECT_GT(kde.density({1.0}), kde.density({5.0}));  // far from the sample is sparse
}

TEST(Density, SilvermanRuleInTwoDimensionsByHand)
{
    // Factor (3 * 4 / 4)^(-1/6); per-axis sd 1.5275 and 1.0; evaluated at (1, 1).
    const GaussianKde kde({{0, 0}, {1, 2}, {3, 1}}, Bandwidth::silverman);
    EXPECT_NEAR(kde.bandwidths()[0], 1.2719446, 1e-6);
    EXPECT_NEAR(kde.bandwidths()[1], 0.8326832, 1e-6);
    EXPECT_NEAR(kde.density({1, 1}), 0.0567835, 1e-6);
}

TEST(Density, DegenerateSamplesStillGiveADensity)
{
    const GaussianKde one({{3.0, 4.0}});
    EXPECT_GT(one.density({3.0, 4.0}), one.density({3.5, 4.0}));
    const GaussianKde flat({{1.0}, {1.0}, {1.0}});  // zero spread: unit scale
    EXPECT_GT(flat.density({1.0}), 0.0);
    EXPECT_THAT(test::error_message([] { GaussianKde({}); }), HasSubstr("at least one point"));
    EXPECT_THAT(test::error_message([] { GaussianKde({{1.0}, {1.0, 2.0}}); }), HasSubstr("differ in dimension: 2 vs 1"));
    EXPECT_THAT(test::error_message([&] { one.density({1.0}); }), HasSubstr("dimension 1, fitted on 2"));
}

TEST(Density, InverseDensityDrawsFollowTheInverseWeights)
{
    // Weights 1, 1/2, 1/4: probabilities 4/7, 2/7, 1/7.
    const std::vector<double> densities = {1.0, 2.0, 4.0};
    std::mt19937_64 rng(3);
    std::vector<int> counts(3);
    const int draws = 70000;
    for (int i = 0; i < draws; ++i) ++counts[draw_inverse_density(densities, rng)];
    EXPECT_NEAR(counts[0] / double(draws), 4.0 / 7, 0.01);
    EXPECT_NEAR(counts[1] / double(draws), 2.0 / 7, 0.01);
    EXPECT_NEAR(counts[2] / double(draws), 1.0 / 7, 0.01);
    // A zero density is clipped, not a division by zero: it is drawn almost surely.
    EXPECT_EQ(draw_inverse_density({0.0, 1.0}, rng), 0u);
}

TEST(Density, SamplingWithoutReplacement)
{
    std::mt19937_64 rng(4);
    std::vector<int> first(3);
    for (int i = 0; i < 20000; ++i) {
        const auto chosen = sample_inverse_density({1.0, 2.0, 4.0}, 2, rng);
        ASSERT_EQ(chosen.size(), 2u);
        ASSERT_NE(chosen[0], chosen[1]);
        ++first[chosen[0]];
    }
    EXPECT_NEAR(first[0] / 20000.0, 4.0 / 7, 0.015);
    EXPECT_EQ(sample_inverse_density({1.0, 2.0}, 5, rng).size(), 2u);
}

TEST(Density, CostAwareAcceptancePrefersTheCheaperChildAtEqualDensityAndTheSparserAtEqualCost)
{
    // Children 0 and 1: equal density, child 1 ten times cheaper. Children 2 and 3: equal cost,
    // child 3 in a region four times sparser.
    const std::vector<double> density = {2.0, 2.0, 1.0, 0.25};
    const std::vector<double> cost = {10.0, 1.0, 5.0, 5.0};
    const auto w = acceptance_weights(density, cost, AcceptRule::cost);
    ASSERT_EQ(w.size(), 4u);
    EXPECT_NEAR(w[1] / w[0], 10.0, 1e-9);
    EXPECT_NEAR(w[3] / w[2], 4.0, 1e-9);
    // Weights are relative to the largest: 1 / (density x cost) = 0.05, 0.5, 0.2, 0.8.
    EXPECT_DOUBLE_EQ(w[3], 1.0);
    EXPECT_NEAR(w[1], 0.5 / 0.8, 1e-12);
    // The paper's rule ignores the cost: equal density, equal weight.
    const auto paper = acceptance_weights(density, cost, AcceptRule::paper);
    EXPECT_DOUBLE_EQ(paper[0], paper[1]);
    EXPECT_NEAR(paper[3] / paper[2], 4.0, 1e-9);
    // Extreme values neither overflow nor vanish.
    const auto extreme = acceptance_weights({1e-300, 1e300}, {1e-300, 1e300}, AcceptRule::cost);
    EXPECT_DOUBLE_EQ(extreme[0], 1.0);
    EXPECT_GT(extreme[1], 0.0);
}

TEST(Density, AcceptanceRulesByNameAndBadCosts)
{
    EXPECT_EQ(accept_rule_from_name("paper"), AcceptRule::paper);
    EXPECT_EQ(accept_rule_from_name("cost"), AcceptRule::cost);
    EXPECT_EQ(accept_rule_name(AcceptRule::cost), "cost");
    EXPECT_EQ(test::error_message([] { accept_rule_from_name("greedy"); }), "unknown acceptance rule 'greedy' (paper or cost)");
    EXPECT_EQ(test::error_message([] { acceptance_weights({1.0}, {0.0}, AcceptRule::cost); }),
              "a child's expected training cost must be positive");
    EXPECT_EQ(test::error_message([] { acceptance_weights({1.0, 2.0}, {1.0}, AcceptRule::cost); }),
              "acceptance weights need one cost per child (1 for 2)");
    EXPECT_TRUE(acceptance_weights({}, {}, AcceptRule::cost).empty());
}

TEST(Density, WeightedSamplingFollowsTheWeights)
{
    std::mt19937_64 rng(5);
    std::vector<int> counts(3);
    for (int i = 0; i < 30000; ++i) ++counts[sample_weighted({1.0, 0.5, 0.5}, 1, rng)[0]];
    EXPECT_NEAR(counts[0] / 30000.0, 0.5, 0.015);
    EXPECT_NEAR(counts[1] / 30000.0, 0.25, 0.015);
}
