/// @file search/generational.hpp
/// What the generational methods (LEMONADE, NSGA-II, random search, NASH) share on top of the
/// driver: a number of generations and a training recipe, read from and written to their
/// settings JSON under the same keys, with the same command-line options.
#ifndef PARETONAS_SEARCH_GENERATIONAL_HPP
#define PARETONAS_SEARCH_GENERATIONAL_HPP

#include <paretonas/search/method.hpp>
#include <paretonas/search/training_evaluator.hpp>

namespace paretonas {

struct GenerationalSettings {
    int generations = 1000;        // upper bound; a budget usually ends the run first
    TrainingRecipe recipe;

    /// Reads generations, epochs_initial, epochs_child, lr_start, lr_end, augment, batch_size,
    /// weight_decay, fidelity ("none" or "sh"), sh_eta, sh_margin and latency_repeats when present.
    void read(SettingsReader& reader);
    /// Writes the same keys.
    void write(nlohmann::json& settings) const;
    /// Throws InputError naming `method` and the bad setting.
    void validate(const std::string& method) const;
};

/// The command-line options of those keys; `children` adds --epochs-child (methods whose
/// candidates inherit weights).
std::vector<MethodOption> generational_options(bool children);

/// The driver settings of a run that keep its budget: with a budget, a probe of this machine
/// (probe_time_model, about a second) gives the prior from which every queued candidate's
/// evaluation seconds are estimated (estimate_by_time_model); without one, no probe.
struct BudgetedDriver {
    DriverSettings settings;
    TimeModel prior;  // unknown without a budget
};
BudgetedDriver budgeted_driver(const SearchContext& context, int generations, const TrainingRecipe& recipe, bool inherit);

/// Runs (or resumes) `proposer`'s search with every network trained from scratch by `settings`'
/// recipe (augmented as the data calls for), within the run's budget: what the from-scratch
/// methods (the baselines, NAGO) share.
SearchResult run_from_scratch(const SearchContext& context, const GenerationalSettings& settings, Proposer& proposer);

/// The training context of a run: its store, data, objectives, seed, device and callbacks.
TrainingContext training_context(const SearchContext& context);
/// `recipe` with the augmentation the run's data calls for when the recipe asks for any (which
/// one is not a setting: it follows the data).
TrainingRecipe with_data_augmentation(TrainingRecipe recipe, const PreparedData& data);

} // namespace paretonas

#endif
