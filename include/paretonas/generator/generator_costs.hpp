/// @file generator/generator_costs.hpp
/// The costs of a generator without training: the mean log10 parameters and multiply-adds of a
/// few architectures drawn from G(theta), with draws that depend on theta alone (so that the
/// estimate is reproducible) and a cache per theta. What NAGO's Bayesian optimisation takes as
/// known instead of modelling it. Torch-free.
#ifndef PARETONAS_GENERATOR_GENERATOR_COSTS_HPP
#define PARETONAS_GENERATOR_GENERATOR_COSTS_HPP

#include <paretonas/core/objectives.hpp>
#include <paretonas/generator/hierarchical.hpp>

#include <map>

namespace paretonas {

/// InputError unless every cost objective can be estimated without running a network (latency
/// cannot).
void require_estimable_costs(const std::vector<Objective>& objectives);

class GeneratorCostEstimator {
public:
    /// `objectives`: error first, then params and/or madds (InputError naming latency, which
    /// needs the network run).
    GeneratorCostEstimator(HierarchySettings hierarchy, Shape input_shape, int num_classes, std::vector<Objective> objectives,
                           int samples);
    /// The cost part of the objective vector (log10 of each cost, as objective_vector) averaged
    /// over the samples; `unreachable` when G(theta) cannot connect its graphs.
    ObjectiveVector costs(const GeneratorParams& theta, const ObjectiveVector& unreachable);

private:
    HierarchySettings m_hierarchy;
    Shape m_input;
    int m_classes;
    std::vector<Objective> m_objectives;
    int m_samples;
    std::map<std::array<double, GeneratorParams::dimensions>, ObjectiveVector> m_cache;
};

} // namespace paretonas

#endif
