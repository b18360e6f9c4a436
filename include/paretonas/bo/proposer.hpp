/// @file bo/proposer.hpp
/// Multi-objective Bayesian optimisation over the unit cube: a GP models the error, the costs of a
/// point are known without training, candidates are scored by expected hypervolume improvement
/// (bo/acquisition.hpp), and a batch is chosen by kriging believer: each chosen point's predicted
/// error is added to the GP and to the front as if observed before the next is chosen, so that a
/// batch spreads out instead of repeating its best point. Torch-free header.
#ifndef PARETONAS_BO_PROPOSER_HPP
#define PARETONAS_BO_PROPOSER_HPP

#include <paretonas/bo/gaussian_process.hpp>
#include <paretonas/core/pareto.hpp>

#include <cstdint>
#include <functional>
#include <vector>

namespace paretonas {

/// One evaluated point: where (unit cube) and its objectives, error first, then the costs in the
/// same units the known-costs function returns; all minimised.
struct BoObservation {
    std::vector<double> unit;
    ObjectiveVector objectives;
};

/// The costs of a point, computed without training (may be empty: error is the only objective).
using KnownCosts = std::function<ObjectiveVector(const std::vector<double>& unit)>;

struct ProposerSettings {
    int random_candidates = 1000;  // uniform points scored per pick
    int local_candidates = 500;    // Gaussian perturbations of the front's points scored per pick
    double local_scale = 0.08;     // their standard deviation in the unit cube
    GpFitOptions gp;
    /// Maps a candidate to the point it really is (NAGO: the middle of its integer fields'
    /// shares, where their evaluations sit), so that the GP is not asked about a place no
    /// evaluation can be; equal candidates are then scored once. Empty: the identity.
    std::function<std::vector<double>(const std::vector<double>&)> snap;
};

/// Up to `batch` distinct points of the unit cube (`dimensions` coordinates) to evaluate next,
/// fewer only when there are fewer distinct candidates. Needs at least two observations; the seed fixes the candidates and the GP's restarts, so that a resumed run
/// proposes what the uninterrupted one would have.
std::vector<std::vector<double>> propose_batch(const std::vector<BoObservation>& observed, std::size_t dimensions, const KnownCosts& costs,
                                               const ObjectiveVector& reference, int batch, std::uint64_t seed,
                                               const ProposerSettings& settings = {});

} // namespace paretonas

#endif
