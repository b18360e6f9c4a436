#include <paretonas/bo/tpe.hpp>

#include <paretonas/core/error.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>

namespace paretonas {

std::size_t tpe_minimum_observations(std::size_t dimensions)
{
    return 2 * (dimensions + 1);
}

namespace {

// A product-Gaussian kernel density with BOHB's bandwidths: statsmodels' normal reference rule
// (1.06 sd n^(-1/(d+4)) per dimension) clipped below at min_bandwidth, so that a dimension in
// which every point agrees (a snapped integer field) gets a narrow kernel, not none. Written here
// rather than taken from core/density: that KDE widens a zero-spread dimension to sd 1, the
// opposite of what the model needs, and LEMONADE's results depend on it staying as it is.
class ParzenEstimator {
public:
    ParzenEstimator(std::vector<std::vector<double>> points, double min_bandwidth) : m_points(std::move(points))
    {
        const auto n = static_cast<double>(m_points.size());
        const auto d = m_points.front().size();
        for (std::size_t j = 0; j < d; ++j) {
            double mean = 0, squares = 0;
            for (const auto& p : m_points) mean += p[j] / n;
            for (const auto& p : m_points) squares += (p[j] - mean) * (p[j] - mean);
            const double sd = n > 1 ? std::sqrt(squares / (n - 1)) : 0.0;
            m_h.push_back(std::max(min_bandwidth, 1.06 * sd * std::pow(n, -1.0 / (static_cast<double>(d) + 4))));
        }
    }
    /// log density at x, by log-sum-exp over the kernels (in 9 dimensions densities underflow).
    double log_density(const std::vector<double>& x) const
    {
        std::vector<double> terms;
        terms.reserve(m_points.size());
        for (const auto& p : m_points) {
            double t = 0;
            for (std::size_t j = 0; j < x.size(); ++j) {
                const double z = (x[j] - p[j]) / m_h[j];
                t += -0.5 * z * z - std::log(m_h[j]);
            }
            terms.push_back(t);
        }
        const double top = *std::max_element(terms.begin(), terms.end());
        double sum = 0;
        for (double t : terms) sum += std::exp(t - top);
        return top + std::log(sum) - std::log(static_cast<double>(m_points.size()));
    }
    const std::vector<std::vector<double>>& points() const { return m_points; }
    const std::vector<double>& bandwidths() const { return m_h; }

private:
    std::vector<std::vector<double>> m_points;
    std::vector<double> m_h;
};

struct Model {
    ParzenEstimator l, g;
};

// BOHB's split of the observations sorted by error: the best max(d + 1, good_fraction n) make
// l, the next max(d + 1, (1 - good_fraction) n) (as many as there are) make g; disjoint.
std::optional<Model> fit(std::vector<TpeObservation> observed, std::size_t dimensions, const TpeSettings& s)
{
    std::stable_sort(observed.begin(), observed.end(), [](const auto& a, const auto& b) { return a.error < b.error; });
    const auto n = observed.size();
    const auto n_good = std::max(dimensions + 1, static_cast<std::size_t>(s.good_fraction * static_cast<double>(n)));
    const auto n_bad = std::max(dimensions + 1, static_cast<std::size_t>((1.0 - s.good_fraction) * static_cast<double>(n)));
    std::vector<std::vector<double>> good, bad;
    for (std::size_t i = 0; i < n; ++i) {
        if (i < n_good) good.push_back(observed[i].unit);
        else if (i < n_good + n_bad) bad.push_back(observed[i].unit);
    }
    // As BOHB: each side needs more points than dimensions.
    if (good.size() <= dimensions || bad.size() <= dimensions) return std::nullopt;
    return Model{ParzenEstimator(good, s.min_bandwidth), ParzenEstimator(bad, s.min_bandwidth)};
}

std::vector<double> uniform(std::size_t dimensions, std::mt19937_64& rng)
{
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::vector<double> u(dimensions);
    for (double& v : u) v = unit(rng);
    return u;
}

// A draw from l with its bandwidths widened by bandwidth_factor: a good point plus Gaussian noise,
// each coordinate resampled until inside the cube (BOHB draws from truncated normals likewise).
std::vector<double> draw_near_good(const ParzenEstimator& l, const TpeSettings& s, std::mt19937_64& rng)
{
    std::uniform_int_distribution<std::size_t> pick(0, l.points().size() - 1);
    const auto& centre = l.points()[pick(rng)];
    std::vector<double> u(centre.size());
    for (std::size_t j = 0; j < u.size(); ++j) {
        std::normal_distribution<double> noise(0.0, s.bandwidth_factor * l.bandwidths()[j]);
        double v = centre[j] + noise(rng);
        for (int tries = 0; (v < 0.0 || v > 1.0) && tries < 100; ++tries) v = centre[j] + noise(rng);
        u[j] = std::clamp(v, 0.0, 1.0);
    }
    return u;
}

} // namespace

std::vector<std::vector<double>> propose_tpe(const std::vector<TpeObservation>& observed, std::size_t dimensions, int count,
                                             std::uint64_t seed, const TpeSettings& s)
{
    require_in_range("tpe good_fraction", s.good_fraction, 0.01, 0.99);
    require_in_range("tpe random_fraction", s.random_fraction, 0.0, 1.0);
    require_in_range("tpe samples", s.samples, 1, 1e6);
    require_in_range("tpe min_bandwidth", s.min_bandwidth, 1e-9, 1.0);
    for (const auto& o : observed) {
        if (o.unit.size() != dimensions)
            fail("tpe: an observation has " + std::to_string(o.unit.size()) + " coordinates, expected " + std::to_string(dimensions));
        if (!std::isfinite(o.error)) fail("tpe: an observation's error is not finite");
    }
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> coin(0.0, 1.0);
    const auto snap = [&](std::vector<double> u) { return s.snap ? s.snap(u) : u; };
    const auto model = observed.size() >= tpe_minimum_observations(dimensions) ? fit(observed, dimensions, s) : std::nullopt;
    std::vector<std::vector<double>> out;
    for (int k = 0; k < count; ++k) {
        if (!model || coin(rng) < s.random_fraction) {
            out.push_back(snap(uniform(dimensions, rng)));
            continue;
        }
        std::vector<double> best;
        double best_ratio = -INFINITY;
        for (int i = 0; i < s.samples; ++i) {
            auto u = snap(draw_near_good(model->l, s, rng));
            const double ratio = model->l.log_density(u) - model->g.log_density(u);
            if (ratio > best_ratio) {
                best_ratio = ratio;
                best = std::move(u);
            }
        }
        out.push_back(std::move(best));
    }
    return out;
}

} // namespace paretonas
