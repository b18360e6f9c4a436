/// @file bo/gaussian_process.hpp
/// A Gaussian-process regressor for Bayesian optimisation: zero mean on standardised outputs,
/// Matern-5/2 kernel with one lengthscale per input (ARD), Gaussian noise, hyperparameters by
/// maximising the log marginal likelihood. Inputs are expected in the unit cube (the bounds of the
/// hyperparameters assume it). Computed with LibTorch in double precision on the CPU: a GP over a
/// few hundred points is a few milliseconds of linear algebra, and autograd gives the likelihood's
/// gradient for L-BFGS (why not another library: docs/methods/nago.md, "Surrogate").
/// The header is torch-free.
#ifndef PARETONAS_BO_GAUSSIAN_PROCESS_HPP
#define PARETONAS_BO_GAUSSIAN_PROCESS_HPP

#include <cstdint>
#include <memory>
#include <vector>

namespace paretonas {

using GpPoints = std::vector<std::vector<double>>;

/// Kernel and noise of a GP, on the scale of the standardised outputs.
struct GpHyperparameters {
    std::vector<double> lengthscales;  // one per input coordinate
    double signal_variance = 1.0;
    double noise_variance = 1e-4;
};

/// k(a, b) = s (1 + sqrt(5) r + 5 r^2 / 3) exp(-sqrt(5) r), r = |(a - b) / lengthscales|.
double matern52(const std::vector<double>& a, const std::vector<double>& b, const GpHyperparameters& h);

/// Box and effort of the marginal-likelihood fit. The box keeps a GP on few points from the
/// degenerate optima (lengthscales of 0 or infinity, all signal explained as noise).
struct GpFitOptions {
    double min_lengthscale = 0.01, max_lengthscale = 20.0;
    double min_signal = 0.05, max_signal = 20.0;
    double min_noise = 1e-6, max_noise = 0.5;
    int restarts = 2;        // L-BFGS starts: the first from the middle of the box, the rest random
    int iterations = 40;     // L-BFGS iterations per start
    std::uint64_t seed = 0;  // of the random starts
};

struct GpPrediction {
    double mean = 0.0;
    double variance = 0.0;  // of the latent function (without the noise)
};

class GaussianProcess {
public:
    /// Conditions on the points `x` (n of d coordinates) and values `y` with fixed
    /// hyperparameters. With `standardise` the values are shifted and scaled to mean 0 and
    /// standard deviation 1 first (predictions are returned on the original scale either way).
    /// InputError on no points, ragged points, a wrong number of lengthscales or a non-finite value.
    GaussianProcess(GpPoints x, std::vector<double> y, GpHyperparameters hyperparameters, bool standardise = true);
    /// Standardises y and chooses the hyperparameters that maximise the log marginal likelihood.
    static GaussianProcess fit(GpPoints x, std::vector<double> y, const GpFitOptions& options = {});

    /// The same GP (hyperparameters and standardisation kept) also conditioned on `value` at
    /// `point`: a kriging believer adds its own prediction as if it had been observed.
    GaussianProcess with_observation(const std::vector<double>& point, double value) const;

    std::vector<GpPrediction> predict(const GpPoints& points) const;
    GpPrediction predict_one(const std::vector<double>& point) const { return predict(GpPoints{point}).front(); }
    /// Log marginal likelihood of the (standardised) values under the hyperparameters.
    double log_marginal_likelihood() const;
    const GpHyperparameters& hyperparameters() const;
    int size() const;
    int dimensions() const;

private:
    struct State;
    /// Factorises K + noise I of `state`'s points for values already standardised.
    static std::shared_ptr<const State> condition(std::shared_ptr<State> state, const std::vector<double>& standardised);
    explicit GaussianProcess(std::shared_ptr<const State> state);
    std::shared_ptr<const State> m_state;
};

} // namespace paretonas

#endif
