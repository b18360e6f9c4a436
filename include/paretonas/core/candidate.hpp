/// @file core/candidate.hpp
/// A network of a search as the run store keeps it: where it came from, what it costs, how well
/// it did, and what its method keeps about it. Torch-free, so that proposers, the store, the
/// report and their tests never need LibTorch.
#ifndef PARETONAS_CORE_CANDIDATE_HPP
#define PARETONAS_CORE_CANDIDATE_HPP

#include <paretonas/core/architecture.hpp>
#include <paretonas/core/morphism_record.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace paretonas {

enum class CandidateStatus { queued, training, done, failed };
const char* status_name(CandidateStatus s);
/// Throws InputError for a name status_name never returns.
CandidateStatus status_from_name(const std::string& name);

struct Candidate {
    std::int64_t id = -1;                 // assigned by the store
    int generation = 0;
    std::int64_t parent = -1;             // -1 for a network without parent
    Architecture arch;
    std::vector<Morphism> operators;      // applied to the parent, in order
    CandidateStatus status = CandidateStatus::queued;
    double val_error = 1.0;
    std::int64_t parameters = 0, multiply_adds = 0;
    double latency_ms = 0.0;
    int epochs = 0;                       // trained in this search (inherited training not counted)
    double seconds = 0.0;                 // wall-clock of its evaluation
    std::string weights;                  // file name inside the run's weights/ directory
    /// What the method and the evaluator keep about this candidate, by key: "genome" (a point
    /// of a parametric space), "curve" (validation error per epoch), generator parameters,
    /// surrogate scores, a supernet sample. One JSON object, stored in one column.
    nlohmann::json data = nlohmann::json::object();

    bool approximate() const;             // any operator not function-preserving
    bool pending() const { return status == CandidateStatus::queued || status == CandidateStatus::training; }
};

/// What happened to a candidate (or to its final training), for progress displays and logs.
/// deferred: not started, or stopped, because it does not fit in what is left of the budget; it
/// stays queued, so that a resume with a larger budget evaluates it.
enum class CandidateEvent { started, done, stopped_early, failed, skipped, deferred };
/// "started", "done", "stopped early", "failed", "skipped", "deferred".
const char* candidate_event_name(CandidateEvent e);

/// A generation's (or a step's) closing record.
struct GenerationRecord {
    int generation = 0;
    std::vector<std::int64_t> front;      // candidate ids
    double hypervolume = 0.0;
    double seconds = 0.0;                 // wall-clock since the run began (summed over sessions)
};

} // namespace paretonas

#endif
