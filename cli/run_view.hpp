// Reading a search run back: the settings it was started with, its data, its current front.
// Shared by the commands that work on a finished or running run (front, finalize, report).
#ifndef PARETONAS_CLI_RUN_VIEW_HPP
#define PARETONAS_CLI_RUN_VIEW_HPP

#include "search_command.hpp"

#include <paretonas/store/run_store.hpp>

#include <map>
#include <optional>

namespace paretonas::cli {

/// What a run is started with, stored in it (RunInfo::config_json), so that a resume trains the
/// same way on the same split whatever flags it is given (except --budget).
nlohmann::json settings_json(const SearchOptions& o, std::uint64_t seed);

/// Fills `o` and `seed` from a run's stored settings (RunInfo::config_json); --budget is kept
/// when the user gave it. Throws nlohmann::json::exception for a missing field.
void restore_settings(const nlohmann::json& settings, SearchOptions& o, std::uint64_t& seed);

/// The data the run was started with: the same split and normalisation.
PreparedData run_data(const RunStore& store);

struct FrontView {
    std::vector<Candidate> front;  // by parameters, ascending
    GenerationRecord last;
    bool has_generation = false;
};
/// The current front under the run's objectives and constraints.
FrontView read_front(const RunStore& store);

using TestErrors = std::map<std::int64_t, double>;
/// Test error of each model in `models` with the search's weights, on `data` (run_data). The
/// test set is read only on request, never by the search.
TestErrors test_errors(const RunStore& store, const std::vector<Candidate>& models, const PreparedData& data, c10::Device device);

} // namespace paretonas::cli

#endif
