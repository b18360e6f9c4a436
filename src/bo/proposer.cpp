#include <paretonas/bo/proposer.hpp>

#include <paretonas/bo/acquisition.hpp>
#include <paretonas/core/error.hpp>

#include <algorithm>
#include <random>

namespace paretonas {
namespace {

/// Uniform points plus perturbations of the current front's points (where improvement is most
/// likely), clipped to the cube.
GpPoints candidate_points(const std::vector<std::vector<double>>& front_points, std::size_t dimensions, const ProposerSettings& settings,
                          std::mt19937_64& rng)
{
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::normal_distribution<double> step(0.0, settings.local_scale);
    GpPoints points;
    for (int i = 0; i < settings.random_candidates; ++i) {
        std::vector<double> p(dimensions);
        for (double& v : p) v = unit(rng);
        points.push_back(std::move(p));
    }
    if (!front_points.empty()) {
        for (int i = 0; i < settings.local_candidates; ++i) {
            std::vector<double> p = front_points[static_cast<std::size_t>(i) % front_points.size()];
            for (double& v : p) v = std::clamp(v + step(rng), 0.0, 1.0);
            points.push_back(std::move(p));
        }
    }
    if (settings.snap) {
        for (auto& p : points) p = settings.snap(p);
        std::sort(points.begin(), points.end());
        points.erase(std::unique(points.begin(), points.end()), points.end());
    }
    return points;
}

std::vector<ObjectiveVector> front_of(const std::vector<ObjectiveVector>& points)
{
    std::vector<ObjectiveVector> front;
    for (std::size_t i : pareto_front(points)) front.push_back(points[i]);
    return front;
}

} // namespace

std::vector<std::vector<double>> propose_batch(const std::vector<BoObservation>& observed, std::size_t dimensions, const KnownCosts& costs,
                                               const ObjectiveVector& reference, int batch, std::uint64_t seed,
                                               const ProposerSettings& settings)
{
    if (observed.size() < 2) fail("Bayesian optimisation needs at least 2 evaluated points, has " + std::to_string(observed.size()));
    if (batch < 1) fail("a proposal batch needs at least 1 point, got " + std::to_string(batch));
    if (settings.random_candidates < 1) fail("Bayesian optimisation needs at least 1 random candidate per pick");
    GpPoints x;
    std::vector<double> errors;
    std::vector<ObjectiveVector> objectives;
    std::vector<std::vector<double>> front_points;
    for (const auto& o : observed) {
        if (o.unit.size() != dimensions || o.objectives.size() != reference.size())
            fail("a BO observation of " + std::to_string(o.unit.size()) + " coordinates and " + std::to_string(o.objectives.size()) +
                 " objectives, expected " + std::to_string(dimensions) + " and " + std::to_string(reference.size()));
        x.push_back(o.unit);
        errors.push_back(o.objectives[0]);
        objectives.push_back(o.objectives);
    }
    std::vector<ObjectiveVector> front;
    for (std::size_t i : pareto_front(objectives)) {
        front_points.push_back(observed[i].unit);
        front.push_back(objectives[i]);
    }

    GpFitOptions fit = settings.gp;
    fit.seed = seed;
    GaussianProcess gp = GaussianProcess::fit(x, errors, fit);
    std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ULL);
    const GpPoints candidates = candidate_points(front_points, dimensions, settings, rng);
    std::vector<ObjectiveVector> known;
    known.reserve(candidates.size());
    for (const auto& c : candidates) {
        ObjectiveVector k = costs ? costs(c) : ObjectiveVector{};
        if (k.size() + 1 != reference.size())
            fail("known costs of " + std::to_string(k.size()) + " objectives for a reference of " + std::to_string(reference.size()));
        known.push_back(std::move(k));
    }

    std::vector<std::vector<double>> chosen;
    std::vector<bool> taken(candidates.size(), false);
    for (int b = 0; b < batch; ++b) {
        const std::vector<GpPrediction> predictions = gp.predict(candidates);
        std::size_t best = candidates.size();
        double best_value = -1.0;
        for (std::size_t i = 0; i < candidates.size(); ++i) {
            if (taken[i]) continue;
            ObjectivePrediction p;
            p.mean.push_back(predictions[i].mean);
            p.sd.push_back(std::sqrt(predictions[i].variance));
            p.mean.insert(p.mean.end(), known[i].begin(), known[i].end());
            p.sd.resize(p.mean.size(), 0.0);
            const double value = expected_hypervolume_improvement(p, front, reference);
            if (value > best_value) {
                best_value = value;
                best = i;
            }
        }
        if (best == candidates.size()) break;  // every candidate taken
        taken[best] = true;
        chosen.push_back(candidates[best]);
        // Kriging believer: pretend the pick scored its predicted error.
        gp = gp.with_observation(candidates[best], predictions[best].mean);
        ObjectiveVector believed{predictions[best].mean};
        believed.insert(believed.end(), known[best].begin(), known[best].end());
        front.push_back(std::move(believed));
        front = front_of(front);
    }
    return chosen;
}

} // namespace paretonas
