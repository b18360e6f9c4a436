/// @file search/fidelity.hpp
/// Multi-fidelity for multi-objective search: successive halving on epochs. A candidate that
/// trains for E epochs is compared at rungs (after 1, eta, eta^2, ... epochs, below E) with every
/// candidate that reached the same rung, on (validation error at that rung, costs); it stops
/// there when one of them dominates it with margin: no cost higher and an error lower by at
/// least `margin`. A candidate on the front of its rung is never stopped. Optuna's pruners and
/// NNI's assessors compare one objective; this compares in the objective space of the search.
#ifndef PARETONAS_SEARCH_FIDELITY_HPP
#define PARETONAS_SEARCH_FIDELITY_HPP

#include <paretonas/core/pareto.hpp>

#include <string>
#include <vector>

namespace paretonas {

struct FidelityConfig {
    bool successive_halving = false;
    double eta = 2.0;       // rung spacing: epochs 1, eta, eta^2, ...
    double margin = 0.02;   // error gap (absolute) that counts as dominated with high margin

    /// Throws InputError naming the bad field.
    void validate() const;
};

/// "none" or "sh" -> successive_halving; throws InputError for anything else.
bool parse_fidelity(const std::string& name);

/// The epochs after which a candidate of `epochs` epochs is compared: 1, eta, eta^2, ... below
/// `epochs` (none for one epoch).
std::vector<int> rung_epochs(int epochs, double eta);

/// True when some point of `others` is no worse than `point` in every cost (entries 1..) and
/// better in error (entry 0) by at least `margin`.
bool dominated_with_margin(const ObjectiveVector& point, const std::vector<ObjectiveVector>& others, double margin);

} // namespace paretonas

#endif
