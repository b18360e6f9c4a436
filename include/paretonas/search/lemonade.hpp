/// @file search/lemonade.hpp
/// LEMONADE (Elsken, Metzen, Hutter 2019): Lamarckian multi-objective evolution. Each
/// generation fits a KDE to the population's cheap objectives, draws parents in inverse
/// proportion to their density, makes children by exact or approximate morphisms, accepts a
/// few of them in inverse proportion to density, trains those from their parent's weights
/// (distilling from the parent after an approximate morphism), and keeps the Pareto front of
/// everything trained. Registered as "lemonade" (docs/methods/lemonade.md).
#ifndef PARETONAS_SEARCH_LEMONADE_HPP
#define PARETONAS_SEARCH_LEMONADE_HPP

#include <paretonas/morph/sampler.hpp>
#include <paretonas/search/generational.hpp>

namespace paretonas {

struct LemonadeSettings : GenerationalSettings {
    int children_proposed = 16;    // n_pc: children generated (cheap) per generation
    int children_accepted = 4;     // n_ac: of those, trained
    int morphisms_per_child = 1;
    std::vector<MorphOp> operators = all_morph_ops();  // drawn uniformly
    /// The initial population; empty: default_initial_population().
    std::vector<Architecture> initial;

    static LemonadeSettings from_json(const nlohmann::json& settings);
    nlohmann::json to_json() const;
    void validate() const;
};

/// Four chains of conv-BN-ReLU blocks (about 1.4k, 24k, 140k and 560k parameters on 28x28
/// inputs), so the front starts spread over costs.
std::vector<Architecture> default_initial_population(const Shape& input_shape, int num_classes);

/// The registry's entry.
MethodSpec lemonade_method();

} // namespace paretonas

#endif
