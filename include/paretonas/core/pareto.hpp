/// @file core/pareto.hpp
/// Pareto dominance, non-dominated sorting, crowding distance and hypervolume as free
/// functions over objective vectors (all minimised). Sorting, crowding and hypervolume are
/// PaGMO2's (kept out of this header: it pulls in Boost); this file only adapts them to the
/// edge cases a search meets (empty sets, exact ties, points beyond the reference).
#ifndef PARETONAS_CORE_PARETO_HPP
#define PARETONAS_CORE_PARETO_HPP

#include <cstddef>
#include <vector>

namespace paretonas {

using ObjectiveVector = std::vector<double>;

/// a dominates b: no worse in every objective and better in at least one.
bool dominates(const ObjectiveVector& a, const ObjectiveVector& b);

/// Fronts of the non-dominated sorting: fronts[0] holds the indices of the non-dominated
/// points, fronts[1] those dominated only by fronts[0], ... Each front is in ascending index
/// order. Throws InputError when the vectors differ in length.
std::vector<std::vector<std::size_t>> non_dominated_fronts(const std::vector<ObjectiveVector>& points);

/// Indices of the non-dominated points, keeping only the first of points that are exactly equal.
std::vector<std::size_t> pareto_front(const std::vector<ObjectiveVector>& points);

/// NSGA-II crowding distance of each point within its set: boundary points get infinity.
std::vector<double> crowding_distances(const std::vector<ObjectiveVector>& points);

/// Hypervolume dominated by `points` and bounded by `reference` (exact: PaGMO2's hv2d, hv3d
/// or WFG by dimension). Points that do not strictly dominate the reference add nothing.
double hypervolume(const std::vector<ObjectiveVector>& points, const ObjectiveVector& reference);

} // namespace paretonas

#endif
