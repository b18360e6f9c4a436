#include <paretonas/bo/gaussian_process.hpp>

#include <paretonas/core/error.hpp>

#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>

namespace paretonas {

struct GaussianProcess::State {
    torch::Tensor x;         // [n, d]
    torch::Tensor cholesky;  // lower factor of K + noise I, [n, n]
    torch::Tensor alpha;     // (K + noise I)^-1 y, [n]
    GpHyperparameters hyperparameters;
    double y_mean = 0.0;
    double y_scale = 1.0;
    double log_marginal_likelihood = 0.0;
    std::vector<double> y_standardised;
};

namespace {

const auto kDouble = torch::TensorOptions().dtype(torch::kFloat64);

/// k(a_i, b_j) for all pairs. `same`: b is a (a training covariance), whose diagonal is then
/// exactly 0 in distance.
torch::Tensor matern52_matrix(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& lengthscales,
                              const torch::Tensor& signal, bool same = false)
{
    // |a - b|^2 = |a|^2 + |b|^2 - 2 a.b on the scaled points: one matrix product instead of an
    // [n, m, d] difference tensor and its gradient (the fit evaluates this a few hundred times).
    const torch::Tensor sa = a.div(lengthscales), sb = b.div(lengthscales);
    torch::Tensor r2 = (sa.pow(2).sum(-1).unsqueeze(1) + sb.pow(2).sum(-1).unsqueeze(0) - 2.0 * sa.matmul(sb.t())).clamp_min(0.0);
    // The expansion leaves rounding noise where a point meets itself; zero it, and the clamp
    // below then stops the gradient there (sqrt's derivative would blow the noise up).
    if (same) r2 = r2 * (1.0 - torch::eye(r2.size(0), r2.options()));
    const torch::Tensor r = torch::sqrt(r2.clamp_min(1e-30));
    const double root5 = std::sqrt(5.0);
    return signal * (1.0 + root5 * r + (5.0 / 3.0) * r2) * torch::exp(-root5 * r);
}

torch::Tensor to_tensor(const GpPoints& points, std::size_t dimensions, const char* what)
{
    if (points.empty()) fail(std::string("a Gaussian process needs at least one ") + what);
    std::vector<double> flat;
    flat.reserve(points.size() * dimensions);
    for (const auto& p : points) {
        if (p.size() != dimensions)
            fail(std::string("every GP ") + what + " needs " + std::to_string(dimensions) + " coordinates, got " + std::to_string(p.size()));
        for (double v : p) {
            if (!std::isfinite(v)) fail(std::string("GP ") + what + " coordinates must be finite");
            flat.push_back(v);
        }
    }
    return torch::tensor(flat, kDouble).reshape({static_cast<std::int64_t>(points.size()), static_cast<std::int64_t>(dimensions)});
}

/// Adds as little jitter as the factorisation needs (duplicate points at tiny noise).
torch::Tensor cholesky_with_jitter(const torch::Tensor& k)
{
    const torch::Tensor eye = torch::eye(k.size(0), kDouble);
    for (double jitter : {0.0, 1e-10, 1e-8, 1e-6, 1e-4}) {
        auto [factor, info] = torch::linalg_cholesky_ex(jitter == 0.0 ? k : k + jitter * eye);
        if (info.item<int>() == 0) return factor;
    }
    fail("the Gaussian process's covariance is not positive definite even with jitter 1e-4");
}

/// -log p(y | x, hyperparameters) as a differentiable tensor.
torch::Tensor negative_log_likelihood(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& lengthscales,
                                      const torch::Tensor& signal, const torch::Tensor& noise)
{
    const std::int64_t n = x.size(0);
    const torch::Tensor k = matern52_matrix(x, x, lengthscales, signal, /*same=*/true) + noise * torch::eye(n, kDouble);
    const torch::Tensor factor = torch::linalg_cholesky(k);
    const torch::Tensor alpha = torch::cholesky_solve(y.unsqueeze(1), factor).squeeze(1);
    return 0.5 * y.dot(alpha) + factor.diagonal().log().sum() + 0.5 * static_cast<double>(n) * std::log(2.0 * M_PI);
}

/// Maps an unconstrained vector z to hyperparameters inside the fit's box (log-uniform in each
/// range), so that L-BFGS needs no bounds.
struct BoxedHyperparameters {
    torch::Tensor low, high;  // log bounds, [d + 2]: lengthscales, signal, noise

