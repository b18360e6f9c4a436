/// @file search/run_settings.hpp
/// What a run is started with, in one value type parsed in one place: the data and its split,
/// the objectives, constraints and reference point, the seed, the budget, and the method with
/// its settings. The run store keeps it as JSON, so that a resume (from the CLI or from any
/// program that links the library) trains the same way on the same split.
#ifndef PARETONAS_SEARCH_RUN_SETTINGS_HPP
#define PARETONAS_SEARCH_RUN_SETTINGS_HPP

#include <paretonas/core/objectives.hpp>
#include <paretonas/data/dataset.hpp>
#include <paretonas/store/run_store.hpp>

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

namespace paretonas {

struct RunSettings {
    std::string method = "lemonade";
    nlohmann::json method_settings = nlohmann::json::object();  // the method's own; defaults filled in on creation
    DataSpec data;
    std::vector<Objective> objectives = {Objective::error, Objective::params};
    Constraints constraints;
    ObjectiveVector reference;     // empty: default_reference(objectives, constraints)
    std::uint64_t seed = 0;
    double budget_seconds = 0.0;   // over the whole run, resumes included; 0: no limit
    nlohmann::json normalization;  // of the training split, set when the run is created (models take raw pixels)

    nlohmann::json to_json() const;
    /// Reads settings written by to_json, or the flat settings of a schema-1 run (whose method,
    /// objectives, reference and seed are in `info`). Throws InputError naming a missing or bad
    /// field.
    static RunSettings from_json(const nlohmann::json& j, const RunInfo& info);
    /// The settings stored in `store`.
    static RunSettings of(const RunStore& store);
};

/// What a caller asks for; `given` names the settings it set on purpose ("budget_seconds",
/// "method", "data", "objectives", "constraints", "seed", or a method setting's JSON pointer such
/// as "/children_proposed"): on resume only the budget may change, the rest is reported ignored.
struct RunRequest {
    RunSettings settings;
    std::set<std::string> given;
};

struct OpenedRun {
    RunStore store;
    RunSettings settings;
    PreparedData data;
    bool resumed = false;
    std::vector<std::string> ignored;  // entries of RunRequest::given a resume did not apply
};

/// Creates a run of `settings` on `data` in `dir`: the method's settings validated with their
/// defaults filled in, the objectives (the method's when empty), reference point and
/// normalisation completed in `settings`, which is what the store keeps. For programs with data
/// of their own; open_or_create_run loads the data the settings name.
RunStore create_run(const std::string& dir, RunSettings& settings, const PreparedData& data);

/// Creates the run in `dir` (the method's settings validated, defaults filled in, the data
/// loaded and split), or resumes the one there: its stored settings win, except a given budget,
/// which is stored for the next resume too. Throws InputError when `dir` holds a run of another
/// method than a given one, or anything but a run.
OpenedRun open_or_create_run(const std::string& dir, const RunRequest& request);

} // namespace paretonas

#endif
