/// @file bo/acquisition.hpp
/// Expected hypervolume improvement (EHVI): how much a candidate is expected to grow the
/// hypervolume of the current front, all objectives minimised. Exact when only the first
/// objective (the error) is uncertain and the others (costs) are known, which is NAGO's case:
/// the costs of a generator are estimated from sampled architectures without training. A Monte
/// Carlo estimate covers any number of uncertain objectives. With the error as the only
/// objective, EHVI is the classic expected improvement. Torch-free.
#ifndef PARETONAS_BO_ACQUISITION_HPP
#define PARETONAS_BO_ACQUISITION_HPP

#include <paretonas/core/pareto.hpp>

#include <vector>

namespace paretonas {

/// A candidate's objectives as independent Gaussians; sd 0 means known exactly.
struct ObjectivePrediction {
    ObjectiveVector mean;
    ObjectiveVector sd;
};

/// Hypervolume that `point` adds to that of `front` inside `reference`.
double hypervolume_improvement(const ObjectiveVector& point, const std::vector<ObjectiveVector>& front, const ObjectiveVector& reference);

/// Exact EHVI when only objective 0 may be uncertain (sd[k] == 0 for k > 0; InputError
/// otherwise). For a fixed cost vector the improvement is the integral over the error axis of
/// the cost-space volume the point would add, a step function that changes only at the front's
/// errors; its expectation is a sum of closed-form integrals of the normal CDF.
double expected_hypervolume_improvement(const ObjectivePrediction& candidate, const std::vector<ObjectiveVector>& front,
                                        const ObjectiveVector& reference);

/// Monte Carlo EHVI: the mean improvement over `draws` (standard-normal vectors, one value per
/// objective), which callers share across candidates (common random numbers) so that candidates
/// are compared on the same draws.
double expected_hypervolume_improvement_mc(const ObjectivePrediction& candidate, const std::vector<ObjectiveVector>& front,
                                           const ObjectiveVector& reference, const std::vector<std::vector<double>>& draws);

} // namespace paretonas

#endif
