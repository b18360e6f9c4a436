#include "common/test_support.hpp"

#include <paretonas/core/pareto.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

using namespace paretonas;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Pareto, DominanceIsStrictInOneObjective)
{
    EXPECT_TRUE(dominates({1, 2}, {2, 2}));
    EXPECT_FALSE(dominates({2, 2}, {1, 2}));
    EXPECT_FALSE(dominates({1, 2}, {1, 2}));  // equal points do not dominate each other
    EXPECT_FALSE(dominates({1, 3}, {2, 2}));  // a trade-off
    EXPECT_THAT(test::error_message([] { dominates({1, 2}, {1, 2, 3}); }), HasSubstr("differ in length: 2 vs 3"));
}

TEST(Pareto, SortsIntoFrontsAndKeepsOneCopyOfTies)
{
    const std::vector<ObjectiveVector> points = {{1, 4}, {2, 2}, {4, 1}, {3, 3}, {4, 4}, {2, 2}};
    const auto fronts = non_dominated_fronts(points);
    ASSERT_EQ(fronts.size(), 3u);
    EXPECT_THAT(fronts[0], ElementsAre(0, 1, 2, 5));
    EXPECT_THAT(fronts[1], ElementsAre(3));
    EXPECT_THAT(fronts[2], ElementsAre(4));
    EXPECT_THAT(pareto_front(points), ElementsAre(0, 1, 2));
    EXPECT_TRUE(non_dominated_fronts({}).empty());
    EXPECT_THAT(pareto_front({{3, 3}}), ElementsAre(0));
}

TEST(Pareto, CrowdingDistanceByHand)
{
    const auto d = crowding_distances({{1, 5}, {2, 3}, {3, 2}, {5, 1}});
    EXPECT_TRUE(std::isinf(d[0]));
    EXPECT_TRUE(std::isinf(d[3]));
    // (2,3): (3-1)/4 along the first objective + (5-2)/4 along the second.
    EXPECT_DOUBLE_EQ(d[1], 0.5 + 0.75);
    EXPECT_DOUBLE_EQ(d[2], 0.75 + 0.5);
    EXPECT_TRUE(std::isinf(crowding_distances({{1, 2}, {2, 1}})[1]));
}

TEST(Pareto, HypervolumeTwoDimensionsByHand)
{
    // Staircase under (4,4): widths 1, 1, 1 with heights 1, 2, 3.
    EXPECT_DOUBLE_EQ(hypervolume({{1, 3}, {2, 2}, {3, 1}}, {4, 4}), 6.0);
    // A dominated point adds nothing, nor one beyond the reference.
    EXPECT_DOUBLE_EQ(hypervolume({{1, 3}, {2, 2}, {3, 1}, {3, 3}, {5, 0}, {4, 1}}, {4, 4}), 6.0);
    EXPECT_DOUBLE_EQ(hypervolume({}, {4, 4}), 0.0);
    EXPECT_DOUBLE_EQ(hypervolume({{2}}, {5}), 3.0);
}

TEST(Pareto, HypervolumeThreeAndFourDimensionsByHand)
{
    EXPECT_DOUBLE_EQ(hypervolume({{1, 1, 1}}, {2, 3, 4}), 6.0);
    // Two 2x2x1 slabs overlapping in a 2x1x1 block: 4 + 4 - 2.
    EXPECT_DOUBLE_EQ(hypervolume({{0, 0, 1}, {0, 1, 0}}, {2, 2, 2}), 6.0);
    EXPECT_DOUBLE_EQ(hypervolume({{0, 0, 0, 0}}, {1, 2, 3, 4}), 24.0);
    EXPECT_DOUBLE_EQ(hypervolume({{0, 0, 0, 1}, {0, 0, 1, 0}}, {1, 1, 2, 2}), 3.0);
    EXPECT_THAT(test::error_message([] { hypervolume({{1, 1}}, {2, 2, 2}); }), HasSubstr("reference point of length 3"));
}
