/// @file search/lemonade.hpp
/// LEMONADE (Elsken, Metzen, Hutter 2019): Lamarckian multi-objective evolution. Each
/// generation fits a KDE to the population's cheap objectives, draws parents in inverse
/// proportion to their density, makes children by exact or approximate morphisms, accepts a
/// few of them in inverse proportion to density, trains those from their parent's weights
/// (distilling from the parent after an approximate morphism), and keeps the Pareto front of
/// everything trained. Every step goes through the RunStore, so a killed run resumes.
#ifndef PARETONAS_SEARCH_LEMONADE_HPP
#define PARETONAS_SEARCH_LEMONADE_HPP

#include <paretonas/morph/sampler.hpp>
#include <paretonas/search/generational.hpp>

namespace paretonas {

struct LemonadeConfig : SearchConfig {
    int children_proposed = 16;    // n_pc: children generated (cheap) per generation
    int children_accepted = 4;     // n_ac: of those, trained
    int morphisms_per_child = 1;
    std::vector<OperatorWeight> operators = MorphismSampler::all_operators();
    /// The initial population; empty: default_initial_population().
    std::vector<Architecture> initial;

    void validate() const;
};

/// Four chains of conv-BN-ReLU blocks (about 1.4k, 24k, 140k and 560k parameters on 28x28
/// inputs), so the front starts spread over costs.
std::vector<Architecture> default_initial_population(const Shape& input_shape, int num_classes);

using LemonadeCallbacks = SearchCallbacks;
using LemonadeResult = SearchResult;

/// Runs (or resumes) LEMONADE in `store` (see run_generations).
LemonadeResult lemonade(RunStore& store, const DataView& train_data, const DataView& validation, const Normalization& norm,
                        const LemonadeConfig& config, c10::Device device, const LemonadeCallbacks& callbacks = {});

} // namespace paretonas

#endif
