/// @file bo/tpe.hpp
/// BOHB's model (Falkner, Klein, Hutter, ICML 2018): the observations at one budget, sorted by
/// error, are split into the best `good_fraction` and the next ones, each side gets a
/// product-Gaussian kernel density l(x) and g(x) (normal-reference bandwidths at least
/// `min_bandwidth`), and a proposal is the best of `samples` draws from l, widened by
/// `bandwidth_factor`, by the ratio l(x) / g(x) (the tree-structured Parzen estimator's
/// expected-improvement argument). A share `random_fraction` of proposals stays uniform, as in
/// BOHB, so that the model never shuts a region for good. Single objective; torch-free.
#ifndef PARETONAS_BO_TPE_HPP
#define PARETONAS_BO_TPE_HPP

#include <cstdint>
#include <functional>
#include <vector>

namespace paretonas {

struct TpeSettings {
    double good_fraction = 0.15;    // BOHB's top_n_percent 15
    double random_fraction = 1.0 / 3.0;
    int samples = 64;               // draws from l(x) scored per proposal
    double bandwidth_factor = 3.0;  // draws use l's bandwidths times this
    double min_bandwidth = 1e-3;    // in the unit cube
    /// As ProposerSettings::snap: maps a draw to the point it really is (integer fields).
    std::function<std::vector<double>(const std::vector<double>&)> snap;
};

/// One observation at the budget the model is built on: where (unit cube) and its error.
struct TpeObservation {
    std::vector<double> unit;
    double error = 1.0;
};

/// Observations a model needs at a budget: 2 (dimensions + 1), so that the good and the bad side
/// each hold more points than dimensions, as BOHB requires.
std::size_t tpe_minimum_observations(std::size_t dimensions);

/// `count` points of the unit cube (`dimensions` coordinates): uniform while `observed` has fewer
/// than tpe_minimum_observations, else by the model, each point uniform with probability
/// random_fraction. The same arguments and seed give the same points. Throws InputError for an
/// observation of another dimension or a non-finite error.
std::vector<std::vector<double>> propose_tpe(const std::vector<TpeObservation>& observed, std::size_t dimensions, int count,
                                             std::uint64_t seed, const TpeSettings& settings = {});

} // namespace paretonas

#endif
