/// @file export/finalize.hpp
/// Final training: the models a search chose are trained again on all labelled training data
/// (train + validation; the search's validation set has done its job), either onward from the
/// weights they inherited in the search or from scratch, and scored once on the test set. Each
/// result goes to the run store as it finishes, so a killed finalize resumes where it stopped.
#ifndef PARETONAS_EXPORT_FINALIZE_HPP
#define PARETONAS_EXPORT_FINALIZE_HPP

#include <paretonas/store/run_store.hpp>
#include <paretonas/train/latency.hpp>
#include <paretonas/train/trainer.hpp>

#include <functional>

namespace paretonas {

struct FinalizeConfig {
    int epochs = 10;
    bool from_scratch = false;     // false: continue from the search's weights (Lamarckian)
    double lr_start = 0.05, lr_end = 0.0;  // one cosine cycle
    std::uint64_t seed = 0;
    TrainConfig train;             // batch size, momentum, weight decay, augmentation
    LatencyOptions latency{1, 10, 100};  // more repeats than in the search: this figure is reported
    std::int64_t max_memory_bytes = 0;   // the memory guard (core/memory.hpp); 0: none. Not part of the recipe

    void validate() const;
    /// What names its results: "e10-lr0.05-b128-s0", "-scratch" appended from scratch. A
    /// finalize with another recipe trains again instead of reusing results.
    std::string recipe() const;
};

struct FinalizeCallbacks {
    /// A model is about to train (started), was already final (skipped), or finished (done, or
    /// failed with `detail` saying why). `index` counts from 1 among `count` models.
    std::function<void(const Candidate&, const FinalModel&, CandidateEvent event, const std::string& detail, int index, int count)> on_model;
    TrainCallbacks train;
};

/// The candidates `ids` of `store`, in that order. Throws InputError for an unknown id or one
/// that is not trained.
std::vector<Candidate> finalizable(const RunStore& store, const std::vector<std::int64_t>& ids);

/// Trains candidates `ids` of `store` (each must be done) on `train_data`, scores each on
/// `test`, and stores each result with its weights under the run's final/ directory. Models
/// already final with this recipe are skipped. Returns the final models, in the order of `ids`.
/// Throws InputError for an unknown or untrained id before anything is trained.
std::vector<FinalModel> finalize(RunStore& store, const std::vector<std::int64_t>& ids, const DataView& train_data,
                                 const DataView& test, const Normalization& norm, const FinalizeConfig& config,
                                 c10::Device device, const FinalizeCallbacks& callbacks = {});

} // namespace paretonas

#endif
