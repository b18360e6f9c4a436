/// @file search/lemonade.hpp
/// LEMONADE (Elsken, Metzen, Hutter 2019): Lamarckian multi-objective evolution. Each
/// generation fits a KDE to the population's cheap objectives, draws parents in inverse
/// proportion to their density, makes children by exact or approximate morphisms, accepts a
/// few of them in inverse proportion to density, trains those from their parent's weights
/// (distilling from the parent after an approximate morphism), and keeps the Pareto front of
/// everything trained. Registered as "lemonade" (docs/methods/lemonade.md).
#ifndef PARETONAS_SEARCH_LEMONADE_HPP
#define PARETONAS_SEARCH_LEMONADE_HPP

#include <paretonas/core/density.hpp>
#include <paretonas/morph/sampler.hpp>
#include <paretonas/search/generational.hpp>

namespace paretonas {

struct LemonadeSettings : GenerationalSettings {
    int children_proposed = 16;    // n_pc: children generated (cheap) per generation
    int children_accepted = 4;     // n_ac: of those, trained
    int morphisms_per_child = 1;
    std::vector<MorphOp> operators = all_morph_ops();  // drawn uniformly
    /// cost (default): children accepted by inverse density per expected training second;
    /// paper: by inverse density alone, as Elsken et al.
    AcceptRule accept_rule = AcceptRule::cost;
    /// With a budget, the default initial population is cut to what trains in this share of it.
    double initial_share = 0.1;
    /// The initial population; empty: default_initial_population(), cut to the budget.
    std::vector<Architecture> initial;

    static LemonadeSettings from_json(const nlohmann::json& settings);
    nlohmann::json to_json() const;
    void validate() const;
};

/// Four chains of conv-BN-ReLU blocks (about 1.4k, 24k, 140k and 560k parameters on 28x28
/// inputs), so the front starts spread over costs.
std::vector<Architecture> default_initial_population(const Shape& input_shape, int num_classes);

/// The cheapest networks of `seeds`, in order of cost, whose training under `model` (`epochs`
/// each) adds up to at most `share` of `budget_seconds`; always the cheapest one; all of them
/// without a budget or without a model. What LEMONADE starts from, so that its first front comes
/// within a tenth of any budget.
std::vector<Architecture> initial_within_budget(std::vector<Architecture> seeds, const TimeModel& model, int epochs,
                                                double budget_seconds, double share);

/// A child's training cost for cost-aware acceptance, in multiply-adds: its own plus a fixed
/// part, the multiply-adds whose time equals what a step costs whatever the network (data,
/// optimiser, evaluation; measured in docs/results.md). A pure function of the architecture, so
/// that acceptance, and with it a run, stays reproducible and a resume equals an uninterrupted run.
double acceptance_cost(const Candidate& child);

/// The registry's entry.
MethodSpec lemonade_method();

} // namespace paretonas

#endif