    BoxedHyperparameters(std::int64_t d, const GpFitOptions& o)
    {
        low = torch::cat({torch::full({d}, std::log(o.min_lengthscale), kDouble), torch::tensor({std::log(o.min_signal), std::log(o.min_noise)}, kDouble)});
        high = torch::cat({torch::full({d}, std::log(o.max_lengthscale), kDouble), torch::tensor({std::log(o.max_signal), std::log(o.max_noise)}, kDouble)});
    }
    torch::Tensor values(const torch::Tensor& z) const { return torch::exp(low + (high - low) * torch::sigmoid(z)); }
};

std::vector<double> to_vector(const torch::Tensor& t)
{
    const torch::Tensor c = t.detach().contiguous();
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

} // namespace

double matern52(const std::vector<double>& a, const std::vector<double>& b, const GpHyperparameters& h)
{
    if (a.size() != b.size() || a.size() != h.lengthscales.size()) fail("matern52: points and lengthscales differ in length");
    double r2 = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) r2 += std::pow((a[i] - b[i]) / h.lengthscales[i], 2);
    const double r = std::sqrt(r2), root5 = std::sqrt(5.0);
    return h.signal_variance * (1.0 + root5 * r + 5.0 / 3.0 * r2) * std::exp(-root5 * r);
}

GaussianProcess::GaussianProcess(std::shared_ptr<const State> state) : m_state(std::move(state)) {}

GaussianProcess::GaussianProcess(GpPoints x, std::vector<double> y, GpHyperparameters h, bool standardise)
{
    const std::size_t d = x.empty() ? 0 : x.front().size();
    auto state = std::make_shared<State>();
    state->x = to_tensor(x, d, "point");
    if (y.size() != x.size())
        fail("a Gaussian process needs one value per point, got " + std::to_string(y.size()) + " values for " + std::to_string(x.size()) + " points");
    for (double v : y)
        if (!std::isfinite(v)) fail("GP values must be finite");
    if (h.lengthscales.size() != d)
        fail("a GP on " + std::to_string(d) + " coordinates needs " + std::to_string(d) + " lengthscales, got " + std::to_string(h.lengthscales.size()));
    if (standardise) {
        const torch::Tensor values = torch::tensor(y, kDouble);
        state->y_mean = values.mean().item<double>();
        const double sd = y.size() > 1 ? values.std(/*unbiased=*/false).item<double>() : 0.0;
        state->y_scale = sd > 1e-12 ? sd : 1.0;
        for (double& v : y) v = (v - state->y_mean) / state->y_scale;
    }
    state->hyperparameters = std::move(h);
    m_state = condition(std::move(state), y);
}

std::shared_ptr<const GaussianProcess::State> GaussianProcess::condition(std::shared_ptr<State> state, const std::vector<double>& standardised)
{
    const GpHyperparameters& h = state->hyperparameters;
    const torch::Tensor values = torch::tensor(standardised, kDouble);
    const torch::Tensor k = matern52_matrix(state->x, state->x, torch::tensor(h.lengthscales, kDouble), torch::tensor(h.signal_variance, kDouble), true) +
                            h.noise_variance * torch::eye(state->x.size(0), kDouble);
    state->cholesky = cholesky_with_jitter(k);
    state->alpha = torch::cholesky_solve(values.unsqueeze(1), state->cholesky).squeeze(1);
    state->log_marginal_likelihood = -(0.5 * values.dot(state->alpha) + state->cholesky.diagonal().log().sum()).item<double>() -
                                     0.5 * static_cast<double>(standardised.size()) * std::log(2.0 * M_PI);
    state->y_standardised = standardised;
    return state;
}

GaussianProcess GaussianProcess::with_observation(const std::vector<double>& point, double value) const
{
    if (!std::isfinite(value)) fail("GP values must be finite");
    auto state = std::make_shared<State>(*m_state);
    state->x = torch::cat({m_state->x, to_tensor({point}, static_cast<std::size_t>(m_state->x.size(1)), "point")});
    std::vector<double> values = m_state->y_standardised;
    values.push_back((value - m_state->y_mean) / m_state->y_scale);
    return GaussianProcess(condition(std::move(state), values));
}

GaussianProcess GaussianProcess::fit(GpPoints x, std::vector<double> y, const GpFitOptions& options)
{
    const std::size_t d = x.empty() ? 0 : x.front().size();
    // Standardise through the fixed-hyperparameter constructor (it also validates the input).
    const GaussianProcess prior(x, y, GpHyperparameters{std::vector<double>(d, 1.0), 1.0, 1e-2});
    const torch::Tensor xs = prior.m_state->x;
    const torch::Tensor ys = (torch::tensor(y, kDouble) - prior.m_state->y_mean) / prior.m_state->y_scale;
    const BoxedHyperparameters box(static_cast<std::int64_t>(d), options);
    const auto dd = static_cast<std::int64_t>(d);

    std::mt19937_64 rng(options.seed);
    std::normal_distribution<double> start(0.0, 1.5);
    torch::Tensor best_z = torch::zeros({dd + 2}, kDouble);
    double best = std::numeric_limits<double>::infinity();
    for (int restart = 0; restart < std::max(1, options.restarts); ++restart) {
        std::vector<double> z0(d + 2, 0.0);
        if (restart > 0)
            for (double& v : z0) v = start(rng);
        torch::Tensor z = torch::tensor(z0, kDouble).requires_grad_(true);
        torch::optim::LBFGS optimiser({z}, torch::optim::LBFGSOptions(1.0).max_iter(options.iterations).line_search_fn("strong_wolfe"));
        const auto loss_at = [&](const torch::Tensor& at) {
            const torch::Tensor h = box.values(at);
            return negative_log_likelihood(xs, ys, h.slice(0, 0, dd), h[dd], h[dd + 1]);
        };
        try {
            optimiser.step([&] {
                optimiser.zero_grad();
                torch::Tensor loss = loss_at(z);
                loss.backward();
                return loss;
            });
            torch::NoGradGuard no_grad;
            const double loss = loss_at(z).item<double>();
            if (std::isfinite(loss) && loss < best) {
                best = loss;
                best_z = z.detach().clone();
            }
        } catch (const c10::Error&) {
            continue;  // a line-search step left the positive-definite region: try the next start
        }
    }
    const std::vector<double> h = to_vector(box.values(best_z));
    GpHyperparameters chosen{std::vector<double>(h.begin(), h.begin() + dd), h[d], h[d + 1]};
    return GaussianProcess(std::move(x), std::move(y), std::move(chosen), /*standardise=*/true);
}

std::vector<GpPrediction> GaussianProcess::predict(const GpPoints& points) const
{
    const State& s = *m_state;
    const torch::Tensor p = to_tensor(points, static_cast<std::size_t>(s.x.size(1)), "query point");
    const torch::Tensor lengthscales = torch::tensor(s.hyperparameters.lengthscales, kDouble);
    const torch::Tensor k_star = matern52_matrix(p, s.x, lengthscales, torch::tensor(s.hyperparameters.signal_variance, kDouble));
    const torch::Tensor mean = k_star.matmul(s.alpha) * s.y_scale + s.y_mean;
    const torch::Tensor v = torch::linalg_solve_triangular(s.cholesky, k_star.t(), /*upper=*/false);
    const torch::Tensor variance = (s.hyperparameters.signal_variance - v.pow(2).sum(0)).clamp_min(0.0) * (s.y_scale * s.y_scale);
    const std::vector<double> means = to_vector(mean), variances = to_vector(variance);
    std::vector<GpPrediction> out(points.size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = {means[i], variances[i]};
    return out;
}

double GaussianProcess::log_marginal_likelihood() const { return m_state->log_marginal_likelihood; }
const GpHyperparameters& GaussianProcess::hyperparameters() const { return m_state->hyperparameters; }
int GaussianProcess::size() const { return static_cast<int>(m_state->x.size(0)); }
int GaussianProcess::dimensions() const { return static_cast<int>(m_state->x.size(1)); }

} // namespace paretonas
