#include <paretonas/bo/tpe.hpp>
#include <paretonas/core/error.hpp>

#include "common/test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <random>

using namespace paretonas;

namespace {

std::vector<double> uniform_point(std::mt19937_64& rng)
{
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    return {unit(rng), unit(rng)};
}

double distance(const std::vector<double>& a, const std::vector<double>& b)
{
    return std::hypot(a[0] - b[0], a[1] - b[1]);
}

} // namespace

TEST(Tpe, UniformAndReproducibleUntilThereAreEnoughObservations)
{
    EXPECT_EQ(tpe_minimum_observations(9), 20u);
    std::vector<TpeObservation> few = {{{0.1, 0.1}, 0.5}, {{0.9, 0.9}, 0.1}, {{0.5, 0.5}, 0.3}};
    const auto a = propose_tpe(few, 2, 5, 3), b = propose_tpe(few, 2, 5, 3);
    ASSERT_EQ(a.size(), 5u);
    EXPECT_EQ(a, b);
    EXPECT_NE(propose_tpe(few, 2, 5, 4), a);
    for (const auto& p : a)
        for (double v : p) {
            EXPECT_GE(v, 0.0);
            EXPECT_LE(v, 1.0);
        }
}

TEST(Tpe, ProposesNearTheGoodObservations)
{
    // Error grows with the distance to (0.2, 0.8); the model must propose close to it.
    std::mt19937_64 rng(5);
    std::vector<TpeObservation> observed;
    const std::vector<double> optimum = {0.2, 0.8};
    for (int i = 0; i < 40; ++i) {
        const auto p = uniform_point(rng);
        observed.push_back({p, distance(p, optimum)});
    }
    TpeSettings settings;
    settings.random_fraction = 0.0;
    double modelled = 0, uniform = 0;
    const auto proposals = propose_tpe(observed, 2, 50, 9, settings);
    for (const auto& p : proposals) modelled += distance(p, optimum) / 50;
    for (int i = 0; i < 50; ++i) uniform += distance(uniform_point(rng), optimum) / 50;
    std::cout << "mean distance to the optimum: model " << modelled << ", uniform " << uniform << "\n";
    EXPECT_LT(modelled, 0.5 * uniform);
}

TEST(Tpe, SnapsDrawsAndNamesBadObservations)
{
    TpeSettings settings;
    settings.snap = [](std::vector<double> u) {
        for (double& v : u) v = v < 0.5 ? 0.25 : 0.75;
        return u;
    };
    std::vector<TpeObservation> observed;
    std::mt19937_64 rng(2);
    for (int i = 0; i < 10; ++i) observed.push_back({uniform_point(rng), 0.1 * i});
    for (const auto& p : propose_tpe(observed, 2, 20, 1, settings))
        for (double v : p) EXPECT_TRUE(v == 0.25 || v == 0.75) << v;
    auto bad = observed;
    bad.push_back({{0.5, 0.5}, std::nan("")});
    EXPECT_EQ(test::error_message([&] { propose_tpe(bad, 2, 1, 1); }), "tpe: an observation's error is not finite");
    observed.push_back({{0.5}, 0.2});
    EXPECT_EQ(test::error_message([&] { propose_tpe(observed, 2, 1, 1); }), "tpe: an observation has 1 coordinates, expected 2");
}

namespace {

/// A smooth bowl in 4 dimensions with its minimum 0 at (0.3, 0.7, 0.2, 0.6).
double bowl(const std::vector<double>& u)
{
    const double centre[] = {0.3, 0.7, 0.2, 0.6};
    double f = 0;
    for (std::size_t j = 0; j < 4; ++j) f += (u[j] - centre[j]) * (u[j] - centre[j]);
    return f;
}

/// The lowest bowl value after `evaluations` TPE proposals, and after as many uniform points.
std::pair<double, double> best_after(std::uint64_t seed, int evaluations)
{
    std::vector<TpeObservation> observed;
    double tpe = INFINITY, random = INFINITY;
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (int n = 1; n <= evaluations; ++n) {
        const auto p = propose_tpe(observed, 4, 1, seed * 1000 + static_cast<std::uint64_t>(n)).front();
        observed.push_back({p, bowl(p)});
        tpe = std::min(tpe, observed.back().error);
        random = std::min(random, bowl({unit(rng), unit(rng), unit(rng), unit(rng)}));
    }
    return {tpe, random};
}

} // namespace

TEST(Tpe, FindsLowerValuesOfASmoothFunctionThanRandomSearch)
{
    // 20 seeds, 60 evaluations each: BOHB's model about halves the best value random search
    // reaches (over 40 seeds: mean log -3.93 against -3.24). Branin, with three narrow basins, is
    // not such a case for BOHB's wide kernels (docs/methods/nago.md).
    constexpr int kSeeds = 20;
    double tpe_log = 0, random_log = 0;
    int wins = 0;
    for (int seed = 1; seed <= kSeeds; ++seed) {
        const auto [tpe, random] = best_after(static_cast<std::uint64_t>(seed), 60);
        tpe_log += std::log(tpe) / kSeeds;
        random_log += std::log(random) / kSeeds;
        wins += tpe < random;
    }
    std::cout << "mean log of the best value after 60: TPE " << tpe_log << ", random " << random_log << "; TPE lower in " << wins << "/"
              << kSeeds << "\n";
    EXPECT_LT(tpe_log, random_log - 0.4);
    EXPECT_GE(wins, 13);
}

TEST(Tpe, AValueEveryGoodObservationSharesIsKeptNarrowly)
{
    // The good side agrees on the first coordinate (as on a snapped integer field): BOHB's
    // minimum bandwidth, not a unit one, keeps proposals there.
    std::mt19937_64 rng(3);
    std::vector<TpeObservation> observed;
    for (int i = 0; i < 30; ++i) {
        auto p = uniform_point(rng);
        const bool good = i < 6;
        if (good) p[0] = 0.3;
        observed.push_back({p, good ? 0.1 : 0.5 + p[0] / 10});
    }
    TpeSettings settings;
    settings.random_fraction = 0.0;
    for (const auto& p : propose_tpe(observed, 2, 20, 4, settings)) EXPECT_NEAR(p[0], 0.3, 0.02);
}
