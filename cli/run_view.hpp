// Reading a search run back: its data, its current front, test errors on request. Shared by the
// commands that work on a finished or running run (search, front, finalize, report).
#ifndef PARETONAS_CLI_RUN_VIEW_HPP
#define PARETONAS_CLI_RUN_VIEW_HPP

#include <paretonas/data/dataset.hpp>
#include <paretonas/store/run_store.hpp>

#include <c10/core/Device.h>

#include <map>

namespace paretonas::cli {

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
