#include <paretonas/bo/gaussian_process.hpp>
#include <paretonas/core/error.hpp>

#include "common/test_support.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <functional>
#include <random>

using namespace paretonas;

namespace {

using Matrix3 = std::array<std::array<double, 3>, 3>;

/// Inverse by the adjugate, written out: the test's reference shares no code with LibTorch.
Matrix3 inverse(const Matrix3& m)
{
    const double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                       m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    Matrix3 inv{};
    inv[0][0] = (m[1][1] * m[2][2] - m[1][2] * m[2][1]) / det;
    inv[0][1] = (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / det;
    inv[0][2] = (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / det;
    inv[1][0] = (m[1][2] * m[2][0] - m[1][0] * m[2][2]) / det;
    inv[1][1] = (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / det;
    inv[1][2] = (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / det;
    inv[2][0] = (m[1][0] * m[2][1] - m[1][1] * m[2][0]) / det;
    inv[2][1] = (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / det;
    inv[2][2] = (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / det;
    return inv;
}

double determinant(const Matrix3& m)
{
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
           m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

/// Matern-5/2 of a distance, written from its formula.
double kernel(double r, double lengthscale, double signal)
{
    const double s = std::sqrt(5.0) * std::fabs(r) / lengthscale;
    return signal * (1 + s + s * s / 3) * std::exp(-s);
}


} // namespace

TEST(GaussianProcess, PosteriorEqualsTheHandComputedThreePointExample)
{
    const std::array<double, 3> x{0.0, 0.5, 1.2}, y{1.0, -0.5, 0.3};
    const double lengthscale = 0.7, signal = 1.3, noise = 0.01, query = 0.8;
    Matrix3 k{};
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) k[i][j] = kernel(x[i] - x[j], lengthscale, signal) + (i == j ? noise : 0.0);
    const Matrix3 k_inv = inverse(k);
    double mean = 0, reduction = 0, quadratic = 0;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
            mean += kernel(query - x[i], lengthscale, signal) * k_inv[i][j] * y[j];
            reduction += kernel(query - x[i], lengthscale, signal) * k_inv[i][j] * kernel(query - x[j], lengthscale, signal);
            quadratic += y[i] * k_inv[i][j] * y[j];
        }
    const double variance = signal - reduction;
    const double log_likelihood = -0.5 * quadratic - 0.5 * std::log(determinant(k)) - 1.5 * std::log(2 * M_PI);

    const GaussianProcess gp({{x[0]}, {x[1]}, {x[2]}}, {y[0], y[1], y[2]}, GpHyperparameters{{lengthscale}, signal, noise},
                             /*standardise=*/false);
    const GpPrediction p = gp.predict_one({query});
    EXPECT_NEAR(p.mean, mean, 1e-12);
    EXPECT_NEAR(p.variance, variance, 1e-12);
    EXPECT_NEAR(gp.log_marginal_likelihood(), log_likelihood, 1e-10);
    EXPECT_NEAR(matern52({0.2, 0.4}, {0.5, 0.0}, GpHyperparameters{{0.7, 0.7}, signal, noise}), kernel(0.5, lengthscale, signal), 1e-15);
    // Sanity of the reference itself: at a training point the mean is close to its value (the
    // noise of 0.01 pulls it a little towards its correlated neighbours).
    EXPECT_NEAR(gp.predict_one({0.5}).mean, -0.5, 0.03);
}

TEST(GaussianProcess, StandardisedValuesArePredictedOnTheirOriginalScale)
{
    const GpPoints x{{0.1}, {0.4}, {0.9}};
    const GpHyperparameters h{{0.5}, 1.0, 1e-3};
    const GaussianProcess unit(x, {0.0, 1.0, -1.0}, h);
    const GaussianProcess scaled(x, {500.0, 1500.0, -500.0}, h);  // 1000 y + 500
    EXPECT_NEAR(scaled.predict_one({0.6}).mean, 1000 * unit.predict_one({0.6}).mean + 500, 1e-9);
    EXPECT_NEAR(scaled.predict_one({0.6}).variance, 1e6 * unit.predict_one({0.6}).variance, 1e-6);
}

TEST(GaussianProcess, FittingFindsTheRelevantCoordinateAndPredictsHeldOutPoints)
{
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const auto f = [](const std::vector<double>& p) { return std::sin(6 * p[0]); };  // p[1] is irrelevant
    GpPoints x;
    std::vector<double> y;
    for (int i = 0; i < 40; ++i) {
        x.push_back({unit(rng), unit(rng)});
        y.push_back(f(x.back()));
    }
    const GaussianProcess gp = GaussianProcess::fit(x, y);
    const auto& h = gp.hyperparameters();
    EXPECT_GT(h.lengthscales[1], 3 * h.lengthscales[0]);
    EXPECT_GT(gp.log_marginal_likelihood(), GaussianProcess(x, y, GpHyperparameters{{0.447, 0.447}, 1.0, 7e-4}).log_marginal_likelihood());
    double squared = 0;
    for (int i = 0; i < 50; ++i) {
        const std::vector<double> p{unit(rng), unit(rng)};
        squared += std::pow(gp.predict_one(p).mean - f(p), 2);
    }
    EXPECT_LT(std::sqrt(squared / 50), 0.1);
}

TEST(GaussianProcess, AFitIsReproducibleAndSurvivesDuplicatePoints)
{
    const GpPoints x{{0.2}, {0.2}, {0.2}, {0.7}, {0.7}};
    const std::vector<double> y{1.0, 1.1, 0.9, -1.0, -1.05};
    const GaussianProcess a = GaussianProcess::fit(x, y), b = GaussianProcess::fit(x, y);
    EXPECT_EQ(a.hyperparameters().lengthscales, b.hyperparameters().lengthscales);
    EXPECT_NEAR(a.predict_one({0.2}).mean, 1.0, 0.05);
    EXPECT_GT(a.hyperparameters().noise_variance, 1e-4);  // the repeated points disagree: that is noise
}

TEST(GaussianProcess, BadInputIsNamed)
{
    const GpHyperparameters h{{1.0}, 1.0, 1e-3};
    EXPECT_EQ(test::error_message([&] { GaussianProcess({}, {}, h); }), "a Gaussian process needs at least one point");
    EXPECT_EQ(test::error_message([&] { GaussianProcess({{0.1}, {0.2, 0.3}}, {1, 2}, h); }), "every GP point needs 1 coordinates, got 2");
    EXPECT_EQ(test::error_message([&] { GaussianProcess({{0.1}}, {1, 2}, h); }), "a Gaussian process needs one value per point, got 2 values for 1 points");
    EXPECT_EQ(test::error_message([&] { GaussianProcess({{0.1}}, {NAN}, h); }), "GP values must be finite");
    EXPECT_EQ(test::error_message([&] { GaussianProcess({{0.1, 0.2}}, {1}, h); }), "a GP on 2 coordinates needs 2 lengthscales, got 1");
    const GaussianProcess gp({{0.1}}, {1.0}, h);
    EXPECT_EQ(test::error_message([&] { gp.predict_one({0.1, 0.2}); }), "every GP query point needs 1 coordinates, got 2");
}

TEST(GaussianProcess, AnAddedObservationEqualsConditioningOnItFromTheStart)
{
    const GpHyperparameters h{{0.4, 0.6}, 1.5, 1e-3};
    const GaussianProcess three({{0.1, 0.2}, {0.5, 0.9}, {0.8, 0.3}}, {0.3, -0.2, 0.7}, h, /*standardise=*/false);
    const GaussianProcess four({{0.1, 0.2}, {0.5, 0.9}, {0.8, 0.3}, {0.4, 0.4}}, {0.3, -0.2, 0.7, 0.1}, h, /*standardise=*/false);
    const GaussianProcess added = three.with_observation({0.4, 0.4}, 0.1);
    EXPECT_EQ(added.size(), 4);
    EXPECT_NEAR(added.predict_one({0.6, 0.5}).mean, four.predict_one({0.6, 0.5}).mean, 1e-12);
    EXPECT_NEAR(added.predict_one({0.6, 0.5}).variance, four.predict_one({0.6, 0.5}).variance, 1e-12);
    EXPECT_LT(added.predict_one({0.4, 0.4}).variance, three.predict_one({0.4, 0.4}).variance);
}
