/// @file search/driver.hpp
/// The one search loop every method runs through, without LibTorch: a queue of candidates per
/// generation in the RunStore, an Evaluator that turns each queued candidate into objectives
/// (and weights), the front and hypervolume after each generation, a wall-clock budget over the
/// whole run, and resume after a kill. A method supplies a Proposer (which candidates first,
/// which next) and an Evaluator (train from scratch, from the parent, take supernet weights...).
#ifndef PARETONAS_SEARCH_DRIVER_HPP
#define PARETONAS_SEARCH_DRIVER_HPP

#include <paretonas/core/objectives.hpp>
#include <paretonas/store/run_store.hpp>
#include <paretonas/train/config.hpp>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace paretonas {

struct SearchCallbacks {
    /// `detail`: for stopped_early "at epoch N of M", for failed the reason; else empty.
    std::function<void(const Candidate&, CandidateEvent, const std::string& detail)> on_candidate;
    std::function<void(const GenerationRecord&, const std::vector<Candidate>& front)> on_generation;
    TrainCallbacks train;          // for evaluators that train
};

struct SearchResult {
    std::vector<Candidate> front;
    std::vector<GenerationRecord> generations;
    bool finished = false;         // all generations done (not stopped by the budget)
    double seconds = 0.0;          // this process's wall-clock
};

/// A search method's choice of candidates.
class Proposer {
public:
    virtual ~Proposer() = default;
    /// Generation 0, for an empty run.
    virtual std::vector<Candidate> initial() = 0;
    /// New candidates for `generation`, given every candidate so far (trained or failed);
    /// empty for an empty generation (all proposals were duplicates or over a limit).
    virtual std::vector<Candidate> propose(int generation, const std::vector<Candidate>& all) = 0;
};

/// A candidate the evaluator could not score (a network that does not fit in memory, a
/// numerical failure): it is stored as failed and the search goes on.
class CandidateFailure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The end of the budget, as an evaluator sees it: it asks `reached()` while it works (between
/// training batches, say) and throws BudgetSpent when it is true.
struct Deadline {
    std::function<bool()> passed;  // empty: no budget
    bool reached() const { return passed && passed(); }
};

/// Thrown by an evaluator that stopped at the end of the budget: the candidate goes back to the
/// queue (a resume with a larger budget evaluates it again) and the run ends.
class BudgetSpent : public std::runtime_error {
public:
    BudgetSpent() : std::runtime_error("stopped at the end of the budget") {}
};

/// Turns a queued candidate into objectives: fills val_error, latency_ms, epochs, weights (a
/// file it wrote through store.weights_path) and whatever it keeps in `data`. Throws
/// CandidateFailure or InputError for a candidate that cannot be scored, BudgetSpent when it
/// stopped at `deadline`; any other exception ends the run (it resumes).
class Evaluator {
public:
    /// A candidate ended before its plan (successive halving) says so, and where.
    struct Outcome {
        bool stopped_early = false;
        std::string detail;
    };
    virtual ~Evaluator() = default;
    virtual Outcome evaluate(Candidate& c, const Deadline& deadline) = 0;
};

/// Fills a proposal's costs (parameters, multiply-adds, latency when it is measured before
/// training) and says whether it meets the constraints. Made by make_pricer
/// (search/training_evaluator.hpp); a stub in tests.
using Pricer = std::function<bool(Candidate&)>;

struct DriverSettings {
    int generations = 1000;        // upper bound; a budget usually ends the run first
    double budget_seconds = 0.0;   // over the whole run, resumes included; 0: no limit
    std::vector<Objective> objectives = {Objective::error, Objective::params};
    Constraints constraints;
    /// A queued candidate's expected evaluation seconds, given every candidate so far; empty: not
    /// known. With a budget, a candidate whose estimate exceeds what is left is deferred (left
    /// queued), and a generation in which nothing could start ends the run.
    std::function<double(const Candidate& queued, const std::vector<Candidate>& all)> estimate_seconds;
    /// Seconds on a monotonic clock; the steady clock when empty (tests pass a fake one).
    std::function<double()> clock;
};

/// Runs (or resumes) a search in `store`. Candidates left "training" by a killed process are
/// evaluated again; those queued are evaluated before a new generation is proposed. The budget
/// is kept: no candidate starts that is expected not to fit in it, and one still running at its
/// end is stopped and queued again.
SearchResult run_driver(RunStore& store, const DriverSettings& settings, Proposer& proposer, Evaluator& evaluator,
                        const SearchCallbacks& callbacks = {});

} // namespace paretonas

#endif
