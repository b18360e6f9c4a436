/// @file search/run_check.hpp
/// `paretonas check`: verifies a run without changing it, so that damage (a deleted weights file,
/// a row edited by hand, a front that no longer matches its candidates) is found and named before
/// a resume or a report trips over it.
#ifndef PARETONAS_SEARCH_RUN_CHECK_HPP
#define PARETONAS_SEARCH_RUN_CHECK_HPP

#include <cstdint>
#include <string>
#include <vector>

namespace paretonas {

/// One thing wrong with a run, and what a repair would do about it.
struct RunProblem {
    std::string what;    // "candidate 2: weights /r/weights/2.pt are missing"
    std::string repair;  // "queue candidate 2 again, so that a resume trains it"
};

struct RunCheck {
    std::vector<RunProblem> problems;
    std::int64_t candidates = 0;      // rows read
    std::int64_t weights_loaded = 0;  // trained candidates whose weights load into their architecture
    std::int64_t generations = 0;
    std::int64_t finals = 0;          // final models whose weights are present
};

/// Reads the run in `dir` (read-only, without its lock): SQLite's integrity check; every
/// candidate row; every trained candidate's weights, loaded into its architecture; every recorded
/// front made of trained candidates that do not dominate one another, with the hypervolume it
/// records; no trained candidate of the last recorded generation left off its front; every final
/// model's weights present. Throws InputError only when `dir` holds no readable run at all.
RunCheck check_run(const std::string& dir);

} // namespace paretonas

#endif
