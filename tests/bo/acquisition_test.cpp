#include <paretonas/bo/acquisition.hpp>
#include <paretonas/core/error.hpp>

#include "common/test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>

using namespace paretonas;

namespace {

std::vector<std::vector<double>> normal_draws(std::size_t count, std::size_t dims, unsigned seed)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    std::vector<std::vector<double>> draws(count, std::vector<double>(dims));
    for (auto& d : draws)
        for (double& v : d) v = normal(rng);
    return draws;
}

const std::vector<ObjectiveVector> kFront2{{0.30, 2.0}, {0.20, 3.0}, {0.12, 4.5}};
const ObjectiveVector kReference2{1.0, 8.0};

} // namespace

TEST(Acquisition, ExactEhviOfAKnownPointIsItsHypervolumeImprovement)
{
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const std::vector<ObjectiveVector> front3{{0.3, 2.0, 5.0}, {0.2, 3.0, 4.0}, {0.15, 4.0, 6.5}};
    const ObjectiveVector reference3{1.0, 8.0, 9.0};
    for (int i = 0; i < 200; ++i) {
        const ObjectiveVector p2{unit(rng) * 0.5, 1 + 6 * unit(rng)};
        EXPECT_NEAR(expected_hypervolume_improvement({p2, {0.0, 0.0}}, kFront2, kReference2), hypervolume_improvement(p2, kFront2, kReference2), 1e-12);
        const ObjectiveVector p3{unit(rng) * 0.5, 1 + 6 * unit(rng), 3 + 5 * unit(rng)};
        EXPECT_NEAR(expected_hypervolume_improvement({p3, {0.0, 0.0, 0.0}}, front3, reference3), hypervolume_improvement(p3, front3, reference3), 1e-12);
    }
    // By hand: (0.25, 2.5) dominates [0.25, 1] x [2.5, 8]; (0.3, 2) covers its part above error 0.3
    // and (0.2, 3) its part above cost 3, leaving [0.25, 0.3] x [2.5, 3]: 0.05 * 0.5 = 0.025.
    EXPECT_NEAR(hypervolume_improvement({0.25, 2.5}, kFront2, kReference2), 0.025, 1e-12);
}

TEST(Acquisition, ExactEhviAgreesWithMonteCarlo)
{
    const auto draws = normal_draws(40000, 3, 9);
    const std::vector<ObjectiveVector> front3{{0.3, 2.0, 5.0}, {0.2, 3.0, 4.0}, {0.15, 4.0, 6.5}};
    for (const ObjectivePrediction& p : {ObjectivePrediction{{0.25, 2.5}, {0.05, 0.0}}, ObjectivePrediction{{0.4, 1.5}, {0.1, 0.0}},
                                         ObjectivePrediction{{0.1, 5.0}, {0.02, 0.0}}}) {
        const double exact = expected_hypervolume_improvement(p, kFront2, kReference2);
        std::vector<std::vector<double>> draws2;
        for (const auto& d : draws) draws2.push_back({d[0], d[1]});
        EXPECT_NEAR(expected_hypervolume_improvement_mc(p, kFront2, kReference2, draws2), exact, 0.01 * exact + 1e-4);
    }
    const ObjectivePrediction p3{{0.22, 2.5, 4.5}, {0.06, 0.0, 0.0}};
    EXPECT_NEAR(expected_hypervolume_improvement_mc(p3, front3, {1.0, 8.0, 9.0}, draws),
                expected_hypervolume_improvement(p3, front3, {1.0, 8.0, 9.0}), 0.01 * expected_hypervolume_improvement(p3, front3, {1.0, 8.0, 9.0}));
}

TEST(Acquisition, WithTheErrorAloneEhviIsExpectedImprovement)
{
    const std::vector<ObjectiveVector> best{{0.2}, {0.35}};
    for (double mean : {0.1, 0.2, 0.3}) {
        const double sd = 0.05, u = (0.2 - mean) / sd;
        const double ei = sd * (u * 0.5 * std::erfc(-u / std::sqrt(2.0)) + std::exp(-0.5 * u * u) / std::sqrt(2 * M_PI));
        EXPECT_NEAR(expected_hypervolume_improvement({{mean}, {sd}}, best, {1.0}), ei, 1e-12) << mean;
    }
}

TEST(Acquisition, APointThatObviouslyImprovesTheFrontIsPreferred)
{
    const ObjectivePrediction improves{{0.10, 2.5}, {0.02, 0.0}};   // far below the front at that cost
    const ObjectivePrediction dominated{{0.35, 2.5}, {0.02, 0.0}};  // behind (0.30, 2.0)
    const ObjectivePrediction too_costly{{0.10, 8.5}, {0.02, 0.0}}; // beyond the reference cost
    const double a = expected_hypervolume_improvement(improves, kFront2, kReference2);
    EXPECT_GT(a, 0.1);
    EXPECT_LT(expected_hypervolume_improvement(dominated, kFront2, kReference2), a / 1000);  // 2.5 sd from improving
    EXPECT_EQ(expected_hypervolume_improvement(too_costly, kFront2, kReference2), 0.0);
    // More uncertainty at a dominated mean is worth more: the chance to land below the front.
    const ObjectivePrediction uncertain{{0.35, 2.5}, {0.2, 0.0}};
    EXPECT_GT(expected_hypervolume_improvement(uncertain, kFront2, kReference2), 0.01);
}

TEST(Acquisition, MismatchedSizesAndUncertainCostsAreNamed)
{
    EXPECT_EQ(test::error_message([] { expected_hypervolume_improvement({{0.1}, {0.0}}, kFront2, kReference2); }),
              "EHVI: a prediction of 1 objectives against a reference of 2");
    EXPECT_EQ(test::error_message([] { expected_hypervolume_improvement({{0.1, 2.0}, {0.1, 0.5}}, kFront2, kReference2); }),
              "exact EHVI needs every objective but the first known exactly (sd 0)");
    EXPECT_EQ(test::error_message([] { expected_hypervolume_improvement_mc({{0.1, 2.0}, {0.1, 0.5}}, kFront2, kReference2, {}); }),
              "Monte Carlo EHVI needs at least one draw");
}
