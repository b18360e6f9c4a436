#include <paretonas/bo/acquisition.hpp>

#include <paretonas/core/error.hpp>

#include <algorithm>
#include <cmath>

namespace paretonas {
namespace {

double normal_cdf(double u) { return 0.5 * std::erfc(-u / std::sqrt(2.0)); }
double normal_pdf(double u) { return std::exp(-0.5 * u * u) / std::sqrt(2.0 * M_PI); }

/// Integral of P(e <= t) dt over t in [low, high] for e ~ N(mean, sd^2); low may be -infinity.
/// The antiderivative of Phi((t - mean) / sd) is sd (u Phi(u) + phi(u)).
double integral_of_cdf(double low, double high, double mean, double sd)
{
    if (!(high > low)) return 0.0;
    if (sd <= 1e-12) return std::max(0.0, high - std::max(low, mean));
    const auto antiderivative = [&](double t) {
        if (std::isinf(t)) return 0.0;
        const double u = (t - mean) / sd;
        return sd * (u * normal_cdf(u) + normal_pdf(u));
    };
    return antiderivative(high) - antiderivative(low);
}

void require_sizes(const ObjectivePrediction& candidate, const std::vector<ObjectiveVector>& front, const ObjectiveVector& reference)
{
    if (candidate.mean.size() != reference.size() || candidate.sd.size() != reference.size())
        fail("EHVI: a prediction of " + std::to_string(candidate.mean.size()) + " objectives against a reference of " +
             std::to_string(reference.size()));
    for (const auto& q : front)
        if (q.size() != reference.size()) fail("EHVI: a front point of " + std::to_string(q.size()) + " objectives against a reference of " + std::to_string(reference.size()));
}

/// Volume of the cost box [costs, reference costs] that the front points whose error is at most
/// `error` leave uncovered (the cost space of a single-objective problem has one point: 1 or 0).
double uncovered_cost_volume(const ObjectiveVector& costs, const ObjectiveVector& cost_reference,
                             const std::vector<ObjectiveVector>& front, double error)
{
    double box = 1.0;
    for (std::size_t k = 0; k < costs.size(); ++k) box *= cost_reference[k] - costs[k];
    std::vector<ObjectiveVector> clipped;
    for (const auto& q : front) {
        if (q[0] > error) continue;
        ObjectiveVector c(q.begin() + 1, q.end());
        for (std::size_t k = 0; k < c.size(); ++k) c[k] = std::max(c[k], costs[k]);
        clipped.push_back(std::move(c));
    }
    if (costs.empty()) return clipped.empty() ? 1.0 : 0.0;
    return box - hypervolume(clipped, cost_reference);
}

} // namespace

double hypervolume_improvement(const ObjectiveVector& point, const std::vector<ObjectiveVector>& front, const ObjectiveVector& reference)
{
    std::vector<ObjectiveVector> with = front;
    with.push_back(point);
    return std::max(0.0, hypervolume(with, reference) - hypervolume(front, reference));
}

double expected_hypervolume_improvement(const ObjectivePrediction& candidate, const std::vector<ObjectiveVector>& front,
                                        const ObjectiveVector& reference)
{
    require_sizes(candidate, front, reference);
    for (std::size_t k = 1; k < candidate.sd.size(); ++k)
        if (candidate.sd[k] != 0.0) fail("exact EHVI needs every objective but the first known exactly (sd 0)");
    const ObjectiveVector costs(candidate.mean.begin() + 1, candidate.mean.end());
    const ObjectiveVector cost_reference(reference.begin() + 1, reference.end());
    for (std::size_t k = 0; k < costs.size(); ++k)
        if (!(costs[k] < cost_reference[k])) return 0.0;
    // The uncovered volume changes only at the front's errors below the reference error.
    std::vector<double> steps;
    for (const auto& q : front)
        if (q[0] < reference[0]) steps.push_back(q[0]);
    std::sort(steps.begin(), steps.end());
    steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
    steps.push_back(reference[0]);
    double expected = 0.0, low = -INFINITY;
    for (double high : steps) {
        // On [low, high) the front points with error <= low cover the cost box.
        const double volume = uncovered_cost_volume(costs, cost_reference, front, low);
        expected += volume * integral_of_cdf(low, high, candidate.mean[0], candidate.sd[0]);
        low = high;
    }
    return expected;
}

double expected_hypervolume_improvement_mc(const ObjectivePrediction& candidate, const std::vector<ObjectiveVector>& front,
                                           const ObjectiveVector& reference, const std::vector<std::vector<double>>& draws)
{
    require_sizes(candidate, front, reference);
    if (draws.empty()) fail("Monte Carlo EHVI needs at least one draw");
    const double base = hypervolume(front, reference);
    double total = 0.0;
    std::vector<ObjectiveVector> with = front;
    with.emplace_back(reference.size());
    for (const auto& z : draws) {
        if (z.size() != reference.size()) fail("Monte Carlo EHVI: a draw of " + std::to_string(z.size()) + " values for " + std::to_string(reference.size()) + " objectives");
        for (std::size_t k = 0; k < reference.size(); ++k) with.back()[k] = candidate.mean[k] + candidate.sd[k] * z[k];
        total += std::max(0.0, hypervolume(with, reference) - base);
    }
    return total / static_cast<double>(draws.size());
}

} // namespace paretonas
