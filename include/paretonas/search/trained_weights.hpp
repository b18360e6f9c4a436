/// @file search/trained_weights.hpp
/// A run's trained networks, loaded for a method (a parent to inherit from, filters to score).
#ifndef PARETONAS_SEARCH_TRAINED_WEIGHTS_HPP
#define PARETONAS_SEARCH_TRAINED_WEIGHTS_HPP

#include <paretonas/store/run_store.hpp>
#include <paretonas/train/network.hpp>

namespace paretonas {

/// The trained network of candidate `c` of `store`, on `device`. Missing or unloadable weights
/// are the run's damage, not a fault of the candidate that needs them: StorageError naming the
/// run, the candidate and the file, so that a search stops (and resumes once the file is back)
/// instead of failing children for good.
Network load_trained(const RunStore& store, const Candidate& c, c10::Device device);

} // namespace paretonas

#endif
