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
#include <paretonas/search/objectives.hpp>
#include <paretonas/train/latency.hpp>
#include <paretonas/train/trainer.hpp>

#include <functional>

namespace paretonas {

struct LemonadeConfig {
    int generations = 1000;        // upper bound; a budget usually ends the run first
    int children_proposed = 16;    // n_pc: children generated (cheap) per generation
    int children_accepted = 4;     // n_ac: of those, trained
    int morphisms_per_child = 1;
    int epochs_initial = 2;        // the initial population, from scratch
    int epochs_child = 1;          // each accepted child, from its parent's weights
    double lr_start = 0.05, lr_end = 0.0;  // one cosine cycle per training
    double budget_seconds = 0.0;   // over the whole run, resumes included; 0: no limit
    std::uint64_t seed = 0;
    TrainConfig train;             // batch size, momentum, weight decay, augmentation, distillation
    std::vector<OperatorWeight> operators = MorphismSampler::all_operators();
    std::vector<Objective> objectives = {Objective::error, Objective::params};
    Constraints constraints;
    LatencyOptions latency;
    /// The initial population; empty: default_initial_population().
    std::vector<Architecture> initial;

    void validate() const;
};

/// Four chains of conv-BN-ReLU blocks (about 1.4k, 24k, 140k and 560k parameters on 28x28
/// inputs), so the front starts spread over costs.
std::vector<Architecture> default_initial_population(const Shape& input_shape, int num_classes);

struct LemonadeCallbacks {
    /// A candidate is about to train ("training") or has finished ("done" / "failed").
    std::function<void(const Candidate&, const std::string& event)> on_candidate;
    std::function<void(const GenerationRecord&, const std::vector<Candidate>& front)> on_generation;
    TrainCallbacks train;
};

struct LemonadeResult {
    std::vector<Candidate> front;
    std::vector<GenerationRecord> generations;
    bool finished = false;         // all generations done (not stopped by the budget)
    double seconds = 0.0;          // this process's wall-clock
};

/// Runs (or resumes) LEMONADE in `store`. Candidates left "training" by a killed process are
/// trained again; those queued are trained before a new generation is drawn.
LemonadeResult lemonade(RunStore& store, const DataView& train_data, const DataView& validation, const Normalization& norm,
                        const LemonadeConfig& config, c10::Device device, const LemonadeCallbacks& callbacks = {});

} // namespace paretonas

#endif
