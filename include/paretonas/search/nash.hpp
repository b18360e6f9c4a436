/// @file search/nash.hpp
/// NASH (Elsken, Metzen, Hutter 2017): hill climbing over network morphisms with short SGDR
/// runs. Each step makes `neighbours` children of the incumbent by `morphisms_per_child` random
/// exact morphisms, trains each (and the incumbent) for one cosine cycle, and keeps the best on
/// validation error. The best model of each step is an SGDR snapshot; their averaged
/// predictions form a snapshot ensemble.
#ifndef PARETONAS_SEARCH_NASH_HPP
#define PARETONAS_SEARCH_NASH_HPP

#include <paretonas/morph/morphism.hpp>
#include <paretonas/morph/sampler.hpp>
#include <paretonas/train/trainer.hpp>

#include <functional>

namespace paretonas {

struct NashConfig {
    int steps = 5;
    int neighbours = 4;            // children per step; the incumbent competes as well
    int morphisms_per_child = 3;
    int epochs_neighbour = 1;
    int epochs_final = 0;          // extra training of the final best model
    double lr_start = 0.05, lr_end = 0.0;
    double budget_seconds = 0.0;   // no new candidate starts after this; 0: no limit
    std::uint64_t seed = 0;
    TrainConfig train;             // batch size, momentum, weight decay, augmentation
    std::vector<OperatorWeight> operators = MorphismSampler::default_operators();

    /// The paper's settings for CIFAR-10 on a GPU: 8 steps of 8 neighbours (7 children and the
    /// incumbent), 5 morphisms each, 17 epochs per neighbour, lr 0.05 -> 0, 20 final epochs.
    static NashConfig paper();
    void validate() const;
};

struct NashCandidate {
    Architecture arch;
    std::vector<Morphism> applied;  // empty for the incumbent
    double val_error = 1.0;
    std::int64_t parameters = 0;
    double seconds = 0.0;
};

struct NashStep {
    int step = 0;
    std::vector<NashCandidate> candidates;
    std::size_t best = 0;  // index into candidates
    double seconds = 0.0;
};

struct NashResult {
    Network best{nullptr};            // best on validation over the start and every step's winner
    double start_val_error = 1.0;
    double best_val_error = 1.0;
    double ensemble_val_error = 1.0;  // snapshot ensemble of each step's best
    std::vector<NashStep> history;
    std::vector<Network> snapshots;   // kept on the CPU; ensemble_error moves each in and out
    double seconds = 0.0;
};

struct NashCallbacks {
    std::function<void(const NashStep&)> on_step;
    std::function<void(int step, int candidate, int of)> on_candidate;  // before it trains
    TrainCallbacks train;
};

/// Hill climbing from `start` (trained already). Validation data decides; the test set is not
/// touched. Returns the best network and the history of every step.
NashResult nash(Network start, const DataView& train_data, const DataView& validation, const Normalization& norm,
                const NashConfig& config, c10::Device device, const NashCallbacks& callbacks = {});

/// Error of the averaged softmax outputs of `members` on `data`.
double ensemble_error(std::vector<Network>& members, const DataView& data, const Normalization& norm, c10::Device device);

} // namespace paretonas

#endif
