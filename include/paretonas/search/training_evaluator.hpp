/// @file search/training_evaluator.hpp
/// Evaluation by training: a candidate without parent is trained from scratch; with
/// train_from_parent, a child starts from its parent's stored weights with the recorded
/// operators replayed (Lamarckian inheritance, LEMONADE and NASH) and is distilled from the parent
/// after an approximate operator. Either way one cosine cycle, optional successive halving on
/// epochs (search/fidelity.hpp), latency measured after training, weights written to the store.
#ifndef PARETONAS_SEARCH_TRAINING_EVALUATOR_HPP
#define PARETONAS_SEARCH_TRAINING_EVALUATOR_HPP

#include <paretonas/data/dataset.hpp>
#include <paretonas/search/driver.hpp>
#include <paretonas/search/fidelity.hpp>

#include <c10/core/Device.h>

#include <paretonas/search/time_model.hpp>

#include <memory>

namespace paretonas {

/// How a method trains its candidates. The defaults are the search-time recipe, chosen for what
/// a network scores after one epoch on the benchmark's split (bench/search_recipe.py,
/// docs/results.md "Search-time recipe"): a higher peak learning rate, smaller batches and no
/// augmentation than a long training wants (finalize keeps its own recipe).
struct TrainingRecipe {
    TrainingRecipe() { train.batch_size = 64; }
    int epochs_initial = 2;        // a candidate without parent, from scratch
    int epochs_child = 1;          // a child, from its parent's weights
    double lr_start = 0.2, lr_end = 0.0;  // one cosine cycle per training
    bool augment = false;          // random crops and flips while searching (which ones follows the data)
    TrainConfig train;             // batch size, momentum, weight decay, distillation; its
                                   // augmentation is set from `augment` and the data at run time
    FidelityConfig fidelity;
    LatencyOptions latency;

    /// Throws InputError naming `method` and the bad field.
    void validate(const std::string& method) const;
};

/// What every training evaluator needs from the run.
struct TrainingContext {
    RunStore& store;
    const PreparedData& data;
    std::vector<Objective> objectives;
    std::uint64_t seed = 0;
    c10::Device device;
    TrainCallbacks callbacks;
    std::int64_t max_memory_bytes = 0;  // the memory guard (core/memory.hpp); 0: none
};

/// Every candidate from scratch, `epochs_initial` epochs (random search, NSGA-II).
std::unique_ptr<Evaluator> train_from_scratch(const TrainingContext& context, const TrainingRecipe& recipe);
/// A child from its parent's weights, `epochs_child` epochs; one without parent from scratch.
std::unique_ptr<Evaluator> train_from_parent(const TrainingContext& context, const TrainingRecipe& recipe);

/// The expected evaluation seconds of a queued candidate under `recipe` (epochs_initial without
/// parent or when not inheriting, else epochs_child): `prior` corrected by the run's finished
/// candidates (TimeModel::fit). For DriverSettings::estimate_seconds.
std::function<double(const Candidate&, const std::vector<Candidate>&)> estimate_by_time_model(const TrainingRecipe& recipe,
                                                                                             const TimeModel& prior, bool inherit);
/// A prior time model for this machine, data and recipe: a few timed training batches of a small
/// and a mid-sized network (a few seconds), scaled to an epoch of the run's training set plus one
/// pass over its validation set. Per image from the difference of a four-batch and a one-batch
/// pass: what a call costs whatever its length is not multiplied up to an epoch.
TimeModel probe_time_model(const TrainingContext& context, const TrainingRecipe& recipe);

/// The learning curve an evaluator stored in a candidate's data ("curve"); empty if none.
std::vector<double> learning_curve(const Candidate& c);

/// True when proposals must be timed before training (a latency objective or limit).
bool latency_before_training(const std::vector<Objective>& objectives, const Constraints& constraints);
/// Prices proposals: parameters, multiply-adds, and latency on `device` when it is needed before
/// training. Timed, so with a latency objective or limit the accepted proposals can differ
/// between two runs of one seed; a resume still trains exactly the stored queue.
Pricer make_pricer(const std::vector<Objective>& objectives, const Constraints& constraints, const LatencyOptions& latency,
                   c10::Device device);

} // namespace paretonas

#endif
