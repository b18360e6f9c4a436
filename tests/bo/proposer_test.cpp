#include <paretonas/bo/proposer.hpp>
#include <paretonas/core/error.hpp>

#include "common/test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iostream>
#include <random>
#include <set>

using namespace paretonas;

namespace {

/// Branin on [-5, 10] x [0, 15], read from the unit cube; minimum 0.397887 at three points.
double branin(const std::vector<double>& unit)
{
    const double x = -5 + 15 * unit[0], y = 15 * unit[1];
    const double b = 5.1 / (4 * M_PI * M_PI), c = 5 / M_PI, t = 1 / (8 * M_PI);
    return std::pow(y - b * x * x + c * x - 6, 2) + 10 * (1 - t) * std::cos(x) + 10;
}

constexpr double kMinimumRegion = 1.0;  // f below 1.0: about 1% of the box
constexpr int kMaxEvaluations = 60;

std::vector<double> uniform_point(std::mt19937_64& rng)
{
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    return {unit(rng), unit(rng)};
}

/// Evaluations until f < kMinimumRegion (kMaxEvaluations + 1 when never).
int random_search(std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    for (int n = 1; n <= kMaxEvaluations; ++n)
        if (branin(uniform_point(rng)) < kMinimumRegion) return n;
    return kMaxEvaluations + 1;
}

int bayesian_optimisation(std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::vector<BoObservation> observed;
    ProposerSettings settings;
    settings.random_candidates = 500;
    settings.local_candidates = 200;
    settings.gp.restarts = 2;
    for (int n = 1; n <= kMaxEvaluations; ++n) {
        // The same 5 uniform starting points random search begins with.
        const std::vector<double> p = n <= 5 ? uniform_point(rng) : propose_batch(observed, 2, {}, {400.0}, 1, seed * 1000 + n, settings).front();
        const double f = branin(p);
        if (f < kMinimumRegion) return n;
        observed.push_back({p, {f}});
    }
    return kMaxEvaluations + 1;
}

} // namespace

TEST(Proposer, ReachesBraninsMinimumRegionInFewerEvaluationsThanRandomSearch)
{
    double bo_total = 0, random_total = 0;
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
        const int bo = bayesian_optimisation(seed), random = random_search(seed);
        EXPECT_LE(bo, kMaxEvaluations) << "seed " << seed;
        bo_total += bo;
        random_total += random;
        std::cout << "seed " << seed << ": BO " << bo << " evaluations, random search " << random << "\n";
    }
    EXPECT_LT(bo_total, 0.6 * random_total);
}

TEST(Proposer, ABatchSpreadsOutAndASeedRepeatsIt)
{
    std::mt19937_64 rng(4);
    std::vector<BoObservation> observed;
    for (int i = 0; i < 12; ++i) {
        const auto p = uniform_point(rng);
        observed.push_back({p, {branin(p)}});
    }
    const auto batch = propose_batch(observed, 2, {}, {400.0}, 4, 7);
    ASSERT_EQ(batch.size(), 4u);
    for (std::size_t i = 0; i < batch.size(); ++i)
        for (std::size_t j = i + 1; j < batch.size(); ++j)
            EXPECT_GT(std::hypot(batch[i][0] - batch[j][0], batch[i][1] - batch[j][1]), 0.01) << i << " and " << j;
    EXPECT_EQ(propose_batch(observed, 2, {}, {400.0}, 4, 7), batch);
}

TEST(Proposer, KnownCostsSteerTowardsTheCheapEndWhenErrorsAreEqual)
{
    // Error is flat; cost = first coordinate. Only a cheaper point can grow the hypervolume.
    std::vector<BoObservation> observed;
    for (double c : {0.5, 0.6, 0.7, 0.8}) observed.push_back({{c, 0.5}, {0.3, c}});
    const auto costs = [](const std::vector<double>& u) { return ObjectiveVector{u[0]}; };
    const auto batch = propose_batch(observed, 2, costs, {1.0, 1.0}, 1, 3);
    EXPECT_LT(batch.front()[0], 0.5);
}

TEST(Proposer, SnappedCandidatesAreProposedOnceEachAndABatchStopsWhenTheyRunOut)
{
    // A 3 x 3 grid: each coordinate snapped to the middle of its third, as integer fields are.
    ProposerSettings settings;
    settings.snap = [](const std::vector<double>& u) {
        std::vector<double> p;
        for (double v : u) p.push_back((std::min(2.0, std::floor(v * 3)) + 0.5) / 3);
        return p;
    };
    std::vector<BoObservation> observed{{{0.5 / 3, 0.5 / 3}, {branin({0.5 / 3, 0.5 / 3})}}, {{2.5 / 3, 2.5 / 3}, {branin({2.5 / 3, 2.5 / 3})}}};
    const auto batch = propose_batch(observed, 2, {}, {400.0}, 12, 5, settings);
    EXPECT_EQ(batch.size(), 9u);  // nine distinct grid points, however many were asked for
    std::set<std::vector<double>> distinct(batch.begin(), batch.end());
    EXPECT_EQ(distinct.size(), batch.size());
    for (const auto& p : batch) EXPECT_EQ(settings.snap(p), p);
}

TEST(Proposer, TooFewObservationsAndMismatchedCostsAreNamed)
{
    const std::vector<BoObservation> one{{{0.5, 0.5}, {1.0}}};
    EXPECT_EQ(test::error_message([&] { propose_batch(one, 2, {}, {400.0}, 1, 0); }), "Bayesian optimisation needs at least 2 evaluated points, has 1");
    const std::vector<BoObservation> two{{{0.5, 0.5}, {1.0, 0.5}}, {{0.2, 0.5}, {2.0, 0.2}}};
    EXPECT_EQ(test::error_message([&] { propose_batch(two, 2, {}, {400.0, 1.0}, 1, 0); }), "known costs of 0 objectives for a reference of 2");
}
