/// @file core/objectives.hpp
/// The objectives a multi-objective search minimises (validation error and costs), user
/// constraints on the costs, and the objective vectors the Pareto core works on: error as a
/// fraction, costs as log10 so that a front spanning 10k to 1M parameters is not all one end.
#ifndef PARETONAS_CORE_OBJECTIVES_HPP
#define PARETONAS_CORE_OBJECTIVES_HPP

#include <paretonas/core/pareto.hpp>
#include <paretonas/core/candidate.hpp>

#include <string>
#include <vector>

namespace paretonas {

enum class Objective { error, params, madds, latency };
const char* objective_name(Objective o);
/// "error,params,latency" -> objectives, error first. Throws InputError naming an unknown or
/// repeated name, or a list without error. Error alone is a single-objective search (NASH);
/// multi-objective methods ask for a cost with require_cost_objective.
std::vector<Objective> parse_objectives(const std::string& csv);
std::vector<Objective> objectives_from_names(const std::vector<std::string>& names);
std::vector<std::string> objective_names(const std::vector<Objective>& objectives);
/// Throws InputError naming `method` when `objectives` holds no cost besides error.
void require_cost_objective(const std::vector<Objective>& objectives, const std::string& method);

/// Upper limits on a candidate's costs; 0 means none.
struct Constraints {
    double max_params = 0, max_madds = 0, max_latency_ms = 0;
    /// Empty when `c` satisfies every limit, else which one it breaks.
    std::string violation(const Candidate& c) const;
    void validate() const;
};

/// The candidate's point in objective space: error, then log10 of each chosen cost.
ObjectiveVector objective_vector(const Candidate& c, const std::vector<Objective>& objectives);
/// Only the costs (what needs no training): the space in which LEMONADE estimates density.
ObjectiveVector cheap_vector(const Candidate& c, const std::vector<Objective>& objectives);
/// A reference point that every sensible model dominates: error 1, and each cost at its
/// constraint when set, else at a generous cap (1e8 params, 1e11 multiply-adds, 10 s).
ObjectiveVector default_reference(const std::vector<Objective>& objectives, const Constraints& constraints);

/// The non-dominated candidates among the finished ones that meet the constraints.
std::vector<Candidate> current_front(const std::vector<Candidate>& all, const std::vector<Objective>& objectives,
                                     const Constraints& constraints);

/// NSGA-II's survivor selection: the indices of the `n` best of `points` by non-domination
/// rank, then by crowding distance within the last front taken (ties by index, so the choice
/// is deterministic).
std::vector<std::size_t> nsga2_select(const std::vector<ObjectiveVector>& points, std::size_t n);

} // namespace paretonas

#endif
