/// @file store/run_store.hpp
/// The run store: one directory per search run, holding an SQLite database (WAL mode) with the
/// run's settings, every candidate and every generation's front, plus one weights file per
/// trained candidate (written atomically, referenced from the database). A process holds the
/// run's lock for as long as the store is open, so two searches never write one run.
///
/// Schema 2 keeps what a method owns per candidate in one JSON column (`data`); a schema-1 run
/// (per-method `genome` and `curve` columns) is migrated in one transaction when it is opened
/// to write, and read as if migrated when it is opened read-only.
#ifndef PARETONAS_STORE_RUN_STORE_HPP
#define PARETONAS_STORE_RUN_STORE_HPP

#include <paretonas/core/candidate.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace paretonas {

/// What a run was started with; fixed for its lifetime and checked when it is resumed.
struct RunInfo {
    std::string method;                   // "lemonade", ...
    std::string config_json;              // the run's settings (search/run_settings.hpp), as JSON
    std::string data;                     // data set and split description
    std::vector<std::string> objectives;  // "error", "params", "madds", "latency"
    std::vector<double> reference;        // hypervolume reference point, in objective space
    std::uint64_t seed = 0;
    std::string code_version;
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

/// Another network drawn from the generator behind a trained candidate (a NAGO run's
/// within-generator spread: was a generator found, or one lucky network?), trained with the
/// search's recipe and scored on the validation set. One per (candidate, index).
struct GeneratorSample {
    std::int64_t candidate = -1;
    int index = 0;                        // 0, 1, ...: the draw's place among the candidate's samples
    std::uint64_t seed = 0;               // the graphs were drawn with it
    CandidateStatus status = CandidateStatus::queued;
    Architecture arch;                    // stored for a trained sample only; a default one otherwise
    double val_error = 1.0;
    std::int64_t parameters = 0;
    std::int64_t multiply_adds = 0;
    double latency_ms = 0.0;
    double seconds = 0.0;                 // wall-clock of its training
    std::string detail;                   // failed: why
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
    /// Changes nothing on disk, a schema-1 run included.
    static RunStore open_read_only(const std::string& dir);
    /// True when `dir` holds a run database (not whether it is valid).
    static bool exists(const std::string& dir);

    RunStore(RunStore&&) noexcept;
    RunStore& operator=(RunStore&&) noexcept;
    ~RunStore();

    const std::string& dir() const { return m_dir; }
    const RunInfo& info() const { return m_info; }
    /// The schema on disk: 1 only for an old run opened read-only.
    int schema() const { return m_schema; }

    /// Stores a new candidate and returns its id.
    std::int64_t add(const Candidate& c);
    /// Stores several in one transaction (a generation's queue): all or none.
    std::vector<std::int64_t> add_all(const std::vector<Candidate>& cs);
    /// Writes what evaluation changes of an existing candidate: status, objectives, epochs,
    /// wall-clock, weights, its data (and architecture); generation, parent and operators stay.
    void update(const Candidate& c);
    std::vector<Candidate> candidates() const;
    /// Every candidate's id, without reading the rest of its row (a damaged row still has one).
    std::vector<std::int64_t> candidate_ids() const;
    std::optional<Candidate> candidate(std::int64_t id) const;

    void record_generation(const GenerationRecord& g);
    std::vector<GenerationRecord> generations() const;

    /// Inserts or replaces the final model of (candidate, recipe).
    void save_final(const FinalModel& f);
    /// Every final model, in the order they were last written; empty for runs never finalised.
    std::vector<FinalModel> finals() const;

    /// Inserts or replaces sample (candidate, index).
    void save_sample(const GeneratorSample& s);
    /// Every generator sample, by candidate and index; empty for runs never sampled.
    std::vector<GeneratorSample> samples() const;

    /// Replaces the stored settings (RunInfo::config_json): a resume that changes the budget.
    void set_config_json(const std::string& json);

    /// Wall-clock the run has spent, summed over the processes that worked on it.
    double elapsed_seconds() const;
    void set_elapsed_seconds(double seconds);

    /// "ok", or what SQLite's integrity check reports about run.db.
    std::string integrity_check() const;

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
    void migrate_schema_1();

    int m_schema = 0;
    std::string m_data_expression = "data";  // how a candidate's data is selected
    RunInfo m_info;
};

/// Candidate `id` of `store`, which must exist and be trained. Throws InputError naming the run
/// and the id otherwise.
Candidate trained_candidate(const RunStore& store, std::int64_t id);

} // namespace paretonas

#endif
