#include <paretonas/core/density.hpp>
#include <paretonas/core/error.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace paretonas {

namespace {

// Weights relative to the largest, from their logarithms, clipped at 1e-300 so that no weight
// is zero: draws without replacement never meet an all-zero remainder.
std::vector<double> weights_of_logs(const std::vector<double>& log_w)
{
    const double top = *std::max_element(log_w.begin(), log_w.end());
    std::vector<double> w;
    for (double l : log_w) w.push_back(std::max(std::exp(l - top), 1e-300));
    return w;
}

std::vector<double> inverse_weights(const std::vector<double>& densities)
{
    std::vector<double> log_w;
    for (double d : densities) log_w.push_back(-std::log(std::max(d, 1e-300)));
    return weights_of_logs(log_w);
}

} // namespace

GaussianKde::GaussianKde(std::vector<std::vector<double>> points, Bandwidth rule) : m_points(std::move(points))
{
    if (m_points.empty()) fail("a density estimate needs at least one point");
    const std::size_t d = m_points.front().size();
    if (d == 0) fail("a density estimate needs points with at least one coordinate");
    for (const auto& p : m_points)
        if (p.size() != d) fail("density points differ in dimension: " + std::to_string(p.size()) + " vs " + std::to_string(d));
    const double n = static_cast<double>(m_points.size());
    const double dims = static_cast<double>(d);
    const double factor = rule == Bandwidth::scott ? std::pow(n, -1.0 / (dims + 4)) : std::pow(n * (dims + 2) / 4.0, -1.0 / (dims + 4));
    for (std::size_t k = 0; k < d; ++k) {
        double mean = 0, var = 0;
        for (const auto& p : m_points) mean += p[k] / n;
        for (const auto& p : m_points) var += (p[k] - mean) * (p[k] - mean);
        const double sd = m_points.size() > 1 ? std::sqrt(var / (n - 1)) : 0.0;
        m_h.push_back(factor * (sd > 0 ? sd : 1.0));
    }
}

double GaussianKde::density(const std::vector<double>& x) const
{
    if (x.size() != m_h.size())
        fail("density asked at a point of dimension " + std::to_string(x.size()) + ", fitted on " + std::to_string(m_h.size()));
    const double norm = std::pow(2 * M_PI, -0.5 * static_cast<double>(m_h.size())) /
                        std::accumulate(m_h.begin(), m_h.end(), 1.0, std::multiplies<double>());
    double sum = 0;
    for (const auto& p : m_points) {
        double exponent = 0;
        for (std::size_t k = 0; k < x.size(); ++k) {
            const double z = (x[k] - p[k]) / m_h[k];
            exponent += z * z;
        }
        sum += std::exp(-0.5 * exponent);
    }
    return norm * sum / static_cast<double>(m_points.size());
}

std::vector<std::size_t> sample_inverse_density(const std::vector<double>& densities, std::size_t count, std::mt19937_64& rng)
{
    if (count >= densities.size()) return sample_weighted(std::vector<double>(densities.size(), 1.0), count, rng);
    return sample_weighted(inverse_weights(densities), count, rng);
}

std::vector<std::size_t> sample_weighted(std::vector<double> w, std::size_t count, std::mt19937_64& rng)
{
    std::vector<std::size_t> all(w.size());
    std::iota(all.begin(), all.end(), 0);
    if (count >= w.size()) return all;
    std::vector<std::size_t> chosen;
    while (chosen.size() < count) {
        const auto k = std::discrete_distribution<std::size_t>(w.begin(), w.end())(rng);
        chosen.push_back(k);
        w[k] = 0;  // without replacement; the others stay >= 1e-300, so the total never reaches 0
    }
    return chosen;
}

std::size_t draw_inverse_density(const std::vector<double>& densities, std::mt19937_64& rng)
{
    if (densities.empty()) fail("cannot draw from an empty population");
    const auto w = inverse_weights(densities);
    return std::discrete_distribution<std::size_t>(w.begin(), w.end())(rng);
}

AcceptRule accept_rule_from_name(const std::string& name)
{
    if (name == "paper") return AcceptRule::paper;
    if (name == "cost") return AcceptRule::cost;
    fail("unknown acceptance rule '" + name + "' (paper or cost)");
}

std::string accept_rule_name(AcceptRule rule) { return rule == AcceptRule::paper ? "paper" : "cost"; }

std::vector<double> acceptance_weights(const std::vector<double>& densities, const std::vector<double>& costs, AcceptRule rule)
{
    if (densities.empty()) return {};
    if (costs.size() != densities.size())
        fail("acceptance weights need one cost per child (" + std::to_string(costs.size()) + " for " + std::to_string(densities.size()) + ")");
    std::vector<double> log_w;
    for (std::size_t i = 0; i < densities.size(); ++i) {
        double l = -std::log(std::max(densities[i], 1e-300));
        if (rule == AcceptRule::cost) {
            if (!(costs[i] > 0)) fail("a child's expected training cost must be positive");
            l -= std::log(costs[i]);
        }
        log_w.push_back(l);
    }
    return weights_of_logs(log_w);
}

} // namespace paretonas
