/// @file search/generational.hpp
/// What the generational searches (LEMONADE, NSGA-II, random search) share: a population that
/// lives in the RunStore, a queue of proposed candidates per generation, training of each
/// candidate (from scratch, or from its parent's weights by replaying the operators that made
/// it), the front and hypervolume after each generation, a wall-clock budget over the whole run,
/// and resume after a kill. A method only says which candidates come first and which come next.
#ifndef PARETONAS_SEARCH_GENERATIONAL_HPP
#define PARETONAS_SEARCH_GENERATIONAL_HPP

#include <paretonas/search/fidelity.hpp>
#include <paretonas/search/objectives.hpp>
#include <paretonas/train/latency.hpp>
#include <paretonas/train/trainer.hpp>

#include <functional>

namespace paretonas {

struct SearchConfig {
    int generations = 1000;        // upper bound; a budget usually ends the run first
    int epochs_initial = 2;        // a candidate without parent, from scratch
    int epochs_child = 1;          // a child, from its parent's weights
    double lr_start = 0.05, lr_end = 0.0;  // one cosine cycle per training
    double budget_seconds = 0.0;   // over the whole run, resumes included; 0: no limit
    std::uint64_t seed = 0;
    TrainConfig train;             // batch size, momentum, weight decay, augmentation, distillation
    std::vector<Objective> objectives = {Objective::error, Objective::params};
    Constraints constraints;
    LatencyOptions latency;
    FidelityConfig fidelity;       // successive halving on epochs (search/fidelity.hpp)

    /// Throws InputError naming `method` and the bad field.
    void validate(const std::string& method) const;
    /// True when proposals must be timed before training (a latency objective or limit).
    bool latency_before_training() const;
};

struct SearchCallbacks {
    /// A candidate is about to train ("training") or has finished ("done", "stopped at epoch N
    /// of M" by successive halving, "failed: why").
    std::function<void(const Candidate&, const std::string& event)> on_candidate;
    std::function<void(const GenerationRecord&, const std::vector<Candidate>& front)> on_generation;
    TrainCallbacks train;
};

struct SearchResult {
    std::vector<Candidate> front;
    std::vector<GenerationRecord> generations;
    bool finished = false;         // all generations done (not stopped by the budget)
    double seconds = 0.0;          // this process's wall-clock
};

/// A search method's part of a generational search.
class Proposer {
public:
    virtual ~Proposer() = default;
    /// Generation 0, for an empty run.
    virtual std::vector<Candidate> initial() = 0;
    /// New candidates for `generation`, given every candidate so far (trained or failed);
    /// empty for an empty generation (all proposals were duplicates or over a limit).
    virtual std::vector<Candidate> propose(int generation, const std::vector<Candidate>& all) = 0;
};

/// Fills a proposal's parameters and multiply-adds, and its latency when `config` needs it
/// before training. False when it breaks a constraint (it must not be trained).
bool price_proposal(Candidate& c, const SearchConfig& config, c10::Device device);

/// Runs (or resumes) a generational search in `store`. Candidates left "training" by a killed
/// process are trained again; those queued are trained before a new generation is proposed.
SearchResult run_generations(RunStore& store, const DataView& train_data, const DataView& validation, const Normalization& norm,
                             const SearchConfig& config, c10::Device device, Proposer& proposer,
                             const SearchCallbacks& callbacks = {});

} // namespace paretonas

#endif
