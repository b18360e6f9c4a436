/// @file store/run_store.hpp
/// The run store: one directory per search run, holding an SQLite database (WAL mode) with the
/// run's settings, every candidate and every generation's front, plus one weights file per
/// trained candidate (written atomically, referenced from the database). A process holds the
/// run's lock for as long as the store is open, so two searches never write one run.
#ifndef PARETONAS_STORE_RUN_STORE_HPP
#define PARETONAS_STORE_RUN_STORE_HPP

#include <paretonas/core/architecture.hpp>
#include <paretonas/morph/morphism.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace paretonas {

enum class CandidateStatus { queued, training, done, failed };
const char* status_name(CandidateStatus s);
/// Throws InputError for a name status_name never returns.
CandidateStatus status_from_name(const std::string& name);

/// One network of a search: where it came from, what it costs and how well it did.
struct Candidate {
    std::int64_t id = -1;                 // assigned by the store
    int generation = 0;
    std::int64_t parent = -1;             // -1 for the initial population
    Architecture arch;
    std::vector<Morphism> operators;      // applied to the parent, in order
    CandidateStatus status = CandidateStatus::queued;
    double val_error = 1.0;
    std::int64_t parameters = 0, multiply_adds = 0;
    double latency_ms = 0.0;
    int epochs = 0;                       // trained in this search (inherited training not counted)
    double seconds = 0.0;                 // wall-clock of its training
    std::string weights;                  // file name inside the run's weights/ directory
    std::vector<int> genome;              // its point in a parametric space (random, nsga2); else empty
    std::vector<double> curve;            // validation error after each epoch, when tracked (successive halving)
    bool approximate() const;             // any operator not function-preserving
};

/// What a run was started with; fixed for its lifetime and checked when it is resumed.
struct RunInfo {
    std::string method;                   // "lemonade", ...
    std::string config_json;              // the method's settings, as given
    std::string data;                     // data set and split description
    std::vector<std::string> objectives;  // "error", "params", "madds", "latency"
    std::vector<double> reference;        // hypervolume reference point, in objective space
    std::uint64_t seed = 0;
    std::string code_version;
};

struct GenerationRecord {
    int generation = 0;
    std::vector<std::int64_t> front;      // candidate ids
    double hypervolume = 0.0;
    double seconds = 0.0;                 // wall-clock since the run began (summed over sessions)
};

/// A candidate trained again for delivery, on train + validation data, and scored on the test
/// set. One per candidate and recipe.
struct FinalModel {
    std::int64_t candidate = -1;
    std::string recipe;                   // how it was trained, e.g. "e10-lr0.05-b128-s0[-scratch]"
    int epochs = 0;
    bool from_scratch = false;
    CandidateStatus status = CandidateStatus::queued;
    double test_error = 1.0;
    double latency_ms = 0.0;              // re-measured after training, the machine otherwise idle
    double seconds = 0.0;                 // wall-clock of the final training
    std::string weights;                  // file name inside the run's final/ directory
    /// "<id>-<recipe>": names its files.
    std::string name() const;
};

/// The final model to deliver for `candidate` among `finals` (in the order finals() returns):
/// finished, the most epochs, then the latest written. Never chosen by test error, which would
/// select on the test set. None when it was never finalised.
std::optional<FinalModel> delivered_final(const std::vector<FinalModel>& finals, std::int64_t candidate);

class RunStore {
public:
    /// Creates a run in `dir` (made if missing; must hold no other files). Throws InputError if
    /// `dir` already holds a run or anything else.
    static RunStore create(const std::string& dir, const RunInfo& info);
    /// Opens the run in `dir` and takes its lock. Throws InputError naming the problem for a
    /// missing, corrupt or foreign store, or a run held by another process.
    static RunStore open(const std::string& dir);
    /// Opens the run in `dir` to read, without the lock: a report may read a running search.
    static RunStore open_read_only(const std::string& dir);
    /// True when `dir` holds a run database (not whether it is valid).
    static bool exists(const std::string& dir);

    RunStore(RunStore&&) noexcept;
    RunStore& operator=(RunStore&&) noexcept;
    ~RunStore();

    const std::string& dir() const { return m_dir; }
    const RunInfo& info() const { return m_info; }

    /// Stores a new candidate and returns its id.
    std::int64_t add(const Candidate& c);
    /// Stores several in one transaction (a generation's queue): all or none.
    std::vector<std::int64_t> add_all(const std::vector<Candidate>& cs);
    /// Writes what training changes of an existing candidate: status, objectives, epochs,
    /// wall-clock, weights, learning curve (and architecture); generation, parent, operators and
    /// genome stay.
    void update(const Candidate& c);
    std::vector<Candidate> candidates() const;
    std::optional<Candidate> candidate(std::int64_t id) const;

    void record_generation(const GenerationRecord& g);
    std::vector<GenerationRecord> generations() const;

    /// Inserts or replaces the final model of (candidate, recipe).
    void save_final(const FinalModel& f);
    /// Every final model, in the order they were last written; empty for runs never finalised.
    std::vector<FinalModel> finals() const;

    /// Replaces the stored settings (RunInfo::config_json): a resume that changes the budget.
    void set_config_json(const std::string& json);

    /// Wall-clock the run has spent, summed over the processes that worked on it.
    double elapsed_seconds() const;
    void set_elapsed_seconds(double seconds);

    /// Full path of a weights file name (weights/<name>).
    std::string weights_path(const std::string& name) const;
    /// Full path of a final model's file (final/<name>).
    std::string final_path(const std::string& name) const;

private:
    RunStore(std::string dir, sqlite3* db, int lock_fd);
    void exec(const std::string& sql) const;
    void load_info();
    static RunStore open_with(const std::string& dir, bool read_only);

    std::string m_dir;
    sqlite3* m_db = nullptr;
    int m_lock_fd = -1;
    bool m_has_genome = true, m_has_curve = true;
    RunInfo m_info;
};

/// Candidate `id` of `store`, which must exist and be trained. Throws InputError naming the run
/// and the id otherwise.
Candidate trained_candidate(const RunStore& store, std::int64_t id);

} // namespace paretonas

#endif
